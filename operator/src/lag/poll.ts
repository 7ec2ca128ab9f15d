// Assembles one Poll from the admin adapter's answers (the I/O happens in the caller).
import type { CommittedOffset, GroupDescription, PartitionOffsets } from "../kafka/admin.ts";
import { partitionKey } from "./history.ts";
import type { GroupState, Poll } from "./types.ts";

const knownStates: readonly GroupState[] = [
  "Unknown",
  "PreparingRebalance",
  "CompletingRebalance",
  "Stable",
  "Dead",
  "Empty",
];

export function groupState(state: string): GroupState {
  return (knownStates as readonly string[]).includes(state) ? (state as GroupState) : "Unknown";
}

export interface PollParts {
  timeMs: number;
  logOffsets: readonly PartitionOffsets[];
  committed: readonly CommittedOffset[];
  group: GroupDescription;
}

/** One observation per partition of the log offsets; a partition with no committed entry counts as -1. */
export function buildPoll({ timeMs, logOffsets, committed, group }: PollParts): Poll {
  const committedBy = new Map(committed.map((c) => [partitionKey(c.topic, c.partition), c.offset]));
  const ownerBy = new Map<string, string>();
  for (const member of group.members) {
    for (const a of member.assignment) ownerBy.set(partitionKey(a.topic, a.partition), member.memberId);
  }
  return {
    timeMs,
    groupState: groupState(group.state),
    members: group.members.length,
    partitions: logOffsets.map((o) => {
      const key = partitionKey(o.topic, o.partition);
      const owner = ownerBy.get(key);
      return {
        topic: o.topic,
        partition: o.partition,
        logStartOffset: o.logStartOffset,
        logEndOffset: o.logEndOffset,
        committedOffset: committedBy.get(key) ?? -1,
        ...(owner === undefined ? {} : { owner }),
      };
    }),
  };
}
