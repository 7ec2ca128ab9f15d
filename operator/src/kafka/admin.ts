// The operator's narrow view of Kafka administration, with a kafkajs adapter behind it; what kafkajs cannot ask
// (the consumer group protocol of KIP-848) goes through consumer-protocol.ts.
import { type Admin, AssignerProtocol } from "kafkajs";
import { type KafkaConnection, kafkaClient } from "./connection.ts";
import { type ConsumerProtocolClient, consumerProtocolClient } from "./consumer-protocol.ts";

export interface PartitionOffsets {
  topic: string;
  partition: number;
  /** First offset still in the log (older records were removed by retention). */
  logStartOffset: number;
  /** Offset the next produced record will get. */
  logEndOffset: number;
}

export interface CommittedOffset {
  topic: string;
  partition: number;
  /** -1 when the group has not committed on this partition yet. */
  offset: number;
}

export interface GroupMember {
  memberId: string;
  clientId: string;
  host: string;
  /** Partitions assigned to the member; empty while a rebalance is in progress or for non-consumer groups. */
  assignment: { topic: string; partition: number }[];
}

export interface GroupDescription {
  /** Kafka's group state: Stable, PreparingRebalance, CompletingRebalance, Empty, Dead or Unknown. */
  state: string;
  members: GroupMember[];
}

export interface KafkaAdmin {
  /** Creates the topic when missing; returns false when it already existed. */
  createTopic(topic: string, partitions: number, replicationFactor?: number): Promise<boolean>;
  partitionCounts(topics: string[]): Promise<Map<string, number>>;
  /** Those of `topics` the cluster does not have, asked without naming them (a missing name is an error). */
  missingTopics(topics: string[]): Promise<string[]>;
  logOffsets(topics: string[]): Promise<PartitionOffsets[]>;
  committedOffsets(groupId: string, topics: string[]): Promise<CommittedOffset[]>;
  clusterId(): Promise<string>;
  /** Group state, members and their assignments, whichever group protocol the group runs. */
  describeGroup(groupId: string): Promise<GroupDescription>;
  /** Whether the broker speaks the consumer group protocol (KIP-848: ConsumerGroupHeartbeat, API key 68). */
  supportsConsumerProtocol(): Promise<boolean>;
  /** Grows a topic to `count` partitions in total (Kafka cannot shrink them). */
  createPartitions(topic: string, count: number): Promise<void>;
  /**
   * Commits offsets for a group from outside it. Kafka accepts that only while the group has no members:
   * false when it refused for that reason (the consumers run; nothing was written).
   */
  commitOffsetsWhileEmpty(groupId: string, offsets: CommittedOffset[]): Promise<boolean>;
  close(): Promise<void>;
}

export async function connectAdmin(connection: KafkaConnection): Promise<KafkaAdmin> {
  const admin = kafkaClient(connection).admin();
  await admin.connect();
  return new KafkajsAdmin(admin, consumerProtocolClient(connection));
}

class KafkajsAdmin implements KafkaAdmin {
  readonly #admin: Admin;
  readonly #consumerProtocol: ConsumerProtocolClient;

  constructor(admin: Admin, consumerProtocol: ConsumerProtocolClient) {
    this.#admin = admin;
    this.#consumerProtocol = consumerProtocol;
  }

  supportsConsumerProtocol(): Promise<boolean> {
    return this.#consumerProtocol.supportsConsumerProtocol();
  }

  async createTopic(topic: string, partitions: number, replicationFactor = 1): Promise<boolean> {
    return this.#admin.createTopics({
      topics: [{ topic, numPartitions: partitions, replicationFactor }],
      waitForLeaders: true,
    });
  }

  async partitionCounts(topics: string[]): Promise<Map<string, number>> {
    const metadata = await this.#admin.fetchTopicMetadata({ topics });
    return new Map(metadata.topics.map((t) => [t.name, t.partitions.length]));
  }

  async missingTopics(topics: string[]): Promise<string[]> {
    const existing = new Set(await this.#admin.listTopics());
    return topics.filter((topic) => !existing.has(topic));
  }

  async logOffsets(topics: string[]): Promise<PartitionOffsets[]> {
    const perTopic = await Promise.all(
      topics.map(async (topic) => {
        const offsets = await this.#admin.fetchTopicOffsets(topic);
        return offsets.map((o) => ({
          topic,
          partition: o.partition,
          logStartOffset: Number(o.low),
          logEndOffset: Number(o.high),
        }));
      }),
    );
    return perTopic.flat().sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
  }

  async committedOffsets(groupId: string, topics: string[]): Promise<CommittedOffset[]> {
    const result = await this.#admin.fetchOffsets({ groupId, topics });
    return result.flatMap((t) =>
      t.partitions.map((p) => ({ topic: t.topic, partition: p.partition, offset: Number(p.offset) })),
    );
  }

  async clusterId(): Promise<string> {
    return (await this.#admin.describeCluster()).clusterId;
  }

  async describeGroup(groupId: string): Promise<GroupDescription> {
    const consumerGroup = await this.#consumerProtocol.describeConsumerGroup(groupId);
    if (consumerGroup) return consumerGroup;
    const { groups } = await this.#admin.describeGroups([groupId]);
    const group = groups.find((g) => g.groupId === groupId);
    if (group === undefined) return { state: "Unknown", members: [] };
    return {
      state: group.state,
      members: group.members.map((m) => ({
        memberId: m.memberId,
        clientId: m.clientId,
        host: m.clientHost,
        assignment: group.protocolType === "consumer" ? decodeAssignment(m.memberAssignment) : [],
      })),
    };
  }

  async createPartitions(topic: string, count: number): Promise<void> {
    await this.#admin.createPartitions({ topicPartitions: [{ topic, count }] });
  }

  commitOffsetsWhileEmpty(groupId: string, offsets: CommittedOffset[]): Promise<boolean> {
    return this.#consumerProtocol.commitWhileEmpty(groupId, offsets);
  }

  async close(): Promise<void> {
    await Promise.all([this.#admin.disconnect(), this.#consumerProtocol.close()]);
  }
}

function decodeAssignment(buffer: Buffer): { topic: string; partition: number }[] {
  if (buffer.length === 0) return [];
  try {
    const decoded = AssignerProtocol.MemberAssignment.decode(buffer);
    if (decoded === null) return [];
    return Object.entries(decoded.assignment).flatMap(([topic, partitions]) =>
      partitions.map((partition) => ({ topic, partition })),
    );
  } catch {
    // An assignment we cannot read (another client's format) leaves ownership unknown, not wrong.
    return [];
  }
}
