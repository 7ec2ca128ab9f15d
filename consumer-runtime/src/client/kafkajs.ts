// kafkajs behind the runtime's client contract. kafkajs fetches, decodes and heartbeats on the caller's event
// loop, so a busy handler can delay its heartbeats: the Dedicated tier runs this adapter in a worker thread.
// With startFrom latest, assigned partitions wait until their start position is settled (start-positions.ts):
// kafkajs's own fallback would start a partition added by growth at its end and skip records.
import {
  type Consumer,
  type ConsumerConfig,
  type EachBatchPayload,
  type IHeaders,
  Kafka,
  type KafkaConfig,
  logLevel,
  type Producer,
  type SASLOptions,
} from "kafkajs";
import type {
  ConsumedMessage,
  ConsumerClientOptions,
  ConsumerListener,
  KafkaConsumerClient,
  KafkaProducerClient,
  OffsetToCommit,
  ProducedMessage,
  TopicPartition,
} from "./contract.ts";
import { partitionId } from "./contract.ts";
import { chooseStarts, type StartChoice, type StartFrom } from "./start-positions.ts";

/**
 * How old the consumer's view of the topics may get. A grown topic's new partitions are assigned once a member
 * notices them, at the latest after this long (kafkajs's default is five minutes).
 */
const metadataMaxAgeMs = 30_000;

export function kafkajsConfig(options: {
  clientId: string;
  bootstrapServers: string[];
  sasl?: ConsumerClientOptions["sasl"];
  tls?: ConsumerClientOptions["tls"];
  requestTimeoutMs?: number;
}): KafkaConfig {
  const config: KafkaConfig = {
    clientId: options.clientId,
    brokers: options.bootstrapServers,
    connectionTimeout: 5000,
    requestTimeout: options.requestTimeoutMs ?? 30_000,
    logLevel: logLevel.NOTHING,
  };
  if (options.tls) {
    config.ssl = {
      ca: options.tls.ca ? [options.tls.ca] : undefined,
      cert: options.tls.cert,
      key: options.tls.key,
      rejectUnauthorized: !options.tls.insecureSkipVerify,
    };
  }
  if (options.sasl) {
    const { mechanism, username, password } = options.sasl;
    config.sasl = { mechanism, username, password } as SASLOptions;
  }
  return config;
}

/** What kafkajs's consumer is given: each tuning value of the group's consumer settings reaches one option. */
export function kafkajsConsumerConfig(options: ConsumerClientOptions): ConsumerConfig {
  return {
    groupId: options.groupId,
    metadataMaxAge: metadataMaxAgeMs,
    sessionTimeout: options.sessionTimeoutMs,
    heartbeatInterval: options.heartbeatIntervalMs,
    rebalanceTimeout: options.rebalanceTimeoutMs,
    minBytes: options.fetchMinBytes,
    maxWaitTimeInMs: options.fetchMaxWaitMs,
    maxBytesPerPartition: options.maxBytesPerPartition,
    maxBytes: Math.max(options.maxBytesPerPartition * 8, 10 * 1024 * 1024),
    allowAutoTopicCreation: false,
  };
}

function toMessage(
  topic: string,
  partition: number,
  m: EachBatchPayload["batch"]["messages"][number],
): ConsumedMessage {
  return {
    topic,
    partition,
    offset: Number(m.offset),
    timestamp: Number(m.timestamp),
    key: m.key,
    value: m.value,
    headers: flattenHeaders(m.headers),
  };
}

function flattenHeaders(headers: IHeaders | undefined): Record<string, Buffer | undefined> {
  const out: Record<string, Buffer | undefined> = {};
  if (!headers) return out;
  for (const [name, value] of Object.entries(headers)) {
    const first = Array.isArray(value) ? value[0] : value;
    out[name] = first === undefined ? undefined : Buffer.isBuffer(first) ? first : Buffer.from(first);
  }
  return out;
}

