// `npm run bench:operator [-- --groups 100,500,1000]`: how the operator copes with many KafkaConsumerGroups on the
// local stack. For each size, a fresh operator and namespace; N groups of one replica each are created at once,
// then it measures the time until all are Ready, reconciles per second, apiserver requests (reads and writes) per
// reconcile, the same for the reconciles of a quiet minute after that (steady state: nothing changes, so every
// reconcile should send nothing), and the operator's peak RSS.
// What stands in for the consumer Pods (ready-pods.ts): no container runs; a watch in the bench marks each Pod the
// ReplicaSet controller creates Ready in its status, and no consumer joins Kafka. The figures are the control
// plane's (operator, apiserver, controllers), not Kafka's or a node's.
// `--profile DIR` writes the operator's CPU and heap profiles there (node --cpu-prof --heap-prof);
// `--heap-snapshot DIR` writes a heap snapshot there at the end of the steady state (after the RSS is read);
// `--node-options "..."` adds node options to the image's (the table says which ran).
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import * as k8s from "@kubernetes/client-node";
import { API_VERSION, GROUP, KIND, PLURAL, VERSION } from "../../operator/src/api/group.ts";
import { connectAdmin } from "../../operator/src/kafka/admin.ts";
import { repoRoot } from "../env/layout.ts";
import { provision } from "../env/provision.ts";
import { readStackEnv, stackIsHealthy, startStack, stopStack } from "../env/stack.ts";
import { createNamespace, deleteNamespace, installCrd } from "../support/cluster.ts";
import { startNodeProcess } from "../support/processes.ts";
import { ReadyGroups, type StepName, type StepSeconds } from "./ready-groups.ts";
import { READY_PODS_STAND_IN, ReadyPods } from "./ready-pods.ts";

const { values: flags } = parseArgs({
  options: {
    groups: { type: "string", default: "100,500,1000" },
    concurrency: { type: "string", default: "16" },
    "steady-seconds": { type: "string", default: "60" },
    json: { type: "boolean", default: false },
    profile: { type: "string" },
    "heap-snapshot": { type: "string" },
    /** Node options added to the image's, to measure a candidate setting before it ships. */
    "node-options": { type: "string", default: "" },
  },
});
const sizes = flags.groups.split(",").map(Number);
const steadySeconds = Number(flags["steady-seconds"]);

/** The node options of the operator image's ENTRYPOINT: the operator is measured as it ships. */
function imageNodeOptions(): string[] {
  const dockerfile = readFileSync(join(repoRoot, "operator", "Dockerfile"), "utf8");
  const entrypoint = /^ENTRYPOINT\s+(\[.*\])\s*$/m.exec(dockerfile)?.[1];
  const argv = entrypoint ? (JSON.parse(entrypoint) as string[]) : [];
  return argv.slice(1, -1);
}
const nodeOptions = [...imageNodeOptions(), ...flags["node-options"].split(" ").filter(Boolean)];

const READ_VERBS = ["get", "list"];
const WRITE_VERBS = ["create", "update", "patch", "delete", "deletecollection"];

async function scrape(port: number): Promise<Map<string, number>> {
  const body = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const totals = new Map<string, number>();
  for (const line of body.split("\n")) {
    if (!line || line.startsWith("#")) continue;
    const value = Number(line.split(" ").pop());
    const name = line.split(/[{ ]/)[0] ?? "";
    totals.set(name, (totals.get(name) ?? 0) + value);
    const verb = /^lagpilot_apiserver_requests_total\{verb="([a-z]+)"\}/.exec(line)?.[1];
    if (verb) totals.set(`verb:${verb}`, value);
  }
  return totals;
}

const sum = (metrics: Map<string, number>, verbs: string[]) =>
  verbs.reduce((total, verb) => total + (metrics.get(`verb:${verb}`) ?? 0), 0);

function peakRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return Math.round(kb / 1024);
}

/** Asks the operator for a heap snapshot (SIGUSR2) and waits, bounded, until its file stops growing. */
async function heapSnapshot(pid: number, dir: string): Promise<void> {
  const sizes = () =>
    readdirSync(dir)
      .filter((f) => f.endsWith(".heapsnapshot"))
      .map((f) => `${f}:${statSync(join(dir, f)).size}`)
      .join(",");
  const before = sizes();
  process.kill(pid, "SIGUSR2");
  const deadline = Date.now() + 180_000;
  let last = before;
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const now = sizes();
    if (now !== before && now === last) return;
    last = now;
  }
}

async function inBatches<T>(items: T[], size: number, work: (item: T) => Promise<unknown>) {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(work));
}

const perStep = ({ median, p95 }: StepSeconds) => `${median} / ${p95}`;

