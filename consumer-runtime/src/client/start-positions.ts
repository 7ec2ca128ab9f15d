// Where an assigned partition without a committed offset starts. Kafka's own fallback (auto.offset.reset)
// applies startFrom to every such partition, so with latest a partition added by growing the topic starts at
// its end and skips what producers wrote to it before the group noticed it. Here, in order:
//   1. a committed offset wins (nothing to choose);
//   2. a partition without one, on a topic where the group has committed offsets, is new: its first offset;
//   3. otherwise the group meets the topic for the first time: startFrom decides.
// The chosen position is committed at once (see docs/adr/0008), so every partition the group has started has a
// commit, and rule 2 only ever meets partitions that no member has started: the ones growth added.
import type { TopicPartition } from "./contract.ts";
import { partitionId } from "./contract.ts";

export type StartFrom = "earliest" | "latest";

export interface CommittedReading extends TopicPartition {
  /** The group's committed offset; negative when it has none. */
  offset: number;
}

export interface StartChoice extends TopicPartition {
  from: StartFrom;
}

/** The partitions of `assigned` that have no committed offset, each with where it starts. */
export function chooseStarts(
  assigned: readonly TopicPartition[],
  committed: readonly CommittedReading[],
  startFrom: StartFrom,
): StartChoice[] {
  const withCommit = new Set<string>();
  const topicsWithCommits = new Set<string>();
  for (const c of committed) {
    if (c.offset < 0) continue;
    withCommit.add(partitionId(c.topic, c.partition));
    topicsWithCommits.add(c.topic);
  }
  return assigned
    .filter((p) => !withCommit.has(partitionId(p.topic, p.partition)))
    .map((p) => ({
      topic: p.topic,
      partition: p.partition,
      from: topicsWithCommits.has(p.topic) ? "earliest" : startFrom,
    }));
}
