// `npm run demo`: Lagpilot working on one machine. Starts the local stack and the operator, installs the CRD,
// applies a KafkaConsumerGroup, drives a load pattern and shows the group live, with the chart's alerts as the
// stack's Prometheus raises and resolves them; at the end it checks that every produced message was processed at
// least once. Ctrl-C stops everything it started.
import { spawnSync } from "node:child_process";
import { appendFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import * as k8s from "@kubernetes/client-node";
import { API_VERSION, GROUP, KIND, PLURAL, VERSION } from "../../../operator/src/api/group.ts";
import { connectAdmin } from "../../../operator/src/kafka/admin.ts";
import { kafkaClient } from "../../../operator/src/kafka/connection.ts";
import { startNodeProcess } from "../../support/processes.ts";
import { logDir, stateDir } from "../layout.ts";
import { PodRunner } from "../pod-runner.ts";
import { type AlertSpan, activeAlerts, alertFiring, trackAlerts } from "../prometheus/alerts.ts";
import { registerScrapeTarget } from "../prometheus/targets.ts";
import { provision } from "../provision.ts";
import { readStackEnv, readStackState, stackIsHealthy, startStack, stopStack } from "../stack.ts";
import { plans, type Scenario, scenarios, workMs } from "./load.ts";
import { Timeline } from "./timeline.ts";
import { header, row, type Snapshot } from "./view.ts";

const { values: flags } = parseArgs({
  options: {
    duration: { type: "string", default: "120" },
    scenario: { type: "string", default: "burst" },
    tier: { type: "string", default: "Buffered" },
    settle: { type: "string", default: "0" },
    logs: { type: "string", default: "demo" },
    "existing-stack": { type: "boolean", default: false },
    json: { type: "boolean", default: false },
    // Start the load (and the run's clock) once the first consumer is ready, at most two minutes on: a Pod that
    // starts slowly on a busy machine then does not eat into the run.
    "ready-first": { type: "boolean", default: false },
  },
});

function fail(message: string): never {
  console.error(`demo: ${message}`);
  process.exit(2);
}

const duration = Number(flags.duration);
if (!Number.isFinite(duration) || duration < 10)
  fail(`--duration ${flags.duration}: give a number of seconds, at least 10`);
if (!scenarios.includes(flags.scenario as Scenario))
  fail(`--scenario ${flags.scenario}: one of ${scenarios.join(", ")}`);
if (!["Standard", "Buffered", "Dedicated"].includes(flags.tier ?? ""))
  fail(`--tier ${flags.tier}: Standard, Buffered or Dedicated`);
// After the load and the drain, keep watching this long for replicas to come back to the minimum.
const settle = Number(flags.settle);
if (!Number.isFinite(settle) || settle < 0) fail(`--settle ${flags.settle}: give a number of seconds, 0 or more`);
// Logs go to .lagpilot/logs/<logs>-operator.log and <logs>-pods.log, so demos can run side by side.
const logName = flags.logs ?? "demo";
if (!/^[a-z0-9][a-z0-9-]{0,40}$/.test(logName)) fail(`--logs ${flags.logs}: lowercase letters, digits and dashes`);
const scenario = flags.scenario as Scenario;
const plan = plans[scenario];
const tty = process.stdout.isTTY && !flags.json;
const say = (line: string) => {
  if (!flags.json) console.log(line);
  else process.stderr.write(`${line}\n`);
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
    say(`\ndemo: stopping (${signal})...`);
    void cleanup().then(() => process.exit(130));
  });
}

