// The operator process: settings -> clients -> metrics server -> watches -> leader election -> reconciles.
// SIGTERM drains the queue, releases the lease and exits.
import { API_VERSION, KIND, PLURAL } from "./api/group.ts";
import { loadOperatorConfig } from "./config.ts";
import { Controller } from "./controller/controller.ts";
import { OperatorKubeConfig } from "./controller/kube-config.ts";
import { LeaderElector } from "./controller/leader-election.ts";
import { ObjectCache } from "./controller/object-cache.ts";
import { muteKafkajsTimerWarning } from "./kafka/kafkajs-timer-warning.ts";
import { AdminPool } from "./kafka/pool.ts";
import { startHttpServer } from "./observability/http-server.ts";
import { createLogger } from "./observability/logger.ts";
import { createOperatorMetrics } from "./observability/metrics.ts";
import { keptFields } from "./reconcile/cached-fields.ts";
import { MANAGED_BY, MANAGED_BY_LABEL } from "./reconcile/desired/names.ts";
import { createEventRecorder } from "./reconcile/events.ts";
import { createExecutor } from "./reconcile/execute.ts";
import { createSecretReader } from "./reconcile/kafka-connection.ts";
import { createReconciler } from "./reconcile/reconciler.ts";

muteKafkajsTimerWarning();

async function main() {
  let config: ReturnType<typeof loadOperatorConfig>;
  try {
    config = loadOperatorConfig();
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(2);
  }
  const log = createLogger({ component: "operator", pod: config.POD_NAME }, config.LOG_LEVEL);
  const metrics = createOperatorMetrics();
  const kubeConfig = new OperatorKubeConfig((verb) => metrics.apiserverRequestsTotal.inc({ verb }));
  kubeConfig.loadFromDefault();
  const adminPool = new AdminPool({
    observe: (operation, seconds, failed) => metrics.observeKafkaAdmin(operation, seconds, failed),
  });
  const readSecret = createSecretReader(kubeConfig);
  const recorder = createEventRecorder(kubeConfig, {
    instance: config.POD_NAME,
    onError: (error) => log.warn("could not record event", { error: String(error) }),
    onCreated: () => metrics.writesTotal.inc({ kind: "Event", operation: "create" }),
  });
  const cache = new ObjectCache(keptFields);
  const reconciler = createReconciler({
    observe: { cache, adminPool, readSecret },
    execute: createExecutor({
      kubeConfig,
      cache,
      adminPool,
      readSecret,
      recorder,
      onWrite: (kind, operation) => metrics.writesTotal.inc({ kind, operation }),
      onStartOffsetsFailed: (groupId, error) =>
        log.warn("could not commit the start offsets of a group without members", { groupId, error: String(error) }),
    }),
    log,
    runtimeImage: config.RUNTIME_IMAGE,
  });
  const managed = `${MANAGED_BY_LABEL}=${MANAGED_BY}`;
  const primary = { apiVersion: API_VERSION, kind: KIND, plural: PLURAL };
  const owned = [
    { apiVersion: "apps/v1", kind: "Deployment", plural: "deployments", labelSelector: managed },
    { apiVersion: "v1", kind: "ConfigMap", plural: "configmaps", labelSelector: managed },
    { apiVersion: "v1", kind: "Service", plural: "services", labelSelector: managed },
    { apiVersion: "policy/v1", kind: "PodDisruptionBudget", plural: "poddisruptionbudgets", labelSelector: managed },
  ];
  metrics.watching([primary, ...owned].map((resource) => resource.plural));
  const controller = new Controller({
    kubeConfig,
    primary,
    owned,
    namespaces: config.WATCH_NAMESPACES,
    concurrency: config.RECONCILE_CONCURRENCY,
    cache,
    reconcile: reconciler.reconcile,
    onDeleted: reconciler.forget,
    metrics,
    log,
    onWatchRestart: (resource, reason) => {
      metrics.watchRestartsTotal.inc({ resource });
      log.debug("watch restarted", { resource, reason });
    },
    onQueueDepth: (depth) => metrics.queueDepth.set(depth),
  });
  metrics.setGroupSource(() => reconciler.snapshots());

  let synced = false;
  const server = await startHttpServer(config.METRICS_PORT, metrics.registry, {
    healthy: () => true,
    ready: () => synced,
  });
  log.info("operator starting", {
    namespaces: config.WATCH_NAMESPACES.length ? config.WATCH_NAMESPACES : "all",
    leaderElection: config.LEADER_ELECTION,
    metricsPort: (server.address() as { port: number }).port,
  });
  controller.startWatching();
  void controller.synced().then(() => {
    synced = true;
    log.info("watches synced");
  });

  let elector: LeaderElector | undefined;
  if (config.LEADER_ELECTION) {
    elector = new LeaderElector({
      kubeConfig,
      namespace: config.LEADER_ELECTION_NAMESPACE ?? config.POD_NAMESPACE,
      name: config.LEASE_NAME,
      identity: config.POD_NAME,
      leaseDurationSeconds: config.LEASE_DURATION_SECONDS,
      retryPeriodMs: Math.max(500, (config.LEASE_DURATION_SECONDS * 1000) / 5),
      onStartedLeading: () => {
        metrics.isLeader.set(1);
        void controller.startProcessing();
      },
      onStoppedLeading: () => {
        metrics.isLeader.set(0);
        // A standby must not keep exporting the values it saw as leader: alerts would see two stories.
        reconciler.forgetAll();
        void controller.stopProcessing();
      },
      log: (level, msg, fields) => log[level](msg, fields),
    });
    elector.start();
  } else {
    metrics.isLeader.set(1);
    void controller.startProcessing();
  }

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info("operator stopping", { signal });
    await controller.stop();
    await elector?.stop();
    await adminPool.close();
    server.close();
    log.info("operator stopped");
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
}

main().catch((error: Error) => {
  process.stderr.write(`${JSON.stringify({ level: "error", msg: "operator failed", error: error.message })}\n`);
  process.exit(1);
});
