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
   * Lag under that much is in flight, not a backlog: it makes no partition busy.
   */
  commitSlackSeconds: number;
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
