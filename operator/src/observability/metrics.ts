// Every operator metric, declared once, on the operator's own Registry. Per-group series are computed at
// scrape time from what the reconciler remembers (collect()), so a deleted group's series vanish with it.
// Every labelled series starts at 0 as soon as its labels are known (results and error reasons at start, a
// watched resource when its watch starts, a Kafka admin operation at its first call, a group's scale events
// at its first reconcile), so rate() and increase() on a dashboard read 0 before the first event, not nothing.
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import { errorReasons } from "../kube-errors.ts";
import type { GroupLagSummary } from "../lag/types.ts";
import type { GroupAlertSettings } from "./alert-settings.ts";

export type GroupLabel = "namespace" | "name" | "consumergroup";
export type GroupLabels = Record<GroupLabel, string>;

/** What one group exports, kept in the reconciler's memory. */
export interface GroupSnapshot {
  labels: GroupLabels;
  lagTargetSeconds: number;
  replicasMax: number;
  replicasDesired: number;
  replicasReady: number;
  kafkaReachable: boolean;
  scalingLimited: boolean;
  alerts: GroupAlertSettings;
  partitions?: number;
  summary?: GroupLagSummary;
  /** Replica and partition changes so far, by "direction/reason". */
  scaleEvents: Record<string, number>;
}

export type SnapshotSource = () => Iterable<GroupSnapshot>;

/** The `result` label of lagpilot_reconcile_total. */
export const reconcileResults = ["success", "error", "invalid"] as const;

export interface ReconcileMetrics {
  reconcileTotal: Counter<"result">;
  reconcileErrorsTotal: Counter<"reason">;
  reconcileDuration: Histogram;
}

export interface OperatorMetrics extends ReconcileMetrics {
  registry: Registry;
  queueDepth: Gauge;
  watchRestartsTotal: Counter<"resource">;
  kafkaAdminErrorsTotal: Counter<"operation">;
  kafkaAdminDuration: Histogram<"operation">;
  writesTotal: Counter<"kind" | "operation">;
  apiserverRequestsTotal: Counter<"verb">;
  isLeader: Gauge;
  /** Where the per-group series come from; set once the reconciler exists. */
  setGroupSource(source: SnapshotSource): void;
  /** Starts the watch restart counters of these resources (plurals) at 0. */
  watching(resources: readonly string[]): void;
  /** Counts one Kafka admin call; its operation's error counter exists from its first call on. */
  observeKafkaAdmin(operation: string, seconds: number, failed: boolean): void;
}

const groupLabels: GroupLabel[] = ["namespace", "name", "consumergroup"];

type Series = [labels: Record<string, string>, value: number];
type Extract = (group: GroupSnapshot) => Series[];

const whole =
  (read: (group: GroupSnapshot) => number | undefined): Extract =>
  (group) => {
    const value = read(group);
    return value === undefined ? [] : [[group.labels, value]];
  };

const perPartition =
  (read: (p: GroupLagSummary["partitions"][number]) => number): Extract =>
  (group) =>
    (group.summary?.partitions ?? []).map((p) => [
      { ...group.labels, topic: p.topic, partition: String(p.partition) },
      read(p),
    ]);

interface GroupGauge {
  name: string;
  help: string;
  /** Labels besides the group's; `labels` replaces the group's three. */
  extra?: string[];
  labels?: string[];
  extract: Extract;
}

/** The group without its Kafka group id: alert settings belong to the KafkaConsumerGroup object. */
const objectLabels = (group: GroupSnapshot) => ({ namespace: group.labels.namespace, name: group.labels.name });

const groupGauges: GroupGauge[] = [
  {
    name: "kafka_consumergroup_lag",
    help: "Messages between the committed offset and the log end, per partition.",
    extra: ["topic", "partition"],
    extract: perPartition((p) => p.lag),
  },
  {
    name: "kafka_consumergroup_lag_seconds",
    help: "Estimated seconds since the committed offset was the log end, per partition.",
    extra: ["topic", "partition"],
    extract: perPartition((p) => p.lagSeconds ?? 0),
  },
  {
    name: "kafka_consumergroup_group_lag",
    help: "Messages behind, summed over the group's partitions.",
    extract: whole((g) => g.summary?.totalLag),
  },
  {
    name: "kafka_consumergroup_group_lag_seconds",
    help: "Seconds behind: the largest partition lag in time.",
    extract: whole((g) => g.summary?.maxLagSeconds),
  },
  {
    name: "lagpilot_group_lag_target_seconds",
    help: "The group's lag target in seconds (spec.lag.maxSeconds).",
    extract: whole((g) => g.lagTargetSeconds),
  },
  {
    name: "lagpilot_group_produce_rate",
    help: "Messages per second produced to the group's topics.",
    extract: whole((g) => g.summary?.produceRate),
  },
  {
    name: "lagpilot_group_consume_rate",
    help: "Messages per second committed by the group.",
    extract: whole((g) => g.summary?.consumeRate),
  },
  {
    name: "lagpilot_group_replicas_desired",
    help: "Replicas the operator asks for.",
    extract: whole((g) => g.replicasDesired),
  },
  {
    name: "lagpilot_group_replicas_ready",
    help: "Ready replicas of the consumer Deployment.",
    extract: whole((g) => g.replicasReady),
  },
  { name: "lagpilot_group_replicas_max", help: "The autoscaler's maxReplicas.", extract: whole((g) => g.replicasMax) },
  {
    name: "lagpilot_group_partitions",
    help: "Partitions of the group's topics.",
    extract: whole((g) => g.partitions),
  },
  {
    name: "lagpilot_group_partitions_by_health",
    help: "Partitions per health state (OK, WARN, STALL, STOP, REWIND).",
    extra: ["state"],
    extract: (g) =>
      Object.entries(g.summary?.healthCounts ?? {}).map(([state, count]) => [{ ...g.labels, state }, count]),
  },
  {
    name: "lagpilot_group_scaling_limited",
    help: "1 when more replicas are needed than partitions allow.",
    extract: whole((g) => (g.scalingLimited ? 1 : 0)),
  },
  {
    name: "lagpilot_group_kafka_reachable",
    help: "1 when the operator reached the group's Kafka cluster.",
    extract: whole((g) => (g.kafkaReachable ? 1 : 0)),
  },
  {
    name: "lagpilot_group_alert_threshold",
    help: "The group's alert thresholds (spec.alerts), by alert: lag_seconds, min_messages_per_second, p99_processing_ms, error_rate_percent, dead_letters_per_minute.",
    labels: ["namespace", "name", "alert"],
    extract: (g) => Object.entries(g.alerts.thresholds).map(([alert, value]) => [{ ...objectLabels(g), alert }, value]),
  },
  {
    name: "lagpilot_group_alerts_enabled",
    help: "1 when the group alerts (spec.alerts.enabled), labelled with the severity of its alerts.",
    labels: ["namespace", "name", "severity"],
    extract: (g) => [[{ ...objectLabels(g), severity: g.alerts.severity }, g.alerts.enabled ? 1 : 0]],
  },
  {
    name: "lagpilot_group_alert_for_seconds",
    help: "How long a threshold must be crossed before the group's alert fires (spec.alerts.forSeconds).",
    labels: ["namespace", "name"],
    extract: (g) => [[objectLabels(g), g.alerts.forSeconds]],
  },
];