function groupByTopic(partitions: TopicPartition[]): { topic: string; partitions: number[] }[] {
  const byTopic = new Map<string, number[]>();
  for (const { topic, partition } of partitions) {
    const list = byTopic.get(topic) ?? [];
    list.push(partition);
    byTopic.set(topic, list);
  }
  return [...byTopic].map(([topic, list]) => ({ topic, partitions: list }));
}

export class KafkajsConsumerClient implements KafkaConsumerClient {
  readonly name = "kafkajs";
  readonly #kafka: Kafka;
  readonly #groupId: string;
  readonly #consumer: Consumer;
  #startFrom: StartFrom = "latest";
  /** Assigned partitions kept paused until their start position is settled. */
  readonly #held = new Set<string>();
  /** Partitions the caller paused: a settled partition resumes only when the caller has not paused it. */
  readonly #pausedByCaller = new Set<string>();
  /** Bumped by every assignment (and close): a settling round that is no longer current stops. */
  #round = 0;

  constructor(options: ConsumerClientOptions) {
    if (options.groupProtocol !== "classic") {
      throw new Error("kafkajs speaks only the classic group protocol (consumer.groupProtocol: classic)");
    }
    this.#kafka = new Kafka(kafkajsConfig(options));
    this.#groupId = options.groupId;
    this.#consumer = this.#kafka.consumer(kafkajsConsumerConfig(options));
  }

  async connect(): Promise<void> {
    await this.#consumer.connect();
  }

  async subscribe(topics: string[], startFrom: "earliest" | "latest"): Promise<void> {
    this.#startFrom = startFrom;
    await this.#consumer.subscribe({ topics, fromBeginning: startFrom === "earliest" });
  }

