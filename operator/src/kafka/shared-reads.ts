// Reads every group of a cluster asks alike (the topic list, a topic's partitions and log offsets), shared
// while in flight: when many groups poll at once (an operator start, a thousand groups created together),
// Kafka answers each distinct question once, not once per group. Only calls already under way are shared, so
// no answer is older than the call that asked for it. Per-group reads (committed offsets, the group's
// members) and writes pass through.
import type { KafkaAdmin, PartitionOffsets } from "./admin.ts";

class InFlight {
  readonly #calls = new Map<string, Promise<unknown>>();

  share<T>(key: string, call: () => Promise<T>): Promise<T> {
    const running = this.#calls.get(key);
    if (running) return running as Promise<T>;
    const started = call().finally(() => this.#calls.delete(key));
    this.#calls.set(key, started);
    return started;
  }
}

export function withSharedReads(admin: KafkaAdmin): KafkaAdmin {
  const inFlight = new InFlight();
  const key = (what: string, topics: string[]) => `${what}:${[...topics].sort().join(",")}`;
  return {
    createTopic: (topic, partitions, replicationFactor) => admin.createTopic(topic, partitions, replicationFactor),
    partitionCounts: (topics) => inFlight.share(key("partitions", topics), () => admin.partitionCounts(topics)),
    missingTopics: (topics) => inFlight.share(key("missing", topics), () => admin.missingTopics(topics)),
    async logOffsets(topics) {
      // One shared call per topic: groups reading overlapping topic sets still share each topic's answer.
      const perTopic = await Promise.all(
        topics.map((topic) => inFlight.share(key("offsets", [topic]), () => admin.logOffsets([topic]))),
      );
      return perTopic.flat().sort(byTopicPartition);
    },
    committedOffsets: (groupId, topics) => admin.committedOffsets(groupId, topics),
    clusterId: () => admin.clusterId(),
    describeGroup: (groupId) => admin.describeGroup(groupId),
    supportsConsumerProtocol: () => inFlight.share("consumer-protocol", () => admin.supportsConsumerProtocol()),
    createPartitions: (topic, count) => admin.createPartitions(topic, count),
    commitOffsetsWhileEmpty: (groupId, offsets) => admin.commitOffsetsWhileEmpty(groupId, offsets),
    close: () => admin.close(),
  };
}

const byTopicPartition = (a: PartitionOffsets, b: PartitionOffsets) =>
  a.topic.localeCompare(b.topic) || a.partition - b.partition;
