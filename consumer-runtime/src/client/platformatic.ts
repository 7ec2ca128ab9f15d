// @platformatic/kafka behind the runtime's client contract. It emits one stream event per message and has no
// per-partition pause: messages are regrouped per partition, and pausing any partition pauses the stream.
import { Consumer, type Message, type MessagesStream, type SASLOptions } from "@platformatic/kafka";
import type {
  ConsumedMessage,
  ConsumerClientOptions,
  ConsumerListener,
  FetchedBatch,
  KafkaConsumerClient,
  OffsetToCommit,
  TopicPartition,
} from "./contract.ts";
import { partitionId } from "./contract.ts";

type RawMessage = Message<Buffer, Buffer, Buffer, Buffer>;

export class PlatformaticConsumerClient implements KafkaConsumerClient {
  readonly name = "platformatic";
  readonly #options: ConsumerClientOptions;
  readonly #consumer: Consumer<Buffer, Buffer, Buffer, Buffer>;
  #stream: MessagesStream<Buffer, Buffer, Buffer, Buffer> | undefined;
  #topics: string[] = [];
  #startFrom: "earliest" | "latest" = "latest";
  readonly #paused = new Set<string>();
  readonly #leaderEpochs = new Map<string, number>();
  /** Messages of the current tick, regrouped per partition. */
  #pending = new Map<string, FetchedBatch>();
  #flushScheduled = false;
  /** Log-end offsets per partition, refreshed every few seconds: the stream's messages do not carry them. */
  #highWatermarks = new Map<string, number>();
  #watermarkTimer: NodeJS.Timeout | undefined;

  constructor(options: ConsumerClientOptions) {
    this.#options = options;
    this.#consumer = new Consumer({
      clientId: options.clientId,
      groupId: options.groupId,
      groupInstanceId: options.groupInstanceId,
      bootstrapBrokers: options.bootstrapServers,
      sessionTimeout: options.sessionTimeoutMs,
      heartbeatInterval: options.heartbeatIntervalMs,
      rebalanceTimeout: options.rebalanceTimeoutMs,
      minBytes: options.fetchMinBytes,
      maxWaitTime: options.fetchMaxWaitMs,
      maxBytesPerPartition: options.maxBytesPerPartition,
      maxBytes: Math.max(options.maxBytesPerPartition * 8, 10 * 1024 * 1024),
      autocommit: false,
      retries: 5,
      timeout: options.requestTimeoutMs,
      sasl: options.sasl
        ? ({
            mechanism: options.sasl.mechanism.toUpperCase(),
            username: options.sasl.username,
            password: options.sasl.password,
          } as SASLOptions)
        : undefined,
      tls: options.tls
        ? {
            ca: options.tls.ca,
            cert: options.tls.cert,
            key: options.tls.key,
            rejectUnauthorized: !options.tls.insecureSkipVerify,
          }
        : undefined,
    });
  }

  async connect(): Promise<void> {
    await this.#consumer.metadata({ topics: [] });
  }

  async subscribe(topics: string[], startFrom: "earliest" | "latest"): Promise<void> {
    this.#topics = topics;
    this.#startFrom = startFrom;
  }

  async run(listener: ConsumerListener): Promise<void> {
    this.#consumer.on("consumer:group:join", (payload) => {
      const assignment: TopicPartition[] = [];
      for (const a of payload.assignments ?? []) {
        for (const partition of a.partitions) assignment.push({ topic: a.topic, partition });
      }
      listener.onAssigned(assignment);
    });
    this.#consumer.on("consumer:group:rebalance", () => listener.onRebalancing());
    const stream = await this.#consumer.consume({
      topics: this.#topics,
      mode: "committed",
      fallbackMode: this.#startFrom,
      autocommit: false,
      sessionTimeout: this.#options.sessionTimeoutMs,
      heartbeatInterval: this.#options.heartbeatIntervalMs,
      rebalanceTimeout: this.#options.rebalanceTimeoutMs,
      highWaterMark: 4096,
    });
    this.#stream = stream;
    this.#watermarkTimer = setInterval(() => void this.#refreshWatermarks(), 5000).unref();
    void this.#refreshWatermarks();
    stream.on("error", (error) => listener.onFatal(error));
    stream.on("data", (message: RawMessage) => this.#collect(message, listener));
  }

  async #refreshWatermarks(): Promise<void> {
    try {
      const offsets = await this.#consumer.listOffsets({ topics: this.#topics, timestamp: -1n });
      for (const [topic, perPartition] of offsets) {
        perPartition.forEach((offset, partition) => {
          this.#highWatermarks.set(partitionId(topic, partition), Number(offset));
        });
      }
    } catch {
      // Only the lag metric depends on this; the next refresh tries again.
    }
  }

  #collect(message: RawMessage, listener: ConsumerListener): void {
    const id = partitionId(message.topic, message.partition);
    let batch = this.#pending.get(id);
    if (!batch) {
      const highWatermark = this.#highWatermarks.get(id);
      batch = { topic: message.topic, partition: message.partition, messages: [], highWatermark };
      this.#pending.set(id, batch);
    }
    batch.messages.push(toMessage(message));
    this.#leaderEpochs.set(id, message.leaderEpoch ?? -1);
    if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      queueMicrotask(() => {
        this.#flushScheduled = false;
        const pending = this.#pending;
        this.#pending = new Map();
        for (const b of pending.values()) listener.onBatch(b);
      });
    }
  }

  pause(partitions: TopicPartition[]): void {
    for (const p of partitions) this.#paused.add(partitionId(p.topic, p.partition));
    if (this.#paused.size > 0) this.#stream?.pause();
  }

  resume(partitions: TopicPartition[]): void {
    for (const p of partitions) this.#paused.delete(partitionId(p.topic, p.partition));
    if (this.#paused.size === 0) this.#stream?.resume();
  }

  async commit(offsets: OffsetToCommit[]): Promise<void> {
    if (!offsets.length) return;
    await this.#consumer.commit({
      offsets: offsets.map((o) => ({
        topic: o.topic,
        partition: o.partition,
        offset: BigInt(o.offset),
        leaderEpoch: this.#leaderEpochs.get(partitionId(o.topic, o.partition)) ?? -1,
      })),
    });
  }

  async close(): Promise<void> {
    clearInterval(this.#watermarkTimer);
    if (this.#stream && !this.#stream.closed) await this.#stream.close();
    await this.#consumer.close();
  }
}

function toMessage(m: RawMessage): ConsumedMessage {
  const headers: Record<string, Buffer | undefined> = {};
  for (const [name, value] of m.headers) headers[name.toString()] = value;
  return {
    topic: m.topic,
    partition: m.partition,
    offset: Number(m.offset),
    timestamp: Number(m.timestamp),
    key: m.key ?? null,
    value: m.value ?? null,
    headers,
  };
}
