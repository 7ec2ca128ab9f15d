// `npm run bench:operator`: how the operator copes with many KafkaConsumerGroups on the local stack.
// Creates N groups (default 500), each with one replica, and measures the time until all are Ready,
// reconciles per second, apiserver writes per reconcile and the operator's peak RSS. Pods are reported
// ready by the pod runner (no kubelet here), so the figures are the control plane's, not Kafka's.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import * as k8s from "@kubernetes/client-node";
import { API_VERSION, GROUP, KIND, PLURAL, VERSION } from "../../operator/src/api/group.ts";
import { connectAdmin } from "../../operator/src/kafka/admin.ts";
import { repoRoot } from "../env/layout.ts";
import { PodRunner } from "../env/pod-runner.ts";
import { provision } from "../env/provision.ts";
import { readStackEnv, stackIsHealthy, startStack, stopStack } from "../env/stack.ts";
import { createNamespace, deleteNamespace, installCrd } from "../support/cluster.ts";
import { startNodeProcess } from "../support/processes.ts";

const { values: flags } = parseArgs({
  options: {
    groups: { type: "string", default: "500" },
    concurrency: { type: "string", default: "16" },
    json: { type: "boolean", default: false },
  },
});
const groupCount = Number(flags.groups);

async function scrape(port: number): Promise<Map<string, number>> {
  const body = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const totals = new Map<string, number>();
  for (const line of body.split("\n")) {
    if (!line || line.startsWith("#")) continue;
    const name = line.split(/[{ ]/)[0] ?? "";
    totals.set(name, (totals.get(name) ?? 0) + Number(line.split(" ").pop()));
  }
  return totals;
}

function peakRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return Math.round(kb / 1024);
}

async function inBatches<T>(items: T[], size: number, work: (item: T) => Promise<unknown>) {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(work));
}

let stopping: (() => Promise<void>) | undefined;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    void (stopping?.() ?? Promise.resolve()).then(() => process.exit(130));
  });
}

async function main() {
  const startedStack = !(await stackIsHealthy());
  if (startedStack) await startStack(provision());
  const env = readStackEnv();
  if (!env) throw new Error("the local stack did not come up");
  const kubeConfig = new k8s.KubeConfig();
  kubeConfig.loadFromFile(env.kubeconfig);
  const namespace = `bench-op-${Date.now().toString(36)}`;
  const topic = `${namespace}-orders`;
  await installCrd();
  await createNamespace(namespace);
  const admin = await connectAdmin({ bootstrapServers: [env.kafka.bootstrap] });
  await admin.createTopic(topic, 6);
  await admin.close();

  const runner = new PodRunner({ kubeConfig, namespaces: [namespace], mode: "ready" });
  runner.start();
  const operator = startNodeProcess("operator/src/main.ts", {
    KUBECONFIG: env.kubeconfig,
    WATCH_NAMESPACES: namespace,
    METRICS_PORT: "0",
    LEADER_ELECTION: "false",
    RECONCILE_CONCURRENCY: flags.concurrency,
  });
  stopping = async () => {
    await operator.stop("SIGTERM");
    await runner.stop();
  };
  try {
    const port = (JSON.parse(await operator.waitForLine(/"operator starting"/)) as { metricsPort: number }).metricsPort;
    await operator.waitForLine(/"watches synced"/);
    const custom = kubeConfig.makeApiClient(k8s.CustomObjectsApi);
    const names = Array.from({ length: groupCount }, (_, i) => `g${String(i).padStart(4, "0")}`);
    const t0 = performance.now();
    await inBatches(names, 25, (name) =>
      custom.createNamespacedCustomObject({
        group: GROUP,
        version: VERSION,
        namespace,
        plural: PLURAL,
        body: {
          apiVersion: API_VERSION,
          kind: KIND,
          metadata: { name, namespace },
          spec: {
            kafka: { bootstrapServers: [env.kafka.bootstrap] },
            topics: [topic],
            processing: { handler: { builtin: { name: "noop" } } },
            replicas: 1,
          },
        },
      }),
    );
    const createdSeconds = (performance.now() - t0) / 1000;
    let ready = 0;
    const deadline = Date.now() + 15 * 60_000;
    while (Date.now() < deadline) {
      const list = (await custom.listNamespacedCustomObject({
        group: GROUP,
        version: VERSION,
        namespace,
        plural: PLURAL,
      })) as {
        items: { status?: { conditions?: { type: string; status: string }[] } }[];
      };
      ready = list.items.filter((g) =>
        g.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True"),
      ).length;
      if (!flags.json) process.stdout.write(`\rready ${ready}/${groupCount}`);
      if (ready === groupCount) break;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    const allReadySeconds = (performance.now() - t0) / 1000;
    const metrics = await scrape(port);
    const reconciles = metrics.get("lagpilot_reconcile_total") ?? 0;
    const writes = metrics.get("lagpilot_apiserver_writes_total") ?? 0;
    const result = {
      groups: groupCount,
      ready,
      createSeconds: Number(createdSeconds.toFixed(1)),
      allReadySeconds: Number(allReadySeconds.toFixed(1)),
      reconciles,
      reconcilesPerSecond: Number((reconciles / allReadySeconds).toFixed(1)),
      writesPerReconcile: Number((writes / Math.max(1, reconciles)).toFixed(2)),
      reconcileErrors: metrics.get("lagpilot_reconcile_errors_total") ?? 0,
      operatorPeakRssMb: peakRssMb(operator.child.pid ?? 0),
    };
    const resultsDir = join(repoRoot, "test", "bench", "results");
    mkdirSync(resultsDir, { recursive: true });
    writeFileSync(join(resultsDir, "operator.json"), `${JSON.stringify(result, null, 2)}\n`);
    if (flags.json) {
      console.log(JSON.stringify(result));
    } else {
      console.log("\n\n| measure | value |\n|---|---|");
      for (const [key, value] of Object.entries(result)) console.log(`| ${key} | ${value} |`);
      console.log(`\nwrote test/bench/results/operator.json`);
    }
    if (ready !== groupCount) process.exitCode = 1;
  } finally {
    await operator.stop("SIGTERM");
    writeFileSync(join(repoRoot, ".lagpilot", "logs", "bench-operator.log"), `${operator.lines.join("\n")}\n`);
    await runner.stop();
    await deleteNamespace(namespace);
    if (startedStack) await stopStack();
  }
}

main().catch((error: Error) => {
  console.error(`bench:operator failed: ${error.message}`);
  process.exit(1);
});
