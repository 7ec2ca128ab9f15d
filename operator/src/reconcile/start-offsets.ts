// Which offsets the operator commits for a group before its consumers start, so that a consumer runtime
// finds commits on every topic and starts partitions added by growth at their first offset (docs/adr/0011).
// Pure: the caller reads Kafka and commits. In order:
//   1. startFrom earliest: nothing (a partition without a commit already starts at its first offset);
//   2. Kafka was not read in this reconcile: nothing (decided on the next poll);
//   3. the group has members: nothing (their consumers already started; Kafka would refuse anyway);
//   4. each topic the group has never committed on (no partition with a commit): every partition at its log
//      end, which is where `latest` would have started it. Topics with any commit are left alone: a partition
//      without one there is new and must start at its first offset.
import type { CommittedOffset } from "../kafka/admin.ts";
import type { Poll, StartFrom } from "../lag/types.ts";

export interface StartOffsetsInput {
  startFrom: StartFrom;
  /** This reconcile's reading of Kafka; undefined when none was due or Kafka did not answer. */
  poll: Poll | undefined;
}

export function startOffsetsToCommit({ startFrom, poll }: StartOffsetsInput): CommittedOffset[] {
  if (startFrom === "earliest" || poll === undefined || poll.members > 0) return [];
  const committedTopics = new Set(poll.partitions.filter((p) => p.committedOffset >= 0).map((p) => p.topic));
  return poll.partitions
    .filter((p) => !committedTopics.has(p.topic))
    .map((p) => ({ topic: p.topic, partition: p.partition, offset: p.logEndOffset }));
}
