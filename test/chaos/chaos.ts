// `npm run chaos`: faults injected one scenario at a time into a group of consumers under steady load, with
// the operator running as two leader-elected replicas. Figures come from an independent ledger (what the
// handlers finished) compared with Kafka's log-end offsets. Prints a table and the goals (PASS/FAIL), writes
// test/bench/results/chaos.json, exits 1 when a goal fails.
//
// Flags: --messages N (records in the consumer-kill scenario; default 1000000), --rate N (records per second;
// 10000), --scenarios a,b (default all), --tier Standard|Buffered|Dedicated (Buffered), --kills N (10),
// --freeze-seconds N (60), --session-ms N (30000, the runtime's default), --keep-stack (leave a stack this
// run started).
import { appendFileSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import * as k8s from "@kubernetes/client-node";
import { connectAdmin } from "../../operator/src/kafka/admin.ts";
import { muteKafkajsTimerWarning } from "../../operator/src/kafka/kafkajs-timer-warning.ts";
import { logDir, repoRoot, stateDir } from "../env/layout.ts";
import { PodRunner } from "../env/pod-runner.ts";
import { provision } from "../env/provision.ts";
import { readStackEnv, stackIsHealthy, startStack, stopStack } from "../env/stack.ts";
import type { ChaosContext, ChaosSettings } from "./harness.ts";
import { LocalConsumerFleet } from "./local-consumers.ts";
import { LocalOperatorFleet } from "./local-operators.ts";
import { details, failoverTable, scenarioTable } from "./report.ts";
import { type ScenarioResult, scenarios } from "./scenarios.ts";

// This process talks to Kafka with kafkajs; its one known timer warning is noise (see the module).
muteKafkajsTimerWarning();

const { values: flags } = parseArgs({
  options: {
    messages: { type: "string", default: "1000000" },
    rate: { type: "string", default: "10000" },
    scenarios: { type: "string", default: Object.keys(scenarios).join(",") },
    tier: { type: "string", default: "Buffered" },
    kills: { type: "string", default: "10" },
    "freeze-seconds": { type: "string", default: "60" },
    "session-ms": { type: "string", default: "30000" },
    "keep-stack": { type: "boolean", default: false },
  },
});

function fail(message: string): never {
  console.error(`chaos: ${message}`);
  process.exit(2);
}

function positive(name: string, value: string | undefined, min = 1): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) fail(`--${name} ${value}: give a whole number, at least ${min}`);
  return n;
}

const chosen = (flags.scenarios ?? "").split(",").filter(Boolean);
for (const name of chosen) {
  if (!scenarios[name]) fail(`--scenarios: unknown ${name}; known: ${Object.keys(scenarios).join(", ")}`);
}
if (!["Standard", "Buffered", "Dedicated"].includes(flags.tier ?? ""))
  fail(`--tier ${flags.tier}: Standard, Buffered or Dedicated`);

const settings: ChaosSettings = {
  ratePerSecond: positive("rate", flags.rate, 100),
  recordBytes: 100,
  partitions: 12,
  replicas: 4,
  tier: flags.tier as ChaosSettings["tier"],
  commitIntervalMs: 1000,
  sessionTimeoutMs: positive("session-ms", flags["session-ms"], 6000),
  handlerDeadlineMs: 5000,
  killRecords: positive("messages", flags.messages, 1000),
  kills: positive("kills", flags.kills, 0),
  freezeSeconds: positive("freeze-seconds", flags["freeze-seconds"], 1),
  drainTimeoutSeconds: 240,
};

const cleanups: (() => Promise<unknown>)[] = [];
let cleaning: Promise<void> | undefined;
function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    for (const step of cleanups.reverse()) await step().catch(() => {});
  })();
  return cleaning;
}
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    console.error(`\nchaos: stopping (${signal})...`);
    void cleanup().then(() => process.exit(130));
  });
}

const log = (line: string) => console.error(line);

