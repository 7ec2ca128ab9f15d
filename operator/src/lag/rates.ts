// Produce and consume rates over the rate window of one partition's samples.
import type { PartitionSample } from "./types.ts";

/**
 * Index of the sample the rates start from: the oldest one inside the window, or the one before
 * the newest when the window holds only the newest. Undefined with fewer than two samples.
 */
export function rateStartIndex(samples: readonly PartitionSample[], windowSeconds: number): number | undefined {
  const lastIndex = samples.length - 1;
  const last = samples[lastIndex];
  if (last === undefined || lastIndex < 1) return undefined;
  const cutoff = last.timeMs - windowSeconds * 1000;
  const inside = samples.findIndex((s) => s.timeMs >= cutoff);
  return inside === -1 || inside >= lastIndex ? lastIndex - 1 : inside;
}

/** Records committed between two sample indexes: forward moves only, so a rewind is not negative work. */
export function consumedBetween(samples: readonly PartitionSample[], from: number, to: number): number {
  let consumed = 0;
  for (let i = from + 1; i <= to; i++) {
    const before = samples[i - 1]?.committedOffset ?? -1;
    const after = samples[i]?.committedOffset ?? -1;
    if (before >= 0 && after > before) consumed += after - before;
  }
  return consumed;
}

export interface PartitionRates {
  produceRate: number;
  consumeRate: number;
  spanSeconds: number;
}

export function partitionRates(samples: readonly PartitionSample[], windowSeconds: number): PartitionRates {
  const from = rateStartIndex(samples, windowSeconds);
  const to = samples.length - 1;
  const first = from === undefined ? undefined : samples[from];
  const last = samples[to];
  if (first === undefined || last === undefined || last.timeMs <= first.timeMs || from === undefined) {
    return { produceRate: 0, consumeRate: 0, spanSeconds: 0 };
  }
  const spanSeconds = (last.timeMs - first.timeMs) / 1000;
  return {
    produceRate: Math.max(0, last.logEndOffset - first.logEndOffset) / spanSeconds,
    consumeRate: consumedBetween(samples, from, to) / spanSeconds,
    spanSeconds,
  };
}
