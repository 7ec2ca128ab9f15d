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
}

export function createOperatorMetrics(): OperatorMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "lagpilot_operator_" });
  return {
    registry,
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
