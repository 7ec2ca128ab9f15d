// `kubectl lagpilot` as a user runs it: through the stack's kubectl, which finds the plugin on PATH, against
// groups on the real apiserver whose status the test writes through the status subresource (no operator
// runs here, so nothing overwrites it).
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import yaml from "js-yaml";
import { createNamespace, deleteNamespace, installCrd } from "../support/cluster.ts";
import { runTool, stackEnv, uniqueName } from "../support/stack-env.ts";
import { validBase } from "../unit/api/invalid-objects.ts";

const execFileAsync = promisify(execFile);

/** `kubectl lagpilot ARGS` with the stack's tools first on PATH, as env:up tells users to set it. */
async function lagpilot(args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  const env = stackEnv();
  try {
    const { stdout, stderr } = await execFileAsync(join(env.binDir, "kubectl"), ["lagpilot", ...args], {
      env: { ...process.env, PATH: `${env.binDir}:${process.env.PATH}` },
      timeout: 60_000,
    });
    return { stdout, stderr, code: 0 };
  } catch (error) {
    const failed = error as { stdout: string; stderr: string; code: number };
    return { stdout: failed.stdout, stderr: failed.stderr, code: failed.code };
  }
}

const decisions = [
  {
    time: "2026-12-02T02:10:00Z",
    fromReplicas: 1,
    toReplicas: 3,
    reason: "ScaledUp",
    message: "lag 14.1s over the 10s target",
    figures: { lag: 12000, lagSeconds: 14.1, arrivalRate: 850, throughputPerReplica: 320, targetLagSeconds: 10 },
  },
  {
    time: "2026-12-02T02:11:00Z",
    fromReplicas: 3,
    toReplicas: 3,
    reason: "Held",
    message: "within target",
    figures: {},
  },
];

const status = {
  conditions: [
    {
      type: "Ready",
      status: "True",
      reason: "Consuming",
      message: "3 of 3 replicas consuming",
      lastTransitionTime: "2026-12-02T02:11:00Z",
    },
  ],
  replicas: 3,
  readyReplicas: 3,
  desiredReplicas: 3,
  partitions: 6,
  totalLag: 420,
  lagSeconds: 0.5,
  produceRate: 850,
  consumeRate: 910,
  partitionHealth: { ok: 5, warn: 1, stall: 0, stop: 0, rewind: 0 },
  autoscaling: { decisions, learned: { throughputPerReplica: 320, podStartSeconds: 8 } },
};

describe("kubectl lagpilot", () => {
  const namespace = uniqueName("plugin");
  let decisionsServed = false;

  before(async () => {
    await installCrd();
    await createNamespace(namespace);
    for (const name of ["orders", "refunds"]) {
      await runTool("kubectl", ["create", "-n", namespace, "-f", "-"], JSON.stringify(validBase(name)));
    }
    const patch = JSON.stringify({ status });
    await runTool("kubectl", [
      "patch",
      "kcg",
      "orders",
      "-n",
      namespace,
      "--subresource=status",
      "--type=merge",
      "-p",
      patch,
    ]);
    // The apiserver prunes status fields its CRD does not declare: decisions are asserted once it serves them.
    const stored = JSON.parse(await runTool("kubectl", ["get", "kcg", "orders", "-n", namespace, "-o", "json"])) as {
      status?: { autoscaling?: unknown };
    };
    decisionsServed = stored.status?.autoscaling !== undefined;
  });

  after(() => deleteNamespace(namespace));

  it("top: one row per group, kubectl's layout, <none> where status has nothing yet", async () => {
    const { stdout, code } = await lagpilot(["top", "-n", namespace]);
    assert.equal(code, 0);
    const lines = stdout.trim().split("\n");
    assert.match(
      lines[0] ?? "",
      /^NAME +LAG +LAG\(S\) +RATE-IN\/S +RATE-OUT\/S +REPLICAS +PARTITIONS +HEALTH +STATUS$/,
    );
    assert.match(lines[1] ?? "", /^orders +420 +0\.5 +850 +910 +3\/3 +6 +warn:1 +Consuming$/);
    assert.match(lines[2] ?? "", /^refunds +<none> .* unknown +Unknown$/);
  });

  it("top -A adds the namespace; -o json and -o yaml give the same rows", async () => {
    const all = await lagpilot(["top", "-A"]);
    assert.match(all.stdout, new RegExp(`^${namespace} +orders +420 `, "m"));
    const json = JSON.parse((await lagpilot(["top", "-n", namespace, "-o", "json"])).stdout) as unknown[];
    const asYaml = yaml.load((await lagpilot(["top", "-n", namespace, "-o", "yaml"])).stdout);
    assert.deepEqual(asYaml, json);
    assert.deepEqual(json[0], {
      namespace,
      name: "orders",
      lag: 420,
      lagSeconds: 0.5,
      rateIn: 850,
      rateOut: 910,
      replicas: 3,
      readyReplicas: 3,
      desiredReplicas: 3,
      partitions: 6,
      health: "warn:1",
      status: "Consuming",
    });
  });

  it("explain: the group now and its last decisions with the figures behind them", async (t) => {
    const { stdout, code } = await lagpilot(["explain", "orders", "-n", namespace]);
    assert.equal(code, 0);
    assert.match(stdout, /^Status: +Consuming \(Ready=True\): 3 of 3 replicas consuming$/m);
    assert.match(stdout, /^Lag: +420 messages, 0\.5s behind/m);
    if (!decisionsServed) return t.skip("the CRD does not declare status.autoscaling yet");
    assert.match(
      stdout,
      /Held {2}3 -> 3 replicas[\s\S]*ScaledUp {2}1 -> 3 replicas\n.*\n {4}figures: lag 12000 \(14\.1s, target 10s\)/,
    );
  });

  it("history: every decision, newest first; -o json lists them", async (t) => {
    if (!decisionsServed) return t.skip("the CRD does not declare status.autoscaling yet");
    const { stdout } = await lagpilot(["history", "orders", "-n", namespace]);
    const lines = stdout.trim().split("\n");
    assert.match(lines[0] ?? "", /^TIME +REPLICAS +REASON +LAG +LAG\(S\) +ARRIVAL\/S +PER-REPLICA\/S +MESSAGE$/);
    assert.match(lines[1] ?? "", /^2026-12-02T02:11:00Z +3->3 +Held /);
    assert.match(lines[2] ?? "", /^2026-12-02T02:10:00Z +1->3 +ScaledUp +12000 +14\.1 +850 +320 +lag 14\.1s/);
    const json = JSON.parse((await lagpilot(["history", "orders", "-n", namespace, "-o", "json"])).stdout);
    assert.deepEqual(json, [...decisions].reverse());
  });

  it("a group that does not exist: kubectl's NotFound, exit code 1", async () => {
    const { stderr, code } = await lagpilot(["explain", "missing", "-n", namespace]);
    assert.equal(code, 1);
    assert.match(stderr, /^Error from server \(NotFound\): .*"missing" not found/);
  });
});
