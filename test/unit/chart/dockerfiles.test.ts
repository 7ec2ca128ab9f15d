// The operator and consumer-runtime Dockerfiles (no container engine runs the tests, so they are checked as
// text): multi-stage on the Node major the tests run, production dependencies only, a non-root user, and
// the entry point the tests start.
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { repoRoot } from "./paths.ts";

interface Instruction {
  keyword: string;
  args: string;
}
interface Stage {
  from: string;
  instructions: Instruction[];
}

/** Instructions grouped by stage; comments dropped, continuation lines joined, ARG defaults substituted in FROM. */
function parseDockerfile(text: string): Stage[] {
  const logical = text
    .replace(/\\\r?\n/g, " ")
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith("#"));
  const args = new Map<string, string>();
  const stages: Stage[] = [];
  for (const line of logical) {
    const [keyword = "", ...rest] = line.split(/\s+/);
    const instruction = { keyword: keyword.toUpperCase(), args: rest.join(" ") };
    if (instruction.keyword === "ARG" && stages.length === 0) {
      const [name = "", value = ""] = instruction.args.split("=");
      args.set(name, value);
    } else if (instruction.keyword === "FROM") {
      const image = instruction.args.split(/\s+/)[0] ?? "";
      stages.push({
        from: image.replace(/\$\{?(\w+)\}?/g, (_, name: string) => args.get(name) ?? ""),
        instructions: [],
      });
    } else {
      stages.at(-1)?.instructions.push(instruction);
    }
  }
  return stages;
}

const rootPackage = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as {
  devDependencies: Record<string, string>;
};
/** The Node the tests run on: the `node` devDependency. */
const testedNodeMajor = Number(rootPackage.devDependencies.node?.split(".")[0]);

const images = [
  { name: "operator", dockerfile: "operator/Dockerfile", workspace: "operator", entry: "operator/src/main.ts" },
  {
    name: "consumer-runtime",
    dockerfile: "consumer-runtime/Dockerfile",
    workspace: "consumer-runtime",
    entry: "consumer-runtime/src/main.ts",
  },
];

for (const image of images) {
  describe(`${image.dockerfile}`, () => {
    const stages = parseDockerfile(readFileSync(join(repoRoot, image.dockerfile), "utf8"));
    const final = stages.at(-1);
    const finalOf = (keyword: string) => (final?.instructions ?? []).filter((i) => i.keyword === keyword);

    it("is multi-stage, every stage on the Node major the tests run", () => {
      assert.ok(stages.length >= 2, "a dependency stage and a runtime stage");
      assert.equal(testedNodeMajor, 24);
      for (const stage of stages) {
        assert.match(stage.from, /^node:(\d+)/, `${stage.from} is not an official Node image`);
        assert.equal(Number(/^node:(\d+)/.exec(stage.from)?.[1]), testedNodeMajor, stage.from);
      }
    });

    it("installs production dependencies of its workspace only", () => {
      const installs = stages
        .flatMap((stage) => stage.instructions)
        .filter((i) => i.keyword === "RUN" && /\bnpm (ci|install)\b/.test(i.args));
      assert.equal(installs.length, 1);
      assert.match(installs[0]?.args ?? "", /--omit=dev\b/);
      assert.match(installs[0]?.args ?? "", new RegExp(`--workspace ${image.workspace}\\b`));
      assert.equal(
        finalOf("RUN").length,
        0,
        "the runtime stage only copies: no package manager runs in the final image",
      );
    });

    it("copies its sources and no tests into the final image", () => {
      const copies = finalOf("COPY").map((i) => i.args);
      assert.ok(copies.some((args) => args === `${image.workspace}/src ${image.workspace}/src`));
      assert.ok(!copies.some((args) => /\btest\b/.test(args)));
    });

    it("runs as a non-root user", () => {
      const user = finalOf("USER").at(-1)?.args ?? "";
      assert.ok(user, "USER is set in the final stage");
      const name = user.split(":")[0] ?? "";
      assert.notEqual(name, "root");
      assert.notEqual(name, "0");
      assert.match(name, /^\d+$/, "a numeric user, so Kubernetes can check runAsNonRoot");
    });

    it(`starts \`node [node options] ${image.entry}\`, the entry point the tests run`, () => {
      const entrypoint = finalOf("ENTRYPOINT");
      assert.equal(entrypoint.length, 1);
      const argv = JSON.parse(entrypoint[0]?.args ?? "[]") as string[];
      assert.equal(argv[0], "node");
      assert.equal(argv.at(-1), image.entry);
      for (const option of argv.slice(1, -1)) assert.match(option, /^--[a-z-]+(=\S+)?$/, "only node options between");
      assert.equal(finalOf("CMD").length, 0, "no CMD adds arguments");
      assert.ok(existsSync(join(repoRoot, image.entry)), `${image.entry} does not exist`);
    });
  });
}

describe("parseDockerfile", () => {
  it("joins continuation lines, drops comments and resolves ARG defaults in FROM", () => {
    const stages = parseDockerfile(
      // biome-ignore lint/suspicious/noTemplateCurlyInString: Dockerfile variable syntax, not a JavaScript template.
      ["ARG NODE=node:24-slim", "FROM ${NODE} AS deps", "# note", "RUN a \\", "    b", "FROM $NODE", "USER 1000"].join(
        "\n",
      ),
    );
    assert.deepEqual(stages, [
      { from: "node:24-slim", instructions: [{ keyword: "RUN", args: "a b" }] },
      { from: "node:24-slim", instructions: [{ keyword: "USER", args: "1000" }] },
    ]);
  });
});
