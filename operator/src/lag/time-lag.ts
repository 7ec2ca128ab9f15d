// Lag in seconds: how long ago the log end stood where the group's position stands now, read off the
// log-end timeline kept in the window (linear between samples, extrapolated beyond the oldest one).
import type { PartitionSample } from "./types.ts";

/**
 * Seconds between the newest sample and the moment the log end was at `position`.
 * 0 when nothing is pending; undefined when records are pending but the window has a single sample.
 */
export function lagSeconds(samples: readonly PartitionSample[], position: number): number | undefined {
  const last = samples.at(-1);
  if (last === undefined || position >= last.logEndOffset) return 0;
  const first = samples[0];
  if (first === undefined || samples.length < 2 || last.timeMs <= first.timeMs) return undefined;
  const producedAt = timeLogEndWas(samples, position, first, last);
  return Math.max(0, (last.timeMs - producedAt) / 1000);
}

function timeLogEndWas(
  samples: readonly PartitionSample[],
  position: number,
  first: PartitionSample,
  last: PartitionSample,
): number {
  if (position < first.logEndOffset) {
    // Before the window: extrapolate at the window's average produce rate. With no production in
    // the window the records are at least as old as the window.
    const perMs = (last.logEndOffset - first.logEndOffset) / (last.timeMs - first.timeMs);
    return perMs > 0 ? first.timeMs - (first.logEndOffset - position) / perMs : first.timeMs;
  }
  for (let i = samples.length - 1; i > 0; i--) {
    const before = samples[i - 1];
    const after = samples[i];
    if (before === undefined || after === undefined) continue;
    if (before.logEndOffset <= position && position < after.logEndOffset) {
      const fraction = (position - before.logEndOffset) / (after.logEndOffset - before.logEndOffset);
      return before.timeMs + fraction * (after.timeMs - before.timeMs);
    }
  }
  return last.timeMs;
}
