// kafkajs behind the runtime's client contract. kafkajs fetches, decodes and heartbeats on the caller's event
// loop, so a busy handler can delay its heartbeats: the Dedicated tier runs this adapter in a worker thread.
import {
  type Consumer,
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
  readonly #consumer: Consumer;

  constructor(options: ConsumerClientOptions) {
    if (options.groupProtocol !== "classic") {
      throw new Error("kafkajs speaks only the classic group protocol (consumer.groupProtocol: classic)");
    }
    this.#consumer = new Kafka(kafkajsConfig(options)).consumer({
      groupId: options.groupId,
      sessionTimeout: options.sessionTimeoutMs,
      heartbeatInterval: options.heartbeatIntervalMs,
      rebalanceTimeout: options.rebalanceTimeoutMs,
      minBytes: options.fetchMinBytes,
      maxWaitTimeInMs: options.fetchMaxWaitMs,
      maxBytesPerPartition: options.maxBytesPerPartition,
      maxBytes: Math.max(options.maxBytesPerPartition * 8, 10 * 1024 * 1024),
      allowAutoTopicCreation: false,
    });
  }

  async connect(): Promise<void> {
    await this.#consumer.connect();
  }

  async subscribe(topics: string[], startFrom: "earliest" | "latest"): Promise<void> {
    await this.#consumer.subscribe({ topics, fromBeginning: startFrom === "earliest" });
  }

  async run(listener: ConsumerListener): Promise<void> {
    const { events } = this.#consumer;
    this.#consumer.on(events.GROUP_JOIN, ({ payload }) => {
      const assignment: TopicPartition[] = [];
      for (const [topic, partitions] of Object.entries(payload.memberAssignment)) {
        for (const partition of partitions) assignment.push({ topic, partition });
      }
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

  pause(partitions: TopicPartition[]): void {
    if (partitions.length) this.#consumer.pause(groupByTopic(partitions));
  }

  resume(partitions: TopicPartition[]): void {
    if (partitions.length) this.#consumer.resume(groupByTopic(partitions));
  }

  async commit(offsets: OffsetToCommit[]): Promise<void> {
    if (!offsets.length) return;
    await this.#consumer.commitOffsets(
      offsets.map((o) => ({ topic: o.topic, partition: o.partition, offset: String(o.offset) })),
    );
  }

  async close(): Promise<void> {
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
