// A small run of the chaos harness (`npm run chaos` runs the full scenarios) on the local stack's node: the
// operator installed with the chart, a KafkaConsumerGroup of two consumer Pods run by the kubelet from the
// runtime image (the ledger handler mounted from a ConfigMap), the main process of one consumer container
// SIGKILLed on this machine while it handles records, the kubelet restarting it in the same Pod, and the
// independent ledger checked against Kafka's log-end offsets: nothing lost, every record counted.
// Nothing here can hold the file: every hook, wait and cleanup step is bounded, every cleanup step runs even
// when one before it fails, and if anything is still open after the last hook the process ends, failed.
import assert from "node:assert/strict";
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { connectAdmin, type KafkaAdmin } from "../../operator/src/kafka/admin.ts";
import { type RunContext, ScenarioRun } from "../chaos/harness.ts";
import { consumerContainer, PodConsumerFleet } from "../chaos/pod-consumers.ts";
import { stateDir } from "../env/layout.ts";
import { applyYaml, createNamespace, deleteNamespace, installCrd, kubeConfig } from "../support/cluster.ts";
import { installOperator, type OperatorRelease } from "../support/operator-release.ts";
import { eventually, runTool, stackEnv, uniqueName, withTimeout } from "../support/stack-env.ts";

const RECORDS = 8000;
const REPLICAS = 2;
/** Where the consumer container finds the handler and writes the ledger. */
const HANDLER_DIR = "/chaos";
const LEDGER_MOUNT = "/ledger";

/** Ledger lines the handler of one Pod wrote so far, over all its containers' files. */
function ledgerLines(dir: string, pod: string): number {
  if (!existsSync(dir)) return 0;
  let lines = 0;
  for (const file of readdirSync(dir)) {
    if (!file.startsWith(`${pod}-`) || !file.endsWith(".ledger")) continue;
    lines += readFileSync(join(dir, file), "utf8").split("\n").filter(Boolean).length;
  }
  return lines;
}

