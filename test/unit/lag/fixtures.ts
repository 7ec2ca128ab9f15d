// Builders for lag tests: polls and histories from compact per-poll readings.
import { emptyHistory, recordPoll } from "../../../operator/src/lag/history.ts";
import { type LagOptions, lagOptions } from "../../../operator/src/lag/options.ts";
import type { GroupHistory, GroupState, PartitionSample, Poll } from "../../../operator/src/lag/types.ts";

export interface Reading {
  /** Seconds since the start of the test. */
  t: number;
  end: number;
  committed: number;
  start?: number;
  owner?: string;
}

export const t0 = 1_700_000_000_000;

/** Samples of one partition as the history would hold them (lag from startFrom latest, no retention). */
export function samples(readings: readonly Reading[]): PartitionSample[] {
  return readings.map((r) => ({
    timeMs: t0 + r.t * 1000,
    logStartOffset: r.start ?? 0,
    logEndOffset: r.end,
    committedOffset: r.committed,
    lag: r.committed < 0 ? 0 : Math.max(0, r.end - Math.max(r.committed, r.start ?? 0)),
    ...(r.owner === undefined ? {} : { owner: r.owner }),
  }));
}

export interface PollSpec {
  t: number;
  state?: GroupState;
  members?: number;
  /** Readings per partition of topic "orders", index = partition number. */
  partitions: Omit<Reading, "t">[];
}

export function poll(spec: PollSpec): Poll {
  return {
    timeMs: t0 + spec.t * 1000,
    groupState: spec.state ?? "Stable",
    members: spec.members ?? 1,
    partitions: spec.partitions.map((r, partition) => ({
      topic: "orders",
      partition,
      logStartOffset: r.start ?? 0,
      logEndOffset: r.end,
      committedOffset: r.committed,
      ...(r.owner === undefined ? {} : { owner: r.owner }),
    })),
  };
}

export function historyOf(polls: readonly PollSpec[], overrides: Partial<LagOptions> = {}): GroupHistory {
  const options = lagOptions(overrides);
  return polls.reduce((h, p) => recordPoll(h, poll(p), options), emptyHistory());
}