function registerGroupMetrics(registry: Registry, source: () => Iterable<GroupSnapshot>): void {
  for (const { name, help, extra = [], labels = groupLabels, extract } of groupGauges) {
    new Gauge({
      name,
      help,
      labelNames: [...labels, ...extra],
      registers: [registry],
      collect() {
        this.reset();
        for (const group of source()) for (const [labels, value] of extract(group)) this.set(labels, value);
      },
    });
  }
  new Counter({
    name: "lagpilot_scale_events_total",
    help: "Replica and partition changes made by the autoscaler, by direction (up, down, partitions) and reason.",
    labelNames: [...groupLabels, "direction", "reason"],
    registers: [registry],
    collect() {
      this.reset();
      for (const group of source()) {
        for (const [kind, count] of Object.entries(group.scaleEvents)) {
          const [direction = "", reason = ""] = kind.split("/");
          this.inc({ ...group.labels, direction, reason }, count);
        }
      }
    },
  });
}

export function createOperatorMetrics(): OperatorMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "lagpilot_operator_" });
  let groupSource: SnapshotSource = () => [];
  registerGroupMetrics(registry, () => groupSource());
  const metrics: OperatorMetrics = {
    registry,
    setGroupSource: (source) => {
      groupSource = source;
    },
    watching: (resources) => {
      for (const resource of resources) metrics.watchRestartsTotal.inc({ resource }, 0);
    },
    observeKafkaAdmin: (operation, seconds, failed) => {
      metrics.kafkaAdminDuration.observe({ operation }, seconds);
      metrics.kafkaAdminErrorsTotal.inc({ operation }, failed ? 1 : 0);
    },
    reconcileTotal: new Counter({
      name: "lagpilot_reconcile_total",
      help: "Reconciles of KafkaConsumerGroups, by result (success, error, invalid).",
      labelNames: ["result"],
      registers: [registry],
    }),
    reconcileErrorsTotal: new Counter({
      name: "lagpilot_reconcile_errors_total",
      help: "Reconciles that failed, by reason (the apiserver's reason such as Conflict or Invalid, Kafka, Internal).",
      labelNames: ["reason"],
      registers: [registry],
    }),
    reconcileDuration: new Histogram({
      name: "lagpilot_reconcile_duration_seconds",
      help: "Time to reconcile one KafkaConsumerGroup.",
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    queueDepth: new Gauge({
      name: "lagpilot_workqueue_depth",
      help: "Keys waiting in the reconcile queue.",
      registers: [registry],
    }),
    watchRestartsTotal: new Counter({
      name: "lagpilot_watch_restarts_total",
      help: "Watches re-opened after an error, a 410 Gone, a server timeout or a periodic relist.",
      labelNames: ["resource"],
      registers: [registry],
    }),
    kafkaAdminErrorsTotal: new Counter({
      name: "lagpilot_kafka_admin_errors_total",
      help: "Kafka admin calls that failed, by operation.",
      labelNames: ["operation"],
      registers: [registry],
    }),
    kafkaAdminDuration: new Histogram({
      name: "lagpilot_kafka_admin_duration_seconds",
      help: "Duration of Kafka admin calls, by operation.",
      labelNames: ["operation"],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    writesTotal: new Counter({
      name: "lagpilot_apiserver_writes_total",
      help: "Writes the operator sent to the apiserver, by kind and operation (apply, status, delete, event).",
      labelNames: ["kind", "operation"],
      registers: [registry],
    }),
    apiserverRequestsTotal: new Counter({
      name: "lagpilot_apiserver_requests_total",
      help: "Requests the operator sent to the apiserver, by verb (get, list, watch, create, update, patch, delete).",
      labelNames: ["verb"],
      registers: [registry],
    }),
    isLeader: new Gauge({
      name: "lagpilot_leader",
      help: "1 when this operator replica holds the leader lease.",
      registers: [registry],
    }),
  };
  for (const result of reconcileResults) metrics.reconcileTotal.inc({ result }, 0);
  for (const reason of errorReasons) metrics.reconcileErrorsTotal.inc({ reason }, 0);
  return metrics;
}