  async run(listener: ConsumerListener): Promise<void> {
    const { events } = this.#consumer;
    this.#consumer.on(events.GROUP_JOIN, ({ payload }) => {
      const assignment: TopicPartition[] = [];
      for (const [topic, partitions] of Object.entries(payload.memberAssignment)) {
        for (const partition of partitions) assignment.push({ topic, partition });
      }
      // kafkajs's fallback is already earliest, which loses nothing; latest needs the rules of start-positions.ts.
      if (this.#startFrom === "latest") this.#holdUntilStarted(assignment);
      listener.onAssigned(assignment);
    });
    this.#consumer.on(events.REBALANCING, () => listener.onRebalancing());
    this.#consumer.on(events.CRASH, ({ payload }) => {
      if (!payload.restart) listener.onFatal(payload.error);
    });
    await this.#consumer.run({
      autoCommit: false,
      // Offsets are resolved (the fetch position moves on) as soon as a batch is queued; commits are ours.
      eachBatchAutoResolve: true,
      partitionsConsumedConcurrently: 1,
      eachBatch: async ({ batch }) => {
        const { topic, partition } = batch;
        const messages = new Array<ConsumedMessage>(batch.messages.length);
        for (let i = 0; i < batch.messages.length; i++) {
          messages[i] = toMessage(topic, partition, batch.messages[i] as EachBatchPayload["batch"]["messages"][number]);
        }
        listener.onBatch({ topic, partition, messages, highWatermark: Number(batch.highWatermark) });
      },
    });
  }

  /** Pauses every assigned partition (synchronously, before kafkajs fetches) and settles their starts. */
  #holdUntilStarted(assignment: TopicPartition[]): void {
    const round = ++this.#round;
    this.#held.clear();
    if (!assignment.length) return;
    for (const p of assignment) this.#held.add(partitionId(p.topic, p.partition));
    this.#consumer.pause(groupByTopic(assignment));
    void this.#settleStarts(round, assignment);
  }

  /** Seeks and commits the chosen start of each partition without a commit, then lets the partitions fetch. */
  async #settleStarts(round: number, assignment: TopicPartition[]): Promise<void> {
    for (let attempt = 0; round === this.#round; attempt++) {
      try {
        const starts = await this.#readStarts(assignment);
        if (round !== this.#round) return;
        for (const s of starts)
          this.#consumer.seek({ topic: s.topic, partition: s.partition, offset: String(s.offset) });
        // Committed at once: from now on the partition has a commit, so it never counts as new again.
        await this.commit(starts);
        if (round !== this.#round) return;
        this.#held.clear();
        const free = assignment.filter((p) => !this.#pausedByCaller.has(partitionId(p.topic, p.partition)));
        if (free.length) this.#consumer.resume(groupByTopic(free));
        return;
      } catch {
        // Partitions stay paused (nothing is skipped) until the broker answers; a rebalance ends this round.
        await new Promise((resolve) => setTimeout(resolve, Math.min(5000, 250 * 2 ** attempt)));
      }
    }
  }

  async #readStarts(assignment: TopicPartition[]): Promise<(StartChoice & { offset: number })[]> {
    // A fresh admin each round: its metadata must already know the partitions growth has just added.
    const admin = this.#kafka.admin();
    await admin.connect();
    try {
      const topics = [...new Set(assignment.map((p) => p.topic))];
      const committed = (await admin.fetchOffsets({ groupId: this.#groupId, topics })).flatMap((t) =>
        t.partitions.map((p) => ({ topic: t.topic, partition: p.partition, offset: Number(p.offset) })),
      );
      const choices = chooseStarts(assignment, committed, this.#startFrom);
      const bounds = new Map<string, { low: number; high: number }>();
      for (const topic of new Set(choices.map((c) => c.topic))) {
        for (const o of await admin.fetchTopicOffsets(topic)) {
          bounds.set(partitionId(topic, o.partition), { low: Number(o.low), high: Number(o.high) });
        }
      }
      return choices.map((c) => {
        const b = bounds.get(partitionId(c.topic, c.partition));
        if (!b) throw new Error(`no offsets known yet for ${c.topic}-${c.partition}`);
        return { ...c, offset: c.from === "earliest" ? b.low : b.high };
      });
    } finally {
      await admin.disconnect().catch(() => {});
    }
  }

  pause(partitions: TopicPartition[]): void {
    for (const p of partitions) this.#pausedByCaller.add(partitionId(p.topic, p.partition));
    if (partitions.length) this.#consumer.pause(groupByTopic(partitions));
  }

  resume(partitions: TopicPartition[]): void {
    for (const p of partitions) this.#pausedByCaller.delete(partitionId(p.topic, p.partition));
    const free = partitions.filter((p) => !this.#held.has(partitionId(p.topic, p.partition)));
    if (free.length) this.#consumer.resume(groupByTopic(free));
  }

  seek({ topic, partition, offset }: OffsetToCommit): void {
    this.#consumer.seek({ topic, partition, offset: String(offset) });
  }

  async commit(offsets: OffsetToCommit[]): Promise<void> {
    if (!offsets.length) return;
    await this.#consumer.commitOffsets(
      offsets.map((o) => ({ topic: o.topic, partition: o.partition, offset: String(o.offset) })),
    );
  }

  async close(): Promise<void> {
    this.#round++;
    await this.#consumer.disconnect();
  }
}

export class KafkajsProducerClient implements KafkaProducerClient {
  readonly #producer: Producer;

  constructor(options: Parameters<typeof kafkajsConfig>[0]) {
    this.#producer = new Kafka(kafkajsConfig(options)).producer({ allowAutoTopicCreation: false });
  }

  async connect(): Promise<void> {
    await this.#producer.connect();
  }

  async send(topic: string, messages: ProducedMessage[]): Promise<void> {
    await this.#producer.send({
      topic,
      acks: -1,
      messages: messages.map((m) => ({ key: m.key, value: m.value, headers: m.headers })),
    });
  }

  async close(): Promise<void> {
    await this.#producer.disconnect();
  }
}
