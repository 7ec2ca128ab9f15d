// `npm run fuzz`: at least 10,000 generated KafkaConsumerGroups through the real apiserver (server-side dry
// run) and a sample of the accepted ones through the real operator. Prints the figures and goals, writes
// test/bench/results/chaos-fuzz.json, exits 1 when a goal fails.
// Flags: --count N (10000), --real N (accepted objects created for real; 300), --seed N (1), --concurrency N (8).
import { appendFileSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import * as k8s from "@kubernetes/client-node";
import { muteKafkajsTimerWarning } from "../../../operator/src/kafka/kafkajs-timer-warning.ts";
import { logDir, repoRoot } from "../../env/layout.ts";
import { PodRunner } from "../../env/pod-runner.ts";
import { provision } from "../../env/provision.ts";
import { readStackEnv, stackIsHealthy, startStack, stopStack } from "../../env/stack.ts";
import { LocalOperatorFleet } from "../local-operators.ts";
import { runFuzz } from "./run-fuzz.ts";

// This process talks to Kafka with kafkajs; its one known timer warning is noise (see the module).
muteKafkajsTimerWarning();

const { values: flags } = parseArgs({
  options: {
    count: { type: "string", default: "10000" },
    real: { type: "string", default: "300" },
    seed: { type: "string", default: "1" },
    concurrency: { type: "string", default: "8" },
  },
});

function whole(name: string, value: string | undefined, min: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) {
    console.error(`fuzz: --${name} ${value}: give a whole number, at least ${min}`);
    process.exit(2);
  }
  return n;
}

const count = whole("count", flags.count, 1);
const real = whole("real", flags.real, 0);
const seed = whole("seed", flags.seed, 0);
const concurrency = whole("concurrency", flags.concurrency, 1);
const log = (line: string) => console.error(line);
const cleanups: (() => Promise<unknown>)[] = [];
async function cleanup() {
  for (const step of cleanups.reverse()) await step().catch(() => {});
}
for (const signal of ["SIGINT", "SIGTERM"] as const)
  process.once(signal, () => void cleanup().then(() => process.exit(130)));

async function main() {
  if (!(await stackIsHealthy())) {
    log("fuzz: starting the local stack");
    await stopStack(() => {});
    await startStack(await provision(log), log);
    cleanups.push(() => stopStack(() => {}));
  }
  const env = readStackEnv();
  if (!env) throw new Error("the local stack did not come up; see .lagpilot/logs");
  const kubeConfig = new k8s.KubeConfig();
  kubeConfig.loadFromFile(env.kubeconfig);
  const { installCrd, createNamespace, deleteNamespace } = await import("../../support/cluster.ts");
  await installCrd();
  const namespace = `fuzz-${Date.now().toString(36)}`;
  await createNamespace(namespace);
  cleanups.push(() => deleteNamespace(namespace));
  mkdirSync(logDir, { recursive: true });
  const operatorLog = join(logDir, "fuzz-operator.log");
  writeFileSync(operatorLog, "");
  const operators = new LocalOperatorFleet({
    kubeConfig,
    kubeconfigPath: env.kubeconfig,
    namespaces: [namespace],
    leaseNamespace: namespace,
    leaseName: "lagpilot-fuzz",
    leaseDurationSeconds: 15,
    replicas: 1,
    onLine: (name, line) => appendFileSync(operatorLog, `${name} ${line}\n`),
  });
  cleanups.push(() => operators.stop());
  await operators.start();
  // Pods report ready without running anything: this run is about the API and the operator, not consumers.
  const runner = new PodRunner({ kubeConfig, namespaces: [namespace], mode: "ready" });
  await runner.start();
  cleanups.push(() => runner.stop());

  const summary = await runFuzz({
    env,
    kubeConfig,
    namespace,
    count,
    real,
    seed,
    concurrency,
    readyGraceSeconds: 60,
    operatorCrashes: () => operators.unexpectedExits(),
    log,
  });
  const pass = summary.goals.every((g) => g.pass);
  console.log("");
  console.log(
    `generated ${summary.generated} (seed ${summary.seed}): accepted ${summary.accepted}, rejected ${summary.rejected} by the apiserver (dry run, ${summary.dryRunSeconds.toFixed(0)} s)`,
  );
  console.log(
    `rejections naming the mutated field itself: ${summary.rejectionsNamingTheMutatedField} of ${summary.rejected}`,
  );
  console.log("mutation kind        accepted  rejected");
  for (const [kind, n] of Object.entries(summary.byKind).sort()) {
    console.log(`${kind.padEnd(20)} ${String(n.accepted).padStart(8)}  ${String(n.rejected).padStart(8)}`);
  }
  console.log(
    `created for real: ${summary.real.created}; Ready ${summary.real.ready}; a named condition ${summary.real.namedCondition}; none ${summary.real.noCondition.length} (${summary.realSeconds.toFixed(0)} s)`,
  );
  for (const [outcome, n] of Object.entries(summary.real.outcomes).sort((a, b) => b[1] - a[1])) {
    console.log(`  ${String(n).padStart(5)}  ${outcome}`);
  }
  for (const s of summary.real.paddedAccepted.slice(0, 5)) console.log(`  padded value accepted and Ready: ${s.path}`);
  for (const r of summary.rejectionsNamingNoField.slice(0, 5))
    console.log(`  rejection naming no field: ${r.path} ${r.kind}: ${r.message.slice(0, 200)}`);
  for (const s of summary.real.cutMessages.slice(0, 5))
    console.log(`  cut message: ${s.path} ${s.kind}: ${s.message.slice(0, 240)}`);
  for (const g of summary.goals) console.log(`${g.pass ? "PASS" : "FAIL"}  ${g.name}: ${g.detail}`);
  console.log(`\nfuzz: ${pass ? "PASS" : "FAIL"}`);
  const resultsDir = join(repoRoot, "test", "bench", "results");
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(
    join(resultsDir, "chaos-fuzz.json"),
    `${JSON.stringify({ at: new Date().toISOString(), pass, ...summary }, null, 2)}\n`,
  );
  console.log("wrote test/bench/results/chaos-fuzz.json");
  await cleanup();
  process.exit(pass ? 0 : 1);
}

main().catch(async (error: Error) => {
  console.error(`fuzz failed: ${error.stack ?? error.message}`);
  await cleanup();
  process.exit(1);
});
