// Progress of provisioning: the Go output reader against recorded `go list` and `go build -v` output, the
// progress line, a failing step's message, and helm's release flags.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { helmReleaseLdflags, kubernetesVersionOfClientGo } from "../../env/helm-ldflags.ts";
import { countGoOutputLine, countStalePackages, type GoWork, noGoWork } from "../../env/progress/go-output.ts";
import { formatDuration, progressLine, type StepSnapshot } from "../../env/progress/progress-line.ts";
import { StepFailed, withProgress } from "../../env/progress/step.ts";

const fixtures = join(import.meta.dirname, "fixtures");
const recorded = (name: string) => readFileSync(join(fixtures, name), "utf8");
const countAll = (output: string): GoWork => output.split("\n").reduce(countGoOutputLine, noGoWork);

describe("reading the Go command's output (recorded)", () => {
  it("counts the modules `go list -deps` downloads", () => {
    assert.deepEqual(countAll(recorded("go-list.stderr")), { modulesDownloaded: 2, packagesCompiled: 0 });
  });

  it("takes the packages the build cache lacks as the build's total", () => {
    assert.equal(countStalePackages(recorded("go-list-stale.stdout")), 6);
  });

  it("counts each package `go build -v` compiles, and reaches that total", () => {
    assert.deepEqual(countAll(recorded("go-build-v.stderr")), { modulesDownloaded: 0, packagesCompiled: 6 });
  });

  it("does not count a compiler error's lines as packages", () => {
    assert.deepEqual(countAll(recorded("go-build-v-failed.stderr")), { modulesDownloaded: 0, packagesCompiled: 1 });
  });

  interface LineCase {
    name: string;
    line: string;
    expect: GoWork;
  }
  const cases: LineCase[] = [
    { name: "a package", line: "k8s.io/apiserver/pkg/server", expect: { modulesDownloaded: 0, packagesCompiled: 1 } },
    { name: "a versioned package", line: "github.com/x/y/v2", expect: { modulesDownloaded: 0, packagesCompiled: 1 } },
    {
      name: "a download",
      line: "go: downloading k8s.io/api v0.34.4",
      expect: { modulesDownloaded: 1, packagesCompiled: 0 },
    },
    { name: "an error heading", line: "# k8s.io/api/core/v1", expect: noGoWork },
    { name: "a compiler message", line: "./main.go:14:24: too many return values", expect: noGoWork },
    { name: "another go: message", line: "go: finding module for package x", expect: noGoWork },
    { name: "an empty line", line: "", expect: noGoWork },
  ];
  for (const c of cases) {
    it(`line: ${c.name}`, () => assert.deepEqual(countGoOutputLine(noGoWork, c.line), c.expect));
  }
});

describe("progressLine", () => {
  interface Case {
    name: string;
    snapshot: StepSnapshot;
    expect: string;
  }
  const base = { step: "kubernetes", activity: "compiling Go packages", elapsedMs: 250_000 };
  const cases: Case[] = [
    {
      name: "counted, with a usual time",
      snapshot: { ...base, done: 812, total: 1320, unit: "packages", usualMs: 540_000 },
      expect:
        "provision kubernetes: compiling Go packages 812/1320 packages (61%), 4m10s elapsed, usually about 9m00s here",
    },
    {
      name: "counted without a total",
      snapshot: { ...base, activity: "downloading Go modules", done: 17, unit: "modules" },
      expect: "provision kubernetes: downloading Go modules 17 modules, 4m10s elapsed",
    },
    {
      name: "more done than counted in advance stays at 100%",
      snapshot: { ...base, done: 14, total: 12, unit: "packages" },
      expect: "provision kubernetes: compiling Go packages 12/12 packages (100%), 4m10s elapsed",
    },
    { name: "not counting", snapshot: base, expect: "provision kubernetes: compiling Go packages, 4m10s elapsed" },
  ];
  for (const c of cases) it(c.name, () => assert.equal(progressLine(c.snapshot), c.expect));

  it("formats durations", () => {
    assert.deepEqual([0, 12_400, 60_000, 245_000, 3_725_000].map(formatDuration), [
      "0s",
      "12s",
      "1m00s",
      "4m05s",
      "1h02m",
    ]);
  });
});

describe("withProgress", () => {
  it("names the step, what it was doing, how far it was, why it failed and what to do", async () => {
    const failing = withProgress(
      () => {},
      { step: "helm", fix: "Check the proxy." },
      async (progress) => {
        progress.set("compiling Go packages", 40, 400, "packages");
        throw new Error("'go build' exited with code 1");
      },
    );
    await assert.rejects(failing, (error: Error) => {
      assert.ok(error instanceof StepFailed);
      assert.equal(
        error.message,
        "step 'helm' failed while compiling Go packages, 40 of 400 done: 'go build' exited with code 1\n" +
          "What to do: Check the proxy. Finished steps stay cached; rerun and provisioning resumes with this step.",
      );
      return true;
    });
  });

  it("prints a progress line at each tick while the step runs, and none after it ends", async () => {
    const lines: string[] = [];
    let clock = 0;
    let tick = () => {};
    let stopped = false;
    await withProgress(
      (line) => lines.push(line),
      {
        step: "etcd",
        fix: "",
        now: () => clock,
        schedule: (onTick) => {
          tick = onTick;
          return () => {
            stopped = true;
          };
        },
      },
      async (progress) => {
        progress.set("compiling Go packages", 3, 9, "packages");
        clock = 20_000;
        tick();
        progress.set("compiling Go packages", 9, 9, "packages");
        clock = 35_000;
        tick();
      },
    );
    assert.deepEqual(lines, [
      "provision etcd: compiling Go packages 3/9 packages (33%), 20s elapsed",
      "provision etcd: compiling Go packages 9/9 packages (100%), 35s elapsed",
    ]);
    assert.ok(stopped, "the ticker is stopped when the step ends");
  });
});

describe("helm's release flags", () => {
  it("derive Kubernetes 1.X from client-go v0.X, as helm's Makefile does", () => {
    assert.deepEqual(kubernetesVersionOfClientGo("v0.37.0\n"), { major: "1", minor: "37" });
    assert.throws(() => kubernetesVersionOfClientGo("(devel)"), /not a k8s.io\/client-go version/);
  });

  it("set the version and the assumed Kubernetes in both places helm reads it", () => {
    const flags = helmReleaseLdflags("v3.22.0", { major: "1", minor: "37" }).split(" -X ");
    for (const expected of [
      "helm.sh/helm/v3/internal/version.version=v3.22.0",
      "helm.sh/helm/v3/internal/version.metadata=",
      "helm.sh/helm/v3/pkg/lint/rules.k8sVersionMajor=1",
      "helm.sh/helm/v3/pkg/lint/rules.k8sVersionMinor=37",
      "helm.sh/helm/v3/pkg/chartutil.k8sVersionMajor=1",
      "helm.sh/helm/v3/pkg/chartutil.k8sVersionMinor=37",
    ]) {
      assert.ok(flags.includes(expected), `missing -X ${expected}`);
    }
  });
});
