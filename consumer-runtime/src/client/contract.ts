// The runtime's own narrow view of a Kafka consumer and producer. Tiers and the pipeline speak only this;
// each library sits behind one adapter, so a client can be swapped by measurement, not by rewrite.

export interface TopicPartition {
  topic: string;
  partition: number;
}

export interface ConsumedMessage {
  topic: string;
  partition: number;
  /** Offsets are below 2^53 in any real log, so a number is exact and cheaper than a bigint. */
  offset: number;
  /** Milliseconds since the epoch, as set by the producer or the broker. */
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, Buffer | undefined>;
}

export interface FetchedBatch {
  topic: string;
  partition: number;
  /** In offset order. */
  messages: ConsumedMessage[];
  /** Log-end offset of the partition when the batch was fetched, when the client knows it. */
  highWatermark?: number;
}

export interface OffsetToCommit extends TopicPartition {
  /** The next offset to read (Kafka's convention): the last done offset + 1. */
  offset: number;
}

export interface ConsumerListener {
  /** Called with every fetched batch; must return quickly (the pipeline queues, it does not process here). */
  onBatch(batch: FetchedBatch): void;
  /** The group (re)assigned partitions; the full new assignment. */
  onAssigned(assignment: TopicPartition[]): void;
  /** A rebalance started: in-flight work may be lost to another member; commit what is done now. */
  onRebalancing(): void;
  /** The client stopped and will not recover by itself. */
  onFatal(error: Error): void;
  /**
   * The client lost its fetch stream (the broker went away, a request kept failing) and builds it again after
   * `delayMs`, keeping its group membership when the broker still knows it; or the group lost the member, and
   * the client joins again (after reporting an empty assignment). Nothing is lost: fetching resumes from the
   * committed offsets, and records already handed over are recognised by their offsets.
   */
  onReconnecting(error: Error, attempt: number, delayMs: number): void;
}

export interface ConsumerClientOptions {
  clientId: string;
  groupId: string;
  /**
   * consumer: Kafka 4's group protocol (KIP-848): the broker assigns partitions and only those that move stop;
   * the session timeout and heartbeat interval are then the broker's (group.consumer.*). classic: the group
   * stops for every membership change. Only @platformatic/kafka speaks `consumer`.
   */
  groupProtocol: "consumer" | "classic";
  /**
   * Static membership (group.instance.id): a member that comes back under the same id within the session
   * timeout gets its partitions back without a rebalance, so the rest of the group keeps working. Unset: a
   * dynamic member. Only clients that support it use it (kafkajs 2.2.4 does not).
   */
  groupInstanceId?: string;
  bootstrapServers: string[];
  sasl?: { mechanism: "plain" | "scram-sha-256" | "scram-sha-512"; username: string; password: string };
  tls?: { ca?: string; cert?: string; key?: string; insecureSkipVerify: boolean };
  sessionTimeoutMs: number;
  heartbeatIntervalMs: number;
  rebalanceTimeoutMs: number;
  requestTimeoutMs: number;
  fetchMinBytes: number;
  fetchMaxWaitMs: number;
  maxBytesPerPartition: number;
}

export interface KafkaConsumerClient {
  readonly name: string;
  connect(): Promise<void>;
  subscribe(topics: string[], startFrom: "earliest" | "latest"): Promise<void>;
  /** Joins the group and starts fetching; resolves once running. */
  run(listener: ConsumerListener): Promise<void>;
  pause(partitions: TopicPartition[]): void;
  resume(partitions: TopicPartition[]): void;
  commit(offsets: OffsetToCommit[]): Promise<void>;
  /**
   * Fetches the partition again from `offset`: later batches of it start there. Batches fetched before the call
   * may still arrive; the caller drops them.
   */
  seek(partition: OffsetToCommit): void;
  /** Stops fetching, leaves the group and disconnects. */
  close(): Promise<void>;
}

export interface ProducedMessage {
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, Buffer | string | undefined>;
}

export interface KafkaProducerClient {
  connect(): Promise<void>;
  /** Resolves once the broker acknowledged every message (acks=all). */
  send(topic: string, messages: ProducedMessage[]): Promise<void>;
  close(): Promise<void>;
}

export function partitionId(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}
