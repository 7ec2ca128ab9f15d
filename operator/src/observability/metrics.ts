// Every operator metric, declared once, on the operator's own Registry.
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

export interface OperatorMetrics {
  registry: Registry;
  reconcileTotal: Counter<"result">;
  reconcileErrorsTotal: Counter<"reason">;
  reconcileDuration: Histogram;
  queueDepth: Gauge;
  watchRestartsTotal: Counter<"resource">;
  kafkaAdminErrorsTotal: Counter<"operation">;
  kafkaAdminDuration: Histogram<"operation">;
  writesTotal: Counter<"kind" | "operation">;
  isLeader: Gauge;
  group: GroupMetrics;
}

/** Per-KafkaConsumerGroup series; every one carries namespace and name of the KafkaConsumerGroup. */
export interface GroupMetrics {
  partitionLag: Gauge<GroupLabel | "topic" | "partition">;
  partitionLagSeconds: Gauge<GroupLabel | "topic" | "partition">;
  groupLag: Gauge<GroupLabel>;
  groupLagSeconds: Gauge<GroupLabel>;
  lagTargetSeconds: Gauge<GroupLabel>;
  produceRate: Gauge<GroupLabel>;
  consumeRate: Gauge<GroupLabel>;
  replicasDesired: Gauge<GroupLabel>;
  replicasReady: Gauge<GroupLabel>;
  replicasMax: Gauge<GroupLabel>;
  partitions: Gauge<GroupLabel>;
  partitionsByHealth: Gauge<GroupLabel | "state">;
  scalingLimited: Gauge<GroupLabel>;
  kafkaReachable: Gauge<GroupLabel>;
  scaleEventsTotal: Counter<GroupLabel | "direction" | "reason">;
}

export type GroupLabel = "namespace" | "name" | "consumergroup";
const groupLabels: GroupLabel[] = ["namespace", "name", "consumergroup"];

function createGroupMetrics(registry: Registry): GroupMetrics {
  const gauge = <L extends string>(name: string, help: string, extra: L[] = []) =>
    new Gauge<GroupLabel | L>({ name, help, labelNames: [...groupLabels, ...extra], registers: [registry] });
  return {
    partitionLag: gauge(
      "kafka_consumergroup_lag",
      "Messages between the committed offset and the log end, per partition.",
      ["topic", "partition"],
    ),
    partitionLagSeconds: gauge(
      "kafka_consumergroup_lag_seconds",
      "Estimated seconds since the committed offset was the log end, per partition.",
      ["topic", "partition"],
    ),
    groupLag: gauge("kafka_consumergroup_group_lag", "Messages behind, summed over the group's partitions."),
    groupLagSeconds: gauge(
      "kafka_consumergroup_group_lag_seconds",
      "Seconds behind: the largest partition lag in time.",
    ),
    lagTargetSeconds: gauge(
      "lagpilot_group_lag_target_seconds",
      "The group's lag target in seconds (spec.lag.maxSeconds).",
    ),
    produceRate: gauge("lagpilot_group_produce_rate", "Messages per second produced to the group's topics."),
    consumeRate: gauge("lagpilot_group_consume_rate", "Messages per second committed by the group."),
    replicasDesired: gauge("lagpilot_group_replicas_desired", "Replicas the operator asks for."),
    replicasReady: gauge("lagpilot_group_replicas_ready", "Ready replicas of the consumer Deployment."),
    replicasMax: gauge("lagpilot_group_replicas_max", "The autoscaler's maxReplicas."),
    partitions: gauge("lagpilot_group_partitions", "Partitions of the group's topics."),
    partitionsByHealth: gauge(
      "lagpilot_group_partitions_by_health",
      "Partitions per health state (OK, WARN, STALL, STOP, REWIND).",
      ["state"],
    ),
    scalingLimited: gauge("lagpilot_group_scaling_limited", "1 when more replicas are needed than partitions allow."),
    kafkaReachable: gauge("lagpilot_group_kafka_reachable", "1 when the operator reached the group's Kafka cluster."),
    scaleEventsTotal: new Counter({
      name: "lagpilot_scale_events_total",
      help: "Replica and partition changes made by the autoscaler, by direction (up, down, partitions) and reason.",
      labelNames: [...groupLabels, "direction", "reason"],
      registers: [registry],
    }),
  };
}

export function createOperatorMetrics(): OperatorMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "lagpilot_operator_" });
  return {
    registry,
    group: createGroupMetrics(registry),
    reconcileTotal: new Counter({
      name: "lagpilot_reconcile_total",
      help: "Reconciles of KafkaConsumerGroups, by result (success, error, invalid).",
      labelNames: ["result"],
      registers: [registry],
    }),
    reconcileErrorsTotal: new Counter({
      name: "lagpilot_reconcile_errors_total",
      help: "Reconciles that failed, by reason.",
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
      help: "Writes the operator sent to the apiserver, by kind and operation.",
      labelNames: ["kind", "operation"],
      registers: [registry],
    }),
    isLeader: new Gauge({
      name: "lagpilot_leader",
      help: "1 when this operator replica holds the leader lease.",
      registers: [registry],
    }),
  };
}
