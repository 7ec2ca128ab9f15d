// @platformatic/kafka behind the runtime's client contract. It emits one stream event per message and has no
// per-partition pause: messages are regrouped per partition, and pausing any partition pauses the stream.
// Under the consumer group protocol (KIP-848) the library reports no assignment event: the assignment is read
// from the consumer whenever it may have changed (after each heartbeat, before each delivered message).
import {
  Consumer,
  type ConsumerOptions,
  type Message,
  type MessagesStream,
  type SASLOptions,
} from "@platformatic/kafka";
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
import { fallbackForGroup } from "./group-commits.ts";

type RawMessage = Message<Buffer, Buffer, Buffer, Buffer>;

export class PlatformaticConsumerClient implements KafkaConsumerClient {
  readonly name = "platformatic";
  readonly #options: ConsumerClientOptions;
  /** Replaced by a new one when the group no longer knows this member (see #rejoin). */
  #consumer: Consumer<Buffer, Buffer, Buffer, Buffer>;
  #stream: MessagesStream<Buffer, Buffer, Buffer, Buffer> | undefined;
  #topics: string[] = [];
  /** Where partitions without a committed offset start: chosen from the group's commits (start-fallback.ts). */
  #startFrom: "earliest" | "latest" = "latest";
  readonly #paused = new Set<string>();
  readonly #leaderEpochs = new Map<string, number>();
  /** Messages of the current tick, regrouped per partition. */
  #pending = new Map<string, FetchedBatch>();
  #flushScheduled = false;
  /** Log-end offsets per partition, refreshed every few seconds: the stream's messages do not carry them. */
  #highWatermarks = new Map<string, number>();
  #watermarkTimer: NodeJS.Timeout | undefined;
  #listener: ConsumerListener | undefined;
  /** The consumer's assignment last reported to the listener (consumer protocol). */
  #reportedAssignments: unknown = null;
  readonly #followsAssignment: boolean;
  /** Partitions of the assignment last reported, by partitionId. */
  readonly #assigned = new Set<string>();
  #closing = false;
  #reconnectAttempt = 0;
  #reconnectTimer: NodeJS.Timeout | undefined;
  #rejoining = false;

  constructor(options: ConsumerClientOptions) {
    this.#options = options;
    this.#followsAssignment = options.groupProtocol === "consumer";
    this.#consumer = new Consumer(platformaticConsumerOptions(options));
  }

  async connect(): Promise<void> {
    await this.#consumer.metadata({ topics: [] });
  }

  async subscribe(topics: string[], startFrom: "earliest" | "latest"): Promise<void> {
    this.#topics = topics;
    this.#startFrom = await fallbackForGroup(this.#options, topics, startFrom);
  }

  async run(listener: ConsumerListener): Promise<void> {
    this.#listener = listener;
    this.#wire(this.#consumer);
    const stream = await this.#joinOnceInstanceIdReleased();
    this.#checkAssignment();
    this.#attach(stream);
    this.#watermarkTimer = setInterval(() => void this.#refreshWatermarks(), 5000).unref();
    void this.#refreshWatermarks();
  }

