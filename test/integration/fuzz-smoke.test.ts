// A small run of the KafkaConsumerGroup fuzzer (`npm run fuzz` runs 10,000): mutated groups through the real
// apiserver's server-side dry run, a few accepted ones created for real and reconciled by the real operator.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { runFuzz } from "../chaos/fuzz/run-fuzz.ts";
import { LocalOperatorFleet } from "../chaos/local-operators.ts";
import { PodRunner } from "../env/pod-runner.ts";
import { createNamespace, deleteNamespace, installCrd, kubeConfig } from "../support/cluster.ts";
import { stackEnv, uniqueName } from "../support/stack-env.ts";

describe("KafkaConsumerGroup fuzz smoke", { timeout: 120_000 }, () => {
  const env = stackEnv();
  const namespace = uniqueName("fuzz-smoke");
  const kc = kubeConfig();
  let operators: LocalOperatorFleet;
  let runner: PodRunner;

  before(async () => {
    await installCrd();
    await createNamespace(namespace);
    operators = new LocalOperatorFleet({
      kubeConfig: kc,
      kubeconfigPath: env.kubeconfig,
      namespaces: [namespace],
      leaseNamespace: namespace,
      leaseName: "lagpilot-fuzz-smoke",
      leaseDurationSeconds: 15,
      replicas: 1,
    });
    await operators.start();
    runner = new PodRunner({ kubeConfig: kc, namespaces: [namespace], mode: "ready" });
    await runner.start();
  });

  after(async () => {
    await runner?.stop();
    await operators?.stop();
    await deleteNamespace(namespace);
  });

  it("rejections name a field, accepted groups get a condition, the operator stays up", async () => {
    const summary = await runFuzz({
      env,
      kubeConfig: kc,
      namespace,
      count: 300,
      real: 6,
      seed: 7,
      concurrency: 4,
      readyGraceSeconds: 10,
      operatorCrashes: () => operators.unexpectedExits(),
      log: () => {},
    });
    assert.ok(
      summary.accepted > 0 && summary.rejected > 0,
      `accepted ${summary.accepted}, rejected ${summary.rejected}`,
    );
    const byName = new Map(summary.goals.map((g) => [g.name, g]));
    for (const name of [
      "no operator crash",
      "every rejection names a field",
      "every accepted object reconciles to Ready or a named condition",
    ]) {
      const g = byName.get(name);
      assert.ok(g?.pass, `${name}: ${g?.detail}`);
    }
  });
});