const perReconcile = (count: number, reconciles: number) => Number((count / Math.max(1, reconciles)).toFixed(2));

let stopping: (() => Promise<void>) | undefined;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    void (stopping?.() ?? Promise.resolve()).then(() => process.exit(130));
  });
}

interface SizeResult {
  groups: number;
  ready: number;
  createSeconds: number;
  allReadySeconds: number;
  reconciles: number;
  reconcilesPerSecond: number;
  readsPerReconcile: number;
  writesPerReconcile: number;
  steadyReconciles: number;
  steadyReadsPerReconcile: number;
  steadyWritesPerReconcile: number;
  /** Mean seconds per reconcile until all were Ready, and per Kafka poll (part of a reconcile). */
  reconcileSecondsMean: number;
  kafkaPollSecondsMean: number;
  reconcileErrors: number;
  podStatusWriteFailures: number;
  operatorPeakRssMb: number;
}

/** Seconds per group between steps on its way to Ready: "median / 95th percentile". */
type SizeReport = SizeResult & Record<StepName, string>;

async function runSize(kubeConfig: k8s.KubeConfig, bootstrap: string, kubeconfigPath: string, count: number) {
  const namespace = `bench-op-${count}-${Date.now().toString(36)}`;
  const topic = `${namespace}-orders`;
  await createNamespace(namespace);
  const admin = await connectAdmin({ bootstrapServers: [bootstrap] });
  await admin.createTopic(topic, 6);
  await admin.close();
  const pods = new ReadyPods(kubeConfig, namespace);
  await pods.start();
  const readyGroups = new ReadyGroups(kubeConfig, namespace);
  await readyGroups.start();
  if (flags.profile) mkdirSync(flags.profile, { recursive: true });
  const snapshotDir = flags["heap-snapshot"];
  if (snapshotDir) mkdirSync(snapshotDir, { recursive: true });
  const operator = startNodeProcess("operator/src/main.ts", {
    KUBECONFIG: kubeconfigPath,
    WATCH_NAMESPACES: namespace,
    METRICS_PORT: "0",
    LEADER_ELECTION: "false",
    RECONCILE_CONCURRENCY: flags.concurrency,
    NODE_OPTIONS: [
      ...nodeOptions,
      ...(flags.profile
        ? ["--cpu-prof", "--heap-prof", `--cpu-prof-dir=${flags.profile}`, `--heap-prof-dir=${flags.profile}`]
        : []),
      ...(snapshotDir ? ["--heapsnapshot-signal=SIGUSR2", `--diagnostic-dir=${snapshotDir}`] : []),
    ].join(" "),
  });
  stopping = async () => {
    await operator.stop("SIGTERM");
    pods.stop();
    readyGroups.stop();
  };
  try {
    const port = (JSON.parse(await operator.waitForLine(/"operator starting"/, 180_000)) as { metricsPort: number })
      .metricsPort;
    await operator.waitForLine(/"watches synced"/, 180_000);
    const custom = kubeConfig.makeApiClient(k8s.CustomObjectsApi);
    const names = Array.from({ length: count }, (_, i) => `g${String(i).padStart(4, "0")}`);
    const before = await scrape(port);
    const t0 = performance.now();
    await inBatches(names, 25, async (name) => {
      await custom.createNamespacedCustomObject({
        group: GROUP,
        version: VERSION,
        namespace,
        plural: PLURAL,
        body: {
          apiVersion: API_VERSION,
          kind: KIND,
          metadata: { name, namespace },
          spec: {
            kafka: { bootstrapServers: [bootstrap] },
            topics: [topic],
            processing: { handler: { builtin: { name: "noop" } } },
            replicas: 1,
          },
        },
      });
      readyGroups.created(name, performance.now());
    });
    const createdSeconds = (performance.now() - t0) / 1000;
    let ready = 0;
    const deadline = Date.now() + 15 * 60_000;
    while (Date.now() < deadline) {
      ready = readyGroups.ready;
      if (!flags.json) process.stdout.write(`\r${count} groups: ready ${ready}/${count}   `);
      if (ready === count) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const allReadySeconds = (performance.now() - t0) / 1000;
    const atReady = await scrape(port);
    // Steady state: nothing changes; groups are reconciled on their poll interval (15 s) and owned objects'
    // status changes, and each such reconcile should send nothing to the apiserver.
    if (!flags.json) process.stdout.write(`\r${count} groups: ready; ${steadySeconds}s of steady state...   `);
    await new Promise((resolve) => setTimeout(resolve, steadySeconds * 1000));
    const after = await scrape(port);
    const delta = (a: Map<string, number>, b: Map<string, number>, name: string) =>
      (b.get(name) ?? 0) - (a.get(name) ?? 0);
    const reconciles = delta(before, atReady, "lagpilot_reconcile_total");
    const mean = (a: Map<string, number>, b: Map<string, number>, histogram: string) =>
      Number((delta(a, b, `${histogram}_sum`) / Math.max(1, delta(a, b, `${histogram}_count`))).toFixed(3));
    const steadyReconciles = delta(atReady, after, "lagpilot_reconcile_total");
    const result: SizeResult = {
      groups: count,
      ready,
      createSeconds: Number(createdSeconds.toFixed(1)),
      allReadySeconds: Number(allReadySeconds.toFixed(1)),
      reconciles,
      reconcilesPerSecond: Number((reconciles / allReadySeconds).toFixed(1)),
      readsPerReconcile: perReconcile(sum(atReady, READ_VERBS) - sum(before, READ_VERBS), reconciles),
      writesPerReconcile: perReconcile(sum(atReady, WRITE_VERBS) - sum(before, WRITE_VERBS), reconciles),
      steadyReconciles,
      steadyReadsPerReconcile: perReconcile(sum(after, READ_VERBS) - sum(atReady, READ_VERBS), steadyReconciles),
      steadyWritesPerReconcile: perReconcile(sum(after, WRITE_VERBS) - sum(atReady, WRITE_VERBS), steadyReconciles),
      reconcileSecondsMean: mean(before, atReady, "lagpilot_reconcile_duration_seconds"),
      kafkaPollSecondsMean: mean(before, atReady, "lagpilot_kafka_admin_duration_seconds"),
      reconcileErrors: after.get("lagpilot_reconcile_errors_total") ?? 0,
      podStatusWriteFailures: pods.failures,
      operatorPeakRssMb: peakRssMb(operator.child.pid ?? 0),
    };
    const steps = readyGroups.steps();
    const report: SizeReport = {
      ...result,
      createdToFirstStatus: perStep(steps.createdToFirstStatus),
      createdToDeployment: perStep(steps.createdToDeployment),
      deploymentToDeploymentReady: perStep(steps.deploymentToDeploymentReady),
      deploymentReadyToReady: perStep(steps.deploymentReadyToReady),
    };
    if (snapshotDir) await heapSnapshot(operator.child.pid ?? 0, snapshotDir);
    return report;
  } finally {
    await operator.stop("SIGTERM");
    writeFileSync(join(repoRoot, ".lagpilot", "logs", `bench-operator-${count}.log`), `${operator.lines.join("\n")}\n`);
    pods.stop();
    readyGroups.stop();
    await deleteNamespace(namespace);
  }
}

async function main() {
  const startedStack = !(await stackIsHealthy());
  if (startedStack) await startStack(await provision());
  const env = readStackEnv();
  if (!env) throw new Error("the local stack did not come up");
  const kubeConfig = new k8s.KubeConfig();
  kubeConfig.loadFromFile(env.kubeconfig);
  await installCrd();
  const results: SizeReport[] = [];
  try {
    for (const count of sizes) results.push(await runSize(kubeConfig, env.kafka.bootstrap, env.kubeconfig, count));
  } finally {
    if (startedStack) await stopStack();
  }
  const resultsDir = join(repoRoot, "test", "bench", "results");
  mkdirSync(resultsDir, { recursive: true });
  const report = {
    podStandIn: READY_PODS_STAND_IN,
    operatorNodeOptions: nodeOptions.join(" "),
    reconcileConcurrency: Number(flags.concurrency),
    steadySeconds,
    results,
  };
  writeFileSync(join(resultsDir, "operator.json"), `${JSON.stringify(report, null, 2)}\n`);
  if (flags.json) {
    console.log(JSON.stringify(report));
  } else {
    const keys = Object.keys(results[0] ?? {}) as (keyof SizeReport)[];
    console.log(`\n\nPods: ${report.podStandIn}.`);
    const as = flags["node-options"] ? "the image's options and --node-options" : "as its image starts it";
    console.log(`Operator: node ${nodeOptions.join(" ")} operator/src/main.ts (${as}).\n`);
    console.log(`| measure | ${results.map((r) => `${r.groups} groups`).join(" | ")} |`);
    console.log(`|---|${results.map(() => "---").join("|")}|`);
    for (const key of keys.slice(1)) console.log(`| ${key} | ${results.map((r) => r[key]).join(" | ")} |`);
    console.log("\nwrote test/bench/results/operator.json");
  }
  if (results.some((r) => r.ready !== r.groups)) process.exitCode = 1;
}

main().catch((error: Error) => {
  console.error(`bench:operator failed: ${error.message}`);
  process.exit(1);
});