  /**
   * The first join. While the broker still holds this Pod's instance id for the member that crashed, joining is
   * tried again with a fresh consumer instead of ending the process: ended, the container would be restarted
   * only after the kubelet's back-off, and repeated crashes would grow it.
   */
  async #joinOnceInstanceIdReleased() {
    const deadline = Date.now() + INSTANCE_ID_RELEASE_WAIT_MS;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#consumer.consume(this.#consumeOptions());
      } catch (error) {
        if (!instanceIdStillHeld(error) || this.#closing || Date.now() >= deadline) throw error;
        await withTimeout(
          this.#consumer.close(true).catch(() => {}),
          10_000,
        );
        this.#consumer = new Consumer(platformaticConsumerOptions(this.#options));
        this.#wire(this.#consumer);
        const delayMs = reconnectDelayMs(attempt);
        this.#listener?.onReconnecting(error as Error, attempt, delayMs);
        await new Promise((resolve) => setTimeout(resolve, delayMs));
      }
    }
  }

  #wire(consumer: Consumer<Buffer, Buffer, Buffer, Buffer>): void {
    const current = () => consumer === this.#consumer && !this.#closing;
    if (this.#options.groupProtocol === "consumer") {
      consumer.on("consumer:heartbeat:end", () => {
        if (current()) this.#checkAssignment();
      });
      consumer.on("consumer:heartbeat:error", (payload: { error?: Error }) => {
        if (current() && payload?.error && membershipLost(payload.error)) void this.#rejoin(payload.error);
      });
    } else {
      consumer.on("consumer:group:join", (payload) => {
        if (current()) this.#report(payload.assignments ?? []);
      });
    }
    consumer.on("consumer:group:rebalance", () => {
      if (current()) this.#listener?.onRebalancing();
    });
  }

  /**
   * Consumer protocol: the coordinator no longer knows this member (its session expired while the process was
   * frozen, or the network between them was cut). @platformatic/kafka keeps heartbeating as that member and
   * keeps fetching its old partitions, which the group has given to others. Everything it held is given up
   * (reported as an empty assignment, so nothing of it is handled or committed any more) and a new consumer
   * joins the group in its place.
   */
  async #rejoin(cause: Error): Promise<void> {
    if (this.#closing || this.#rejoining) return;
    this.#rejoining = true;
    const old = this.#consumer;
    const oldStream = this.#stream;
    this.#stream = undefined;
    clearTimeout(this.#reconnectTimer);
    this.#reportedAssignments = null;
    this.#report([]);
    const lost = new Error(`the group no longer knows this member (${cause.message}); joining again`);
    this.#listener?.onReconnecting(lost, 1, 0);
    await withTimeout(
      (async () => {
        if (oldStream && !oldStream.closed) await oldStream.close().catch(() => {});
        await old.close(true).catch(() => {});
      })(),
      10_000,
    );
    for (let attempt = 1; !this.#closing; attempt++) {
      const consumer = new Consumer(platformaticConsumerOptions(this.#options));
      this.#consumer = consumer;
      this.#wire(consumer);
      try {
        const stream = await consumer.consume(this.#consumeOptions());
        if (this.#closing) {
          await stream.close().catch(() => {});
          break;
        }
        this.#reconnectAttempt = 0;
        this.#checkAssignment();
        this.#attach(stream);
        break;
      } catch (error) {
        await withTimeout(
          consumer.close(true).catch(() => {}),
          10_000,
        );
        const delayMs = reconnectDelayMs(attempt);
        this.#listener?.onReconnecting(error as Error, attempt + 1, delayMs);
        await new Promise((resolve) => setTimeout(resolve, delayMs));
      }
    }
    this.#rejoining = false;
  }

  #consumeOptions() {
    const classic =
      this.#options.groupProtocol === "classic"
        ? { sessionTimeout: this.#options.sessionTimeoutMs, heartbeatInterval: this.#options.heartbeatIntervalMs }
        : {};
    return {
      topics: this.#topics,
      mode: "committed" as const,
      fallbackMode: this.#startFrom,
      autocommit: false,
      ...classic,
      rebalanceTimeout: this.#options.rebalanceTimeoutMs,
      highWaterMark: 4096,
    };
  }

  #attach(stream: MessagesStream<Buffer, Buffer, Buffer, Buffer>): void {
    const listener = this.#listener as ConsumerListener;
    this.#stream = stream;
    if (this.#paused.size > 0) stream.pause();
    stream.on("error", (error) => this.#lost(stream, error));
    stream.on("data", (message: RawMessage) => this.#collect(message, listener));
  }

  /**
   * The stream gave up (a fetch or metadata request kept failing: the broker restarted, or went away for longer
   * than the library's retries). The consumer and its group membership live on; a new stream is started after a
   * backoff, for as long as it takes. The topics stay subscribed meanwhile (a hold on the consumer's topic
   * count), so the member neither leaves nor rejoins the group: a broker that comes back finds it unchanged.
   */
  #lost(stream: MessagesStream<Buffer, Buffer, Buffer, Buffer>, error: Error): void {
    if (this.#closing || stream !== this.#stream) return;
    this.#stream = undefined;
    this.#consumer.topics.trackAll(...this.#topics);
    this.#retryLater(error);
  }

  #retryLater(error: Error): void {
    if (this.#closing) return;
    this.#reconnectAttempt++;
    const delayMs = reconnectDelayMs(this.#reconnectAttempt);
    this.#listener?.onReconnecting(error, this.#reconnectAttempt, delayMs);
    this.#reconnectTimer = setTimeout(() => void this.#reconsume(), delayMs);
  }

  async #reconsume(): Promise<void> {
    this.#reconnectTimer = undefined;
    if (this.#closing) return;
    let stream: MessagesStream<Buffer, Buffer, Buffer, Buffer>;
    try {
      stream = await this.#consumer.consume(this.#consumeOptions());
    } catch (error) {
      this.#retryLater(error as Error);
      return;
    }
    // The new stream holds the topics itself: release the hold taken when the last one was lost.
    this.#consumer.topics.untrackAll(...this.#topics);
    if (this.#closing) {
      await stream.close().catch(() => {});
      return;
    }
    stream.once("data", () => {
      this.#reconnectAttempt = 0;
    });
    this.#attach(stream);
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

  /**
   * Consumer protocol only: reports the assignment when the consumer's changed. The library replaces its
   * `assignments` array on every change, so comparing the reference is enough.
   */
  #checkAssignment(): void {
    if (!this.#followsAssignment || !this.#listener) return;
    const current = this.#consumer.assignments;
    if (current === null || current === this.#reportedAssignments) return;
    this.#reportedAssignments = current;
    this.#report(current);
  }

  #report(assignments: readonly { topic: string; partitions: number[] }[]): void {
    const assignment: TopicPartition[] = [];
    this.#assigned.clear();
    for (const a of assignments) {
      for (const partition of a.partitions) {
        assignment.push({ topic: a.topic, partition });
        this.#assigned.add(partitionId(a.topic, partition));
      }
    }
    this.#listener?.onAssigned(assignment);
  }

  #collect(message: RawMessage, listener: ConsumerListener): void {
    if (this.#followsAssignment && this.#consumer.assignments !== this.#reportedAssignments) this.#checkAssignment();
    const id = partitionId(message.topic, message.partition);
    // Records fetched before a partition was revoked still come out of the stream: its next owner handles them.
    if (!this.#assigned.has(id)) return;
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

  seek({ topic, partition, offset }: OffsetToCommit): void {
    // The stream's next fetch of the partition starts at its entry in offsetsToFetch (keyed "topic:partition").
    this.#stream?.offsetsToFetch.set(`${topic}:${partition}`, BigInt(offset));
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
    this.#closing = true;
    this.#rejoining = false;
    clearTimeout(this.#reconnectTimer);
    clearInterval(this.#watermarkTimer);
    if (this.#stream && !this.#stream.closed) await this.#stream.close();
    await this.#consumer.close();
  }
}

/**
 * Consumer protocol: whether a heartbeat error says the coordinator does not know the member any more
 * (UNKNOWN_MEMBER_ID anywhere in the error's chain). FENCED_MEMBER_EPOCH is not: the library rejoins by itself.
 */
export function membershipLost(error: unknown): boolean {
  return carriesApiError(error, "UNKNOWN_MEMBER_ID");
}

/**
 * Static membership: a container restarted after a crash joins with its Pod's instance id while the broker
 * still holds that id for the dead member, until the dead member's session ends.
 */
export function instanceIdStillHeld(error: unknown): boolean {
  return carriesApiError(error, "UNRELEASED_INSTANCE_ID");
}

/** Whether Kafka's error `apiId` is in the error, the errors it gathers, or its causes. */
function carriesApiError(error: unknown, apiId: string): boolean {
  const seen = new Set<unknown>();
  const walk = (e: unknown): boolean => {
    if (!e || typeof e !== "object" || seen.has(e)) return false;
    seen.add(e);
    const found = e as { apiId?: unknown; errors?: unknown; cause?: unknown };
    if (found.apiId === apiId) return true;
    if (Array.isArray(found.errors) && found.errors.some(walk)) return true;
    return walk(found.cause);
  };
  return walk(error);
}

/**
 * How long a first join waits for the broker to release this Pod's instance id: the consumer protocol's
 * session (the broker's group.consumer.session.timeout.ms, 45 s by default) and some margin.
 */
export const INSTANCE_ID_RELEASE_WAIT_MS = 75_000;

function withTimeout(work: Promise<unknown>, ms: number): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    work,
    new Promise((resolve) => {
      timer = setTimeout(resolve, ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/**
 * Wait before starting a new stream after the `attempt`th loss in a row: 0.5 s doubling to 5 s. Each attempt
 * already spends the library's own retries (about 6 s against a broker that is down), so a short cap keeps a
 * broker that came back from waiting on a long sleep.
 */
export function reconnectDelayMs(attempt: number): number {
  return Math.min(5000, 500 * 2 ** Math.min(Math.max(attempt - 1, 0), 4));
}

/** What @platformatic/kafka's consumer is given: each tuning value of the group's consumer settings reaches one option. */
export function platformaticConsumerOptions(
  options: ConsumerClientOptions,
): ConsumerOptions<Buffer, Buffer, Buffer, Buffer> {
  // Under the consumer protocol the broker sets the session timeout and heartbeat interval; the library still
  // checks its own (default 60 s) against the rebalance timeout, so it gets values that pass and mean nothing.
  const unusedSession = Math.min(options.sessionTimeoutMs, options.rebalanceTimeoutMs);
  const group =
    options.groupProtocol === "consumer"
      ? {
          groupProtocol: "consumer" as const,
          rebalanceTimeout: options.rebalanceTimeoutMs,
          sessionTimeout: unusedSession,
          heartbeatInterval: Math.min(options.heartbeatIntervalMs, unusedSession),
        }
      : {
          groupProtocol: "classic" as const,
          sessionTimeout: options.sessionTimeoutMs,
          heartbeatInterval: options.heartbeatIntervalMs,
          rebalanceTimeout: options.rebalanceTimeoutMs,
        };
  return {
    clientId: options.clientId,
    groupId: options.groupId,
    groupInstanceId: options.groupInstanceId,
    bootstrapBrokers: options.bootstrapServers,
    ...group,
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
  };
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
