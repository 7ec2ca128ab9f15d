// Every metric the runtime exports, declared in one place on its own Registry. A topic's message counters start
// at 0 when the consumer is first assigned one of its partitions (topicCounters), so rate() of failures or dead
// letters on a dashboard reads 0 before the first one instead of nothing.
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

export interface PartitionLagSource {
  /** Per assigned partition: log-end offset seen in the last fetch minus the committable position. */
  partitionLag(): { topic: string; partition: number; lag: number }[];
}

/** The per-topic message counters, one per thing that happens to a message. */
export const messageCounts = ["consumed", "processed", "failed", "retried", "deadLettered"] as const;
export type MessageCount = (typeof messageCounts)[number];
export type TopicCounter = ReturnType<Counter<"topic">["labels"]>;

export class RuntimeMetrics {
  readonly registry = new Registry();
  readonly consumed: Counter<"topic">;
  readonly processed: Counter<"topic">;
  readonly failed: Counter<"topic">;
  readonly retried: Counter<"topic">;
  readonly deadLettered: Counter<"topic">;
  readonly processingDuration: Histogram;
  readonly batchSize: Histogram;
  readonly inFlight: Gauge;
  readonly buffered: Gauge;
  readonly bufferedBytes: Gauge;
  readonly commitDuration: Histogram;
  readonly commitFailures: Counter;
  readonly rebalances: Counter;
  readonly pausedPartitions: Gauge;
  readonly #messageCounters: Record<MessageCount, Counter<"topic">>;

  constructor(lag: PartitionLagSource, defaultLabels: Record<string, string> = {}) {
    const registers = [this.registry];
    this.registry.setDefaultLabels(defaultLabels);
    collectDefaultMetrics({ register: this.registry });
    const counter = (name: string, help: string) =>
      new Counter({ name: `lagpilot_runtime_${name}`, help, labelNames: ["topic"] as const, registers });
    this.consumed = counter("messages_consumed_total", "Messages fetched from Kafka and queued.");
    this.processed = counter("messages_processed_total", "Messages the handler completed.");
    this.failed = counter("messages_failed_total", "Handler attempts that failed, counted per message.");
    this.retried = counter("messages_retried_total", "Messages handed to the handler again after a failure.");
    this.deadLettered = counter(
      "messages_dead_lettered_total",
      "Messages written to the dead-letter topic (or skipped when none is set) after their last retry.",
    );
    this.processingDuration = new Histogram({
      name: "lagpilot_runtime_processing_duration_seconds",
      help: "Duration of one handler call (one message or one batch).",
      buckets: [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30],
      registers,
    });
    this.batchSize = new Histogram({
      name: "lagpilot_runtime_batch_size",
      help: "Messages per handler call.",
      buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 4096, 10000],
      registers,
    });
    this.inFlight = new Gauge({
      name: "lagpilot_runtime_in_flight_messages",
      help: "Messages handed to the handler and not yet done.",
      registers,
    });
    this.buffered = new Gauge({
      name: "lagpilot_runtime_buffered_messages",
      help: "Messages held by the runtime (queued or in flight); partitions pause above the configured bound.",
      registers,
    });
    this.bufferedBytes = new Gauge({
      name: "lagpilot_runtime_buffered_bytes",
      help: "Key and value bytes held by the runtime.",
      registers,
    });
    this.commitDuration = new Histogram({
      name: "lagpilot_runtime_commit_duration_seconds",
      help: "Duration of one offset commit request.",
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
      registers,
    });
    this.commitFailures = new Counter({
      name: "lagpilot_runtime_commit_failures_total",
      help: "Offset commits Kafka refused or that timed out.",
      registers,
    });
    this.rebalances = new Counter({
      name: "lagpilot_runtime_rebalances_total",
      help: "Group assignments received (the first join counts).",
      registers,
    });
    this.pausedPartitions = new Gauge({
      name: "lagpilot_runtime_paused_partitions",
      help: "Partitions paused because the runtime's buffers are full.",
      registers,
    });
    this.#messageCounters = {
      consumed: this.consumed,
      processed: this.processed,
      failed: this.failed,
      retried: this.retried,
      deadLettered: this.deadLettered,
    };
    new Gauge({
      name: "lagpilot_runtime_partition_lag",
      help: "Per assigned partition: log-end offset at the last fetch minus the next offset to commit.",
      labelNames: ["topic", "partition"] as const,
      registers,
      collect() {
        this.reset();
        for (const p of lag.partitionLag()) this.set({ topic: p.topic, partition: String(p.partition) }, p.lag);
      },
    });
  }

  /** One topic's message counters (label children, for hot paths), every one exported from now on, at 0 until counted. */
  topicCounters(topic: string): Record<MessageCount, TopicCounter> {
    const children = {} as Record<MessageCount, TopicCounter>;
    for (const kind of messageCounts) {
      const counter = this.#messageCounters[kind];
      counter.inc({ topic }, 0);
      children[kind] = counter.labels({ topic });
    }
    return children;
  }
}