async function main() {
  // 1. The local stack: re-used when up, else provisioned (first time: a long build) and started. Starting one
  // wipes the stack's data, so never while a stack's processes are still running (it may just be slow).
  if (!(await stackIsHealthy())) {
    const running = readStackState()?.processes.filter((p) => processAlive(p.pid)) ?? [];
    if (flags["existing-stack"] || running.length > 0) {
      fail(
        running.length > 0
          ? "the local stack's processes run but it does not answer (Kafka port or apiserver /readyz); see .lagpilot/logs, or `npm run env:down` and retry"
          : "--existing-stack: the local stack is not up; start it with `npm run env:up`",
      );
    }
    say("demo: starting the local stack (first run builds Kubernetes from source: about 10 minutes)");
    await startStack(await provision(say), say);
    cleanups.push(() => stopStack(() => {}));
  }
  const env = readStackEnv();
  if (!env) throw new Error("the local stack did not come up; see .lagpilot/logs");
  const kubeConfig = new k8s.KubeConfig();
  kubeConfig.loadFromFile(env.kubeconfig);
  const { installCrd, createNamespace, deleteNamespace } = await import("../../support/cluster.ts");

  // 2. CRD, namespace, topic.
  const namespace = `lagpilot-demo-${Date.now().toString(36)}${Math.floor(Math.random() * 36 ** 3).toString(36)}`;
  const topic = `${namespace}-orders`;
  await installCrd();
  await createNamespace(namespace);
  cleanups.push(() => deleteNamespace(namespace));
  const admin = await connectAdmin({ bootstrapServers: [env.kafka.bootstrap] });
  cleanups.push(() => admin.close());
  // A broker that just started may not host a new topic's partitions yet: creating it again is safe.
  for (let attempt = 0; ; attempt++) {
    try {
      await admin.createTopic(topic, plan.partitions);
      break;
    } catch (error) {
      // kafkajs wraps the broker's answer once its own retries ran out, so the error's kind is not telling.
      if (attempt >= 20) throw error;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
  // A new topic's leaders can take a moment to be known everywhere on a busy broker.
  for (let attempt = 0; ; attempt++) {
    try {
      if ((await admin.logOffsets([topic])).length === plan.partitions) break;
    } catch (error) {
      if (attempt > 100) throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const partitionsBefore = plan.partitions;

  // 3. The operator, and the pod runner that runs a consumer-runtime for each Pod it creates.
  const startOperator = () =>
    startNodeProcess("operator/src/main.ts", {
      KUBECONFIG: env.kubeconfig,
      WATCH_NAMESPACES: namespace,
      METRICS_PORT: "0",
      LEADER_ELECTION: "false",
    });
  let operator = startOperator();
  const operatorLines: string[] = [];
  // The stack's Prometheus scrapes the operator as it would the chart's operator Pod.
  let unregisterOperator = () => {};
  const scrapeOperator = async () => {
    const line = await operator.waitForLine(/"operator starting"/, 60_000);
    const { metricsPort } = JSON.parse(line) as { metricsPort: number };
    unregisterOperator();
    unregisterOperator = registerScrapeTarget({
      id: `operator-${namespace}`,
      address: `127.0.0.1:${metricsPort}`,
      job: "lagpilot-operator",
      labels: { namespace, pod: `lagpilot-operator-${namespace}` },
    });
  };
  cleanups.push(async () => {
    unregisterOperator();
    await operator.stop("SIGTERM");
    writeFileSync(join(logDir, `${logName}-operator.log`), `${[...operatorLines, ...operator.lines].join("\n")}\n`);
  });
  await scrapeOperator();
  await operator.waitForLine(/"watches synced"/, 60_000);
  // A restart as a rollout or a failover does it: what the operator remembered is gone.
  const restartOperator = async () => {
    await operator.stop("SIGTERM");
    operatorLines.push(...operator.lines);
    operator = startOperator();
    await scrapeOperator();
    await operator.waitForLine(/"watches synced"/, 60_000);
  };
  const recordDir = join(stateDir, "demo", namespace);
  const podLog = join(logDir, `${logName}-pods.log`);
  writeFileSync(podLog, "");
  const stuckFile = join(recordDir, "partition-0-stuck");
  mkdirSync(recordDir, { recursive: true });
  cleanups.push(async () => rmSync(recordDir, { recursive: true, force: true }));
  const runner = new PodRunner({
    kubeConfig,
    namespaces: [namespace],
    mode: "process",
    env: { DEMO_WORK_MS: String(workMs), DEMO_RECORD_DIR: recordDir, DEMO_STUCK_FILE: stuckFile },
    onLog: (pod, line) => appendFileSync(podLog, `${pod} ${line}\n`),
  });
  await runner.start();
  cleanups.push(() => runner.stop());

  // 4. The KafkaConsumerGroup: lag target 10 s, autoscaling 1..6, partition growth for that scenario. Its alerts
  // fire after 5 s over a threshold rather than the default 5 minutes, so a run of two minutes shows them.
  const lagTargetSeconds = 10;
  const alertForSeconds = 5;
  const minReplicas = plan.minReplicas ?? 1;
  const maxReplicas = 6;
  const handlerPath = fileURLToPath(new URL("./recording-handler.ts", import.meta.url));
  const custom = kubeConfig.makeApiClient(k8s.CustomObjectsApi);
  await custom.createNamespacedCustomObject({
    group: GROUP,
    version: VERSION,
    namespace,
    plural: PLURAL,
    body: {
      apiVersion: API_VERSION,
      kind: KIND,
      metadata: { name: "orders", namespace },
      spec: {
        kafka: { bootstrapServers: [env.kafka.bootstrap] },
        topics: [topic],
        startFrom: "earliest",
        tier: flags.tier,
        ...(flags.tier === "Standard" ? {} : { batch: { size: 50, maxWaitMs: 50 } }),
        processing: { handler: { module: { path: handlerPath } } },
        lag: { maxSeconds: lagTargetSeconds },
        alerts: { forSeconds: alertForSeconds },
        autoscaling: {
          enabled: true,
          minReplicas,
          maxReplicas,
          ...(plan.cooldownSeconds === undefined ? {} : { cooldownSeconds: plan.cooldownSeconds }),
          pollIntervalSeconds: 3,
          scaleDown: { stabilizationSeconds: 30 },
          // A short confirmation window, so partitions can grow within a run of a few minutes.
          partitions: plan.partitionGrowth
            ? { enabled: true, max: 8, minIntervalSeconds: 30, stabilizationSeconds: 20 }
            : { enabled: false },
        },
      },
    },
  });
  say(`demo: KafkaConsumerGroup ${namespace}/orders applied; consumer logs in ${podLog}; watch it alongside with:`);
  say(`      KUBECONFIG=${env.kubeconfig} ${env.binDir}/kubectl get kcg -n ${namespace} -w`);
  say(`      and ask it why it scaled: PATH=${env.binDir}:$PATH kubectl lagpilot explain orders -n ${namespace}`);

  const readStatus = async () => {
    const group = (await custom.getNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      namespace,
      plural: PLURAL,
      name: "orders",
    })) as {
      status?: Record<string, unknown> & {
        conditions?: { type: string; status: string; reason: string }[];
        autoscaling?: { decisions?: unknown[]; learned?: unknown };
      };
    };
    return group.status ?? {};
  };

  // 5. Load, live view.
  if (flags["ready-first"]) {
    const readyBy = Date.now() + 120_000;
    while (Date.now() < readyBy) {
      const status = await readStatus().catch(() => undefined);
      if (Number(status?.readyReplicas ?? 0) >= 1) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    say("demo: first consumer ready, starting the load");
  }
  // Producers learn about added partitions when they refresh metadata (default: every 5 minutes).
  const producer = kafkaClient({ bootstrapServers: [env.kafka.bootstrap] }).producer({ metadataMaxAge: 5000 });
  await producer.connect();
  cleanups.push(() => producer.disconnect());
  let produced = 0;
  let sequence = 0;
  const started = Date.now();
  const elapsed = () => (Date.now() - started) / 1000;
  const peaks = { lag: 0, lagSeconds: 0, replicas: 0 };
  let producing = true;
  let failingSince: number | undefined;
  const sendFailureLimitMs = 60_000;
  let restart: { atSeconds: number; atMs: number; learnedBefore: unknown; restored?: unknown } | undefined;
  let restartCheckedAt = 0;
  // Set by the live view: when the group, having run, was first seen at zero replicas.
  let zeroSeenAt: number | undefined;
  let afterZeroFrom: number | undefined;
  let loadEnded = false;
  const afterZero = plan.afterZero;
  const loadLoop = (async () => {
    while (producing) {
      const t = elapsed();
      if (afterZero && afterZeroFrom === undefined && zeroSeenAt !== undefined && t >= duration * afterZero.notBefore)
        afterZeroFrom = t;
      const activating =
        afterZero !== undefined && afterZeroFrom !== undefined && t < afterZeroFrom + afterZero.seconds;
      const awaitingZero = afterZero !== undefined && afterZeroFrom === undefined && t < duration + 60;
      if (t >= duration && !activating && !awaitingZero) break;
      if (plan.restartOperatorAt !== undefined && restart === undefined && t >= duration * plan.restartOperatorAt) {
        if (t - restartCheckedAt >= 1) {
          restartCheckedAt = t;
          const learned = (await readStatus().catch(() => undefined))?.autoscaling?.learned as
            | { throughputPerReplica?: number }
            | undefined;
          if (learned?.throughputPerReplica !== undefined || t >= duration * 0.7) {
            restart = { atSeconds: Math.round(elapsed() * 10) / 10, atMs: Date.now(), learnedBefore: learned ?? null };
            say(`demo: restarting the operator at ${restart.atSeconds}s`);
            await restartOperator();
            // What the new operator says it restored from status, if it does within a while.
            const restarted = restart;
            void operator
              .waitForLine(/"restored learned scaling state"/, 60_000)
              .then((line) => {
                restarted.restored = JSON.parse(line);
              })
              .catch(() => {});
          }
        }
      }
      if (plan.stuck) {
        const stuckNow = t >= duration * plan.stuck.from && t < duration * plan.stuck.to;
        if (stuckNow) writeFileSync(stuckFile, "stuck\n");
        else rmSync(stuckFile, { force: true });
      }
      const count = Math.round((activating ? afterZero.rate : plan.rate(t, duration)) / 10);
      if (count > 0) {
        const messages = Array.from({ length: count }, () => {
          sequence += 1;
          return { key: `order-${sequence}`, value: JSON.stringify({ id: sequence, at: Date.now() }) };
        });
        try {
          await producer.send({ topic, messages });
          produced += count;
          failingSince = undefined;
        } catch (error) {
          // Not acknowledged, so not counted. Right after a topic is created or grown its leaders can take a
          // while to be known (the client gives up with "does not host this topic-partition" after its own
          // retries); only a failure that lasts stops the demo.
          failingSince ??= Date.now();
          if (Date.now() - failingSince > sendFailureLimitMs) throw error;
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    loadEnded = true;
    rmSync(stuckFile, { force: true });
  })();

  const read = async (): Promise<Snapshot> => {
    const s = await readStatus();
    const degraded = s.conditions?.find((c) => c.type === "Degraded" && c.status === "True") as
      | { reason: string; message?: string }
      | undefined;
    const ready = s.conditions?.find((c) => c.type === "Ready");
    return {
      elapsed: elapsed(),
      tier: String((s.resolved as { tier?: string } | undefined)?.tier ?? flags.tier),
      desiredReplicas: Number(s.desiredReplicas ?? 0),
      readyReplicas: Number(s.readyReplicas ?? 0),
      partitions: Number(s.partitions ?? 0),
      lag: Number(s.totalLag ?? 0),
      lagSeconds: Number(s.lagSeconds ?? 0),
      produceRate: Number(s.produceRate ?? 0),
      consumeRate: Number(s.consumeRate ?? 0),
      health: degraded ? degraded.reason : (ready?.reason ?? "Pending"),
      ...(degraded ? { degraded: { reason: degraded.reason, message: degraded.message ?? "" } } : {}),
      lastScaleReason: String(s.lastScaleReason ?? ""),
      produced,
    };
  };
  say(header());
  let last: Snapshot | undefined;
  let lines = 0;
  const timeline = new Timeline();
  const drainDeadline = () => elapsed() > duration + 90 + (afterZero ? 60 + afterZero.seconds : 0);
  let running = false;
  let drainedAt: number | undefined;
  // The chart's alerts for this group, as the stack's Prometheus evaluates them; a line for every change.
  let alertSpans: AlertSpan[] = [];
  let alertsReadAt = 0;
  let alertsError: string | undefined;
  const readAlerts = async () => {
    if (elapsed() - alertsReadAt < 2) return;
    alertsReadAt = elapsed();
    try {
      const active = await activeAlerts(env.prometheusUrl, namespace, "orders");
      const tracked = trackAlerts(alertSpans, active, Math.round(elapsed() * 10) / 10);
      alertSpans = tracked.spans;
      alertsError = undefined;
      for (const change of tracked.changes) {
        if (tty) process.stdout.write("\r\x1b[2K");
        say(`demo: ${Math.round(elapsed())}s alert ${change}`);
      }
    } catch (error) {
      if (alertsError === undefined) say(`demo: cannot read alerts from ${env.prometheusUrl}: ${String(error)}`);
      alertsError = String(error);
    }
  };
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await readAlerts();
    const reading = await read().catch(() => undefined);
    if (reading) timeline.record(reading);
    last = reading ?? last;
    if (!last) continue;
    if (last.desiredReplicas > 0) running = true;
    else if (running && last.health === "ScaledToZero") zeroSeenAt ??= elapsed();
    peaks.lag = Math.max(peaks.lag, last.lag);
    peaks.lagSeconds = Math.max(peaks.lagSeconds, last.lagSeconds);
    peaks.replicas = Math.max(peaks.replicas, last.desiredReplicas);
    if (tty) process.stdout.write(`\r\x1b[2K${row(last)}`);
    else if (lines++ % 5 === 0) say(row(last));
    drainedAt ??= loadEnded && processedIds(recordDir, topic).size >= produced ? elapsed() : undefined;
    if (drainedAt === undefined) {
      if (drainDeadline()) break;
      continue;
    }
    const settled = last.desiredReplicas <= minReplicas && last.readyReplicas === last.desiredReplicas;
    if (settled || elapsed() - drainedAt >= settle) break;
  }
  producing = false;
  await loadLoop;
  if (tty) process.stdout.write("\n");
  // Prometheus sees the group caught up a scrape and an evaluation after the operator does.
  if (alertFiring(alertSpans)) {
    say("demo: waiting for Prometheus to resolve the alerts (up to 60s)");
    const until = elapsed() + 60;
    while (alertFiring(alertSpans) && elapsed() < until) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      await readAlerts();
    }
  }

  // 6. Summary: every produced message must have been processed at least once.
  const processed = processedIds(recordDir, topic);
  const events = await kubeConfig.makeApiClient(k8s.CoreV1Api).listNamespacedEvent({ namespace });
  const eventTime = (e: k8s.CoreV1Event) =>
    new Date(e.lastTimestamp ?? e.eventTime ?? e.metadata.creationTimestamp ?? 0).getTime();
  const scaleEvents = events.items
    .filter((e) => ["ScaledUp", "ScaledDown", "PartitionsGrown"].includes(e.reason ?? ""))
    .sort((a, b) => eventTime(a) - eventTime(b));
  const partitionsAfter = (await admin.partitionCounts([topic])).get(topic) ?? partitionsBefore;
  const autoscaling = (await readStatus().catch(() => undefined))?.autoscaling ?? null;
  const explain = explainGroup(env.binDir, env.kubeconfig, namespace);
  const summary = {
    scenario,
    tier: flags.tier,
    durationSeconds: duration,
    peakLag: peaks.lag,
    peakLagSeconds: peaks.lagSeconds,
    peakReplicas: peaks.replicas,
    finalReplicas: timeline.finalReplicas,
    lagTargetSeconds,
    replicaBounds: { min: minReplicas, max: maxReplicas },
    drainedAtSeconds: drainedAt === undefined ? null : Math.round(drainedAt * 10) / 10,
    stuckSeconds: plan.stuck ? { from: duration * plan.stuck.from, to: duration * plan.stuck.to } : null,
    degraded: timeline.degraded,
    timeline: timeline.points,
    partitionsBefore,
    partitionsAfter,
    scaleEvents: scaleEvents.map((e) => ({
      reason: e.reason,
      message: e.message,
      atSeconds: Math.round((eventTime(e) - started) / 100) / 10,
    })),
    autoscaling,
    restart: restart ?? null,
    alertForSeconds,
    alerts: alertSpans,
    explain,
    produced,
    consumed: processed.size,
    lost: Math.max(0, produced - processed.size),
  };
  if (flags.json) console.log(JSON.stringify(summary));
  else {
    say("");
    say(`demo: produced ${produced}, processed at least once ${processed.size}, lost ${summary.lost}`);
    say(
      `demo: peak lag ${peaks.lag} (${peaks.lagSeconds}s), replicas ${peaks.replicas} at peak and ${summary.finalReplicas} at the end, partitions ${partitionsBefore} -> ${partitionsAfter}`,
    );
    for (const d of summary.degraded) {
      say(`demo: Degraded ${d.reason} from ${d.firstSeenSeconds}s to ${d.lastSeenSeconds}s: ${d.messages.at(-1)}`);
    }
    for (const e of summary.scaleEvents) say(`demo: ${e.reason}: ${e.message}`);
    for (const a of summary.alerts) {
      const fired = a.firedAtSeconds === undefined ? "never fired" : `fired at ${a.firedAtSeconds}s`;
      const resolved =
        a.resolvedAtSeconds === undefined ? "still active at the end" : `resolved at ${a.resolvedAtSeconds}s`;
      say(`demo: alert ${a.alert} ${fired}, ${resolved}`);
    }
    say(`demo: why it scaled, as \`kubectl lagpilot explain orders -n ${namespace}\` tells it:`);
    say(explain);
    if (!summary.alerts.some((a) => a.alert === "LagpilotLagAboveTarget" && a.firedAtSeconds !== undefined)) {
      say(
        `demo: LagpilotLagAboveTarget did not fire: lag peaked at ${peaks.lagSeconds}s against a ${lagTargetSeconds}s target (it fires after ${alertForSeconds}s above it)`,
      );
    }
  }
  await cleanup();
  process.exit(summary.lost === 0 ? 0 : 1);
}

/** What `kubectl lagpilot explain` answers for the demo's group, run as a user would run it beside the demo. */
function explainGroup(binDir: string, kubeconfig: string, namespace: string): string {
  const result = spawnSync(join(binDir, "kubectl-lagpilot"), ["explain", "orders", "-n", namespace], {
    encoding: "utf8",
    env: { ...process.env, KUBECONFIG: kubeconfig },
    timeout: 30_000,
  });
  if (result.status === 0) return result.stdout.trimEnd();
  return `kubectl lagpilot explain failed: ${(result.stderr || String(result.error ?? "")).trim()}`;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Unique topic/partition/offset ids the handlers recorded. */
function processedIds(dir: string, topic: string): Set<string> {
  const ids = new Set<string>();
  for (const file of readdirSync(dir)) {
    if (!file.endsWith(".log")) continue;
    for (const line of readFileSync(join(dir, file), "utf8").split("\n"))
      if (line.startsWith(`${topic}/`)) ids.add(line);
  }
  return ids;
}

main().catch(async (error: Error) => {
  console.error(`demo failed: ${error.message}`);
  await cleanup();
  process.exit(1);
});