async function main() {
  if (!(await stackIsHealthy())) {
    log("chaos: starting the local stack");
    await stopStack(() => {});
    await startStack(await provision(log), log);
    if (!flags["keep-stack"]) cleanups.push(() => stopStack(() => {}));
  }
  const env = readStackEnv();
  if (!env) throw new Error("the local stack did not come up; see .lagpilot/logs");
  const kubeConfig = new k8s.KubeConfig();
  kubeConfig.loadFromFile(env.kubeconfig);
  const { installCrd, createNamespace, deleteNamespace } = await import("../support/cluster.ts");

  const id = `${Date.now().toString(36)}${Math.floor(Math.random() * 36 ** 3).toString(36)}`;
  const namespace = `chaos-${id}`;
  const runDir = join(stateDir, "chaos", id);
  const ledgerDir = join(runDir, "ledger");
  mkdirSync(ledgerDir, { recursive: true });
  mkdirSync(logDir, { recursive: true });
  cleanups.push(async () => rmSync(runDir, { recursive: true, force: true }));
  await installCrd();
  await createNamespace(namespace);
  cleanups.push(() => deleteNamespace(namespace));
  const admin = await connectAdmin({ bootstrapServers: [env.kafka.bootstrap] });
  cleanups.push(() => admin.close());

  const operatorLog = join(logDir, "chaos-operator.log");
  const podLog = join(logDir, "chaos-pods.log");
  writeFileSync(operatorLog, "");
  writeFileSync(podLog, "");
  // Test settings: a 2 s lease (so a 0.5 s retry), as controller tests elsewhere use.
  const operators = new LocalOperatorFleet({
    kubeConfig,
    kubeconfigPath: env.kubeconfig,
    namespaces: [namespace],
    leaseNamespace: namespace,
    leaseName: "lagpilot-chaos",
    leaseDurationSeconds: 2,
    replicas: 2,
    onLine: (name, line) => appendFileSync(operatorLog, `${name} ${line}\n`),
  });
  cleanups.push(() => operators.stop());
  await operators.start();

  const runner = new PodRunner({
    kubeConfig,
    namespaces: [namespace],
    mode: "process",
    env: { CHAOS_LEDGER_DIR: ledgerDir, CHAOS_SLOW_MS: String(settings.handlerDeadlineMs * 3) },
    onLog: (pod, line) => appendFileSync(podLog, `${pod} ${line}\n`),
  });
  await runner.start();
  cleanups.push(() => runner.stop());
  const consumers = new LocalConsumerFleet(kubeConfig, podLog);
  cleanups.push(() => consumers.close());

  const ctx: ChaosContext = {
    env,
    kubeConfig,
    namespace,
    runDir,
    ledgerDir,
    handlerPath: fileURLToPath(new URL("./ledger-handler.ts", import.meta.url)),
    consumers,
    operators,
    admin,
    settings,
    log,
  };
  log(`chaos: consumers are ${consumers.runsAs}`);
  log(`chaos: operators are ${operators.runsAs}`);
  log(
    `chaos: ${settings.replicas} consumers (${settings.tier}), ${settings.partitions} partitions, ${settings.ratePerSecond} records/s of ${settings.recordBytes} B, commit every ${settings.commitIntervalMs} ms, session ${settings.sessionTimeoutMs} ms`,
  );

  const results: ScenarioResult[] = [];
  for (const name of chosen) {
    log(`chaos: scenario ${name}`);
    const started = Date.now();
    try {
      const result = await (scenarios[name] as (c: ChaosContext) => Promise<ScenarioResult>)(ctx);
      results.push(result);
      log(`chaos: ${name} done in ${Math.round((Date.now() - started) / 1000)} s`);
    } catch (error) {
      log(`chaos: ${name} could not run: ${(error as Error).stack ?? error}`);
      results.push(failedToRun(name, String((error as Error).message ?? error)));
    }
  }

  const allPass = results.every((r) => r.goals.every((g) => g.pass));
  console.log("");
  console.log(`consumers: ${consumers.runsAs}`);
  console.log(`operators: ${operators.runsAs}`);
  console.log("");
  console.log(scenarioTable(results));
  const failover = failoverTable(results);
  if (failover) console.log(`\n${failover}`);
  console.log(`\n${details(results)}`);
  console.log(`\nchaos: ${allPass ? "PASS" : "FAIL"}`);
  const resultsDir = join(repoRoot, "test", "bench", "results");
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(
    join(resultsDir, "chaos.json"),
    `${JSON.stringify(
      {
        at: new Date().toISOString(),
        consumersRunAs: consumers.runsAs,
        operatorsRunAs: operators.runsAs,
        settings,
        pass: allPass,
        results: results.map((r) => ({ ...r, perFault: r.perFault })),
      },
      null,
      2,
    )}\n`,
  );
  console.log("wrote test/bench/results/chaos.json");
  await cleanup();
  process.exit(allPass ? 0 : 1);
}

function failedToRun(name: string, message: string): ScenarioResult {
  return {
    name,
    fault: "did not run to the end",
    inLog: 0,
    handled: 0,
    lost: 0,
    lostSample: [],
    lostByPartition: {},
    duplicates: 0,
    duplicateBound: 0,
    duplicateBoundText: "-",
    deadLettered: 0,
    drained: false,
    steadyRate: 0,
    backAtFullRateSeconds: 0,
    stalledSeconds: 0,
    perFault: [],
    timeline: [],
    operatorRestarts: 0,
    extra: {},
    goals: [{ name: "scenario ran", pass: false, detail: message }],
    notes: [],
  };
}

main().catch(async (error: Error) => {
  console.error(`chaos failed: ${error.stack ?? error.message}`);
  await cleanup();
  process.exit(1);
});