describe("chaos harness smoke on the node", () => {
  const env = stackEnv();
  const namespace = uniqueName("chaos-smoke");
  const runDir = join(stateDir, "chaos", namespace);
  const ledgerDir = join(runDir, "ledger");
  const kc = kubeConfig();
  const consumers = new PodConsumerFleet(kc);
  let admin: KafkaAdmin | undefined;
  let operator: OperatorRelease | undefined;
  let run: ScenarioRun | undefined;

  before(
    async () => {
      mkdirSync(ledgerDir, { recursive: true });
      // The consumer runs as an unprivileged user of its own; the ledger folder is a hostPath it writes to.
      chmodSync(ledgerDir, 0o777);
      await installCrd();
      await createNamespace(namespace);
      await applyYaml({
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "chaos-handler", namespace },
        data: { "ledger-handler.ts": readFileSync(new URL("../chaos/ledger-handler.ts", import.meta.url), "utf8") },
      });
      operator = await installOperator("lagpilot", namespace, [namespace]);
      admin = await withTimeout(
        connectAdmin({ bootstrapServers: [env.kafka.bootstrap] }),
        60_000,
        "Kafka's admin did not connect in 60 s",
      );
    },
    { timeout: 480_000 },
  );

  after(
    async () => {
      // Every step runs even when one before it fails, each within its own bound.
      const errors: unknown[] = [];
      const steps: [string, () => Promise<unknown> | undefined, number][] = [
        ["the scenario's teardown", () => run?.tearDown(), 120_000],
        ["helm uninstall", () => operator?.uninstall(), 150_000],
        ["closing Kafka's admin", () => admin?.close(), 30_000],
        ["deleting the namespace", () => deleteNamespace(namespace), 150_000],
      ];
      for (const [name, step, boundMs] of steps) {
        try {
          await withTimeout(Promise.resolve(step()), boundMs, `${name} did not end in ${boundMs / 1000} s`);
        } catch (error) {
          errors.push(error);
        }
      }
      rmSync(runDir, { recursive: true, force: true });
      // The last word: a handle still open a minute after this hook (a timed-out step still running) ends the
      // process as failed instead of keeping it, and the test run, alive.
      setTimeout(() => {
        process.stderr.write(`chaos-smoke: still open after its last hook: ${process.getActiveResourcesInfo()}\n`);
        process.exit(1);
      }, 60_000).unref();
      if (errors.length > 0) throw errors[0];
    },
    { timeout: 600_000 },
  );

  it("a consumer container SIGKILLed while handling is restarted by the kubelet; the ledger accounts for every record", {
    timeout: 600_000,
  }, async (t) => {
    const ctx: RunContext = {
      env,
      kubeConfig: kc,
      namespace,
      runDir,
      ledgerDir,
      handlerPath: `${HANDLER_DIR}/ledger-handler.ts`,
      consumerBootstrap: env.kafka.podBootstrap,
      template: {
        resources: { requests: { cpu: "50m", memory: "96Mi" }, limits: { memory: "256Mi" } },
        env: [{ name: "CHAOS_LEDGER_DIR", value: LEDGER_MOUNT }],
        volumes: [
          { name: "chaos-handler", configMap: { name: "chaos-handler" } },
          { name: "ledger", hostPath: { path: ledgerDir, type: "Directory" } },
        ],
        volumeMounts: [
          { name: "chaos-handler", mountPath: HANDLER_DIR, readOnly: true },
          { name: "ledger", mountPath: LEDGER_MOUNT },
        ],
      },
      consumers,
      admin: admin as KafkaAdmin,
      settings: {
        ratePerSecond: 1000,
        recordBytes: 100,
        partitions: 4,
        replicas: REPLICAS,
        tier: "Buffered",
        commitIntervalMs: 1000,
        sessionTimeoutMs: 10_000,
        handlerDeadlineMs: 5000,
        killRecords: RECORDS,
        kills: 1,
        freezeSeconds: 1,
        drainTimeoutSeconds: 180,
        startTimeoutSeconds: 240,
      },
      log: () => {},
    };
    run = new ScenarioRun(ctx, "smoke");
    await run.setUp();
    await run.startLoad(RECORDS);
    await run.at(3);
    const [victim] = await consumers.running(namespace, run.name);
    assert.ok(victim, "a consumer runs");
    // Killed while handling: its handler has written ledger lines of this load.
    await eventually(
      async () => assert.ok(ledgerLines(ledgerDir, victim.pod) > 0, "the victim handled nothing"),
      60_000,
      200,
    );
    const { pid } = await consumers.consumerPid(victim);
    await consumers.killProcess(victim);
    run.mark("SIGKILL", Date.now(), `${victim.pod} (pid ${pid})`);

    // The kubelet starts the container again in the same Pod (restartPolicy Always), and it is Ready again.
    const back = await eventually(
      async () => {
        const pod = (await consumers.pods(namespace, run?.name ?? "")).find((p) => p.metadata?.name === victim.pod);
        assert.ok(pod, `Pod ${victim.pod} is gone: its container was to be restarted, not the Pod replaced`);
        const status = consumerContainer(pod);
        assert.ok((status?.restartCount ?? 0) >= 1, `${victim.pod} was not restarted`);
        assert.ok(status?.state?.running && status.ready, `${victim.pod} is not running and Ready again`);
        return status;
      },
      180_000,
      1000,
    );
    // Restarted once: the new container waits for the broker to release the Pod's static membership (held for
    // the killed member until its session ends) instead of exiting and waiting out the kubelet's back-off.
    const last = back.lastState?.terminated;
    t.diagnostic(
      `${victim.pod}: ${back.restartCount} restarts, the last ended ${last?.reason} (exit ${last?.exitCode})`,
    );
    assert.equal(
      back.restartCount,
      1,
      `${victim.pod} was restarted more than once: the container after the kill exited`,
    );
    assert.equal(last?.exitCode, 137, "the container that ended is the one SIGKILLed");

    const outcome = await run.finish(0);
    assert.ok(outcome.drained, "the group committed every record");
    assert.equal(outcome.tally.inLog, RECORDS);
    assert.equal(outcome.tally.lost, 0, `lost: ${outcome.tally.lostSample.join(" ")}`);
    assert.equal(outcome.tally.distinct, RECORDS);
    assert.equal(outcome.tally.outside, 0);
    assert.ok(ledgerLines(ledgerDir, victim.pod) > 0);
    const running = await consumers.running(namespace, run.name);
    assert.equal(running.length, REPLICAS, "every consumer runs at the end");

    // The operator, a Pod of the chart's Deployment, never crashed meanwhile.
    const operatorPods = JSON.parse(
      await runTool("kubectl", [
        "-n",
        namespace,
        "get",
        "pods",
        "-l",
        "app.kubernetes.io/component=operator",
        "-o",
        "jsonpath={.items[*].status.containerStatuses[*].restartCount}",
      ]).then((counts) => `[${counts.trim().split(/\s+/).filter(Boolean).join(",")}]`),
    ) as number[];
    assert.ok(operatorPods.length > 0, "an operator Pod runs");
    assert.deepEqual(
      operatorPods.filter((count) => count > 0),
      [],
      "operator restarts",
    );
  });
});
