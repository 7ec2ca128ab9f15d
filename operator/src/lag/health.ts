// Partition health after Burrow's rules, read from poll samples instead of individual commits.
//
// Rules, in order, over the last `healthSamples` samples:
//   1. newest lag <= allowedLag                                              -> OK
//   2. nobody owns the partition, records are pending, and the committed offset has not changed
//      for longer than the window spans (commits stopped)                     -> STOP
//   3. a committed offset lower than the one before it                        -> REWIND
//   4. with a full window where every sample lags more than allowedLag:
//        the committed offset never moved (a member holds it but is stuck)   -> STALL
//        the lag never went down                                             -> WARN
//   5. otherwise                                                             -> OK
// Polls cannot see individual commits, so STOP and STALL are told apart by ownership: a partition
// some member owns is being "consumed" without progress (STALL), one nobody owns has stopped (STOP).
import type { PartitionHealth, PartitionHistory } from "./types.ts";

export interface HealthInput {
  history: PartitionHistory;
  healthSamples: number;
  allowedLag: number;
  /** Whether a member owns the partition; undefined when the assignment is not known. */
  owned: boolean | undefined;
}

export function partitionHealth({ history, healthSamples, allowedLag, owned }: HealthInput): PartitionHealth {
  const window = history.samples.slice(-Math.max(2, healthSamples));
  const first = window[0];
  const last = window.at(-1);
  if (first === undefined || last === undefined || last.lag <= allowedLag) return "OK";
  const spanMs = last.timeMs - first.timeMs;
  if (owned === false && spanMs > 0 && last.timeMs - history.committedChangedAtMs > spanMs) return "STOP";
  for (let i = 1; i < window.length; i++) {
    const before = window[i - 1]?.committedOffset ?? -1;
    const after = window[i]?.committedOffset ?? -1;
    if (before >= 0 && after >= 0 && after < before) return "REWIND";
  }
  const fullWindow = window.length >= healthSamples && spanMs > 0;
  if (!fullWindow || !window.every((s) => s.lag > allowedLag)) return "OK";
  if (window.every((s) => s.committedOffset === first.committedOffset)) return "STALL";
  let lagNeverFell = true;
  for (let i = 1; i < window.length; i++) {
    if ((window[i]?.lag ?? 0) < (window[i - 1]?.lag ?? 0)) lagNeverFell = false;
  }
  return lagNeverFell ? "WARN" : "OK";
}

const severity: Record<PartitionHealth, number> = { OK: 0, WARN: 1, REWIND: 2, STALL: 3, STOP: 4 };

/** The group's health is its worst partition's. */
export function worstHealth(states: Iterable<PartitionHealth>): PartitionHealth {
  let worst: PartitionHealth = "OK";
  for (const state of states) if (severity[state] > severity[worst]) worst = state;
  return worst;
}

/** STALL and STOP partitions make no progress whatever the replica count, so they must not drive scaling. */
export function drivesScaling(health: PartitionHealth): boolean {
  return health !== "STALL" && health !== "STOP";
}
