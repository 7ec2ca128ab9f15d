// The bounded per-partition window of readings, updated immutably by each poll.
import type { LagOptions } from "./options.ts";
import { partitionLag } from "./partition-lag.ts";
import type { GroupHistory, PartitionHistory, PartitionObservation, PartitionSample, Poll } from "./types.ts";

export function emptyHistory(): GroupHistory {
  return { partitions: [], assignmentSinceMs: 0, assignmentStartSeen: false };
}

export function partitionKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}

function byTopicPartition(a: { topic: string; partition: number }, b: { topic: string; partition: number }): number {
  return a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition;
}

/** Adds one poll to the window. Partitions missing from the poll are dropped; new ones start a window. */
export function recordPoll(history: GroupHistory, poll: Poll, options: LagOptions): GroupHistory {
  const previous = new Map(history.partitions.map((p) => [partitionKey(p.topic, p.partition), p]));
  const clockWentBack = history.last !== undefined && poll.timeMs < history.last.timeMs;
  let ownersChanged = previous.size !== poll.partitions.length;
  const partitions: PartitionHistory[] = [];
  for (const observation of poll.partitions) {
    const before = previous.get(partitionKey(observation.topic, observation.partition));
    const lastOwner = before?.samples.at(-1)?.owner;
    if (before === undefined || lastOwner !== observation.owner) ownersChanged = true;
    partitions.push(appendSample(before, observation, poll.timeMs, options));
  }
  partitions.sort(byTopicPartition);
  const stableThroughout =
    poll.groupState === "Stable" && history.last?.groupState === "Stable" && !ownersChanged && !clockWentBack;
  return {
    partitions,
    last: { timeMs: poll.timeMs, groupState: poll.groupState, members: poll.members },
    assignmentSinceMs: stableThroughout ? history.assignmentSinceMs : poll.timeMs,
    assignmentStartSeen: stableThroughout ? history.assignmentStartSeen : history.last !== undefined,
  };
}

function appendSample(
  before: PartitionHistory | undefined,
  observation: PartitionObservation,
  timeMs: number,
  options: LagOptions,
): PartitionHistory {
  const sample: PartitionSample = {
    timeMs,
    logStartOffset: observation.logStartOffset,
    logEndOffset: observation.logEndOffset,
    committedOffset: observation.committedOffset,
    lag: partitionLag(observation, options.startFrom),
    ...(observation.owner === undefined ? {} : { owner: observation.owner }),
  };
  const fresh = { topic: observation.topic, partition: observation.partition, samples: [sample] };
  const last = before?.samples.at(-1);
  // A clock that went back makes every rate meaningless, and a log end that went back means the
  // topic was recreated: either way the old window describes something else.
  if (before === undefined || last === undefined || timeMs < last.timeMs || sample.logEndOffset < last.logEndOffset) {
    return { ...fresh, committedChangedAtMs: timeMs };
  }
  const kept = timeMs === last.timeMs ? before.samples.slice(0, -1) : before.samples.slice();
  kept.push(sample);
  const oldestKept = timeMs - options.maxAgeSeconds * 1000;
  const bounded = kept
    .filter((s, i) => i === kept.length - 1 || s.timeMs >= oldestKept)
    .slice(-Math.max(2, options.maxSamples));
  const committedChangedAtMs = sample.committedOffset !== last.committedOffset ? timeMs : before.committedChangedAtMs;
  return { ...fresh, samples: bounded, committedChangedAtMs };
}
