// Tuning of the lag window. Defaults suit a 15 s poll interval.
import type { StartFrom } from "./types.ts";

export interface LagOptions {
  /** Where consumers start on a partition without a committed offset (decides the lag of -1 offsets). */
  startFrom: StartFrom;
  /** Samples kept per partition (the history window). */
  maxSamples: number;
  /** Samples older than this are dropped even when fewer than maxSamples are kept. */
  maxAgeSeconds: number;
  /** Rates average over the samples of the last this-many seconds (at least two samples). */
  rateWindowSeconds: number;
  /** Samples the health rules look at (Burrow looks at the last 10 commits). */
  healthSamples: number;
  /** Lag at or under this is OK whatever the trend (Burrow's allowed lag). */
  allowedLag: number;
  /**
   * Seconds of consumption a healthy consumer holds uncommitted (commit interval plus one fetch).
   * Lag under that much is in flight, not a backlog: it makes no partition busy. See commitSlackFor.
   */
  commitSlackSeconds: number;
}

/** Least commit slack, whatever the commit interval: a fetch and a batch in hand take a moment. */
export const minCommitSlackSeconds = 2;

/**
 * The commit slack of consumers that commit every `commitIntervalMs`: the interval plus a second for
 * the fetch and the batch in hand. How often the operator polls does not enter: a committed offset
 * trails consumption by the commit cadence, whenever it is read.
 */
export function commitSlackFor(commitIntervalMs: number): number {
  return Math.max(minCommitSlackSeconds, Math.ceil(commitIntervalMs / 1000) + 1);
}

export const defaultLagOptions: LagOptions = {
  startFrom: "latest",
  maxSamples: 40,
  maxAgeSeconds: 600,
  rateWindowSeconds: 60,
  healthSamples: 5,
  allowedLag: 0,
  commitSlackSeconds: 5,
};

export function lagOptions(overrides: Partial<LagOptions> = {}): LagOptions {
  return { ...defaultLagOptions, ...overrides };
}

export interface ConsumerCadence {
  startFrom: StartFrom;
  /** How often the consumers commit. */
  commitIntervalMs: number;
  /** How often the operator reads the group's offsets. */
  pollIntervalSeconds: number;
  /** Lag per partition that is fine whatever its trend (the spec's lag.maxMessagesPerPartition). */
  allowedLag: number;
}

/** The options a group is observed with; the operator and the autoscaler simulator both use this. */
export function lagOptionsFor(cadence: ConsumerCadence): LagOptions {
  return lagOptions({
    startFrom: cadence.startFrom,
    commitSlackSeconds: commitSlackFor(cadence.commitIntervalMs),
    allowedLag: cadence.allowedLag,
    // Keep about ten minutes of samples at the poll interval.
    maxSamples: Math.max(10, Math.ceil(600 / cadence.pollIntervalSeconds)),
    rateWindowSeconds: Math.max(60, cadence.pollIntervalSeconds * 4),
  });
}
