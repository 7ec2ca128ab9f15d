// Lag of one partition from one reading of its offsets.
import type { StartFrom } from "./types.ts";

export interface OffsetsReading {
  logStartOffset: number;
  logEndOffset: number;
  /** -1 when the group has not committed on this partition. */
  committedOffset: number;
}

/**
 * The offset the group would consume next. Without a commit it follows startFrom; a committed
 * offset below the log start points at records removed by retention, so consumption resumes at the
 * log start and those records are not lag.
 */
export function consumePosition(reading: OffsetsReading, startFrom: StartFrom): number {
  const start = Math.max(0, reading.logStartOffset);
  const end = Math.max(start, reading.logEndOffset);
  if (reading.committedOffset < 0) return startFrom === "earliest" ? start : end;
  return Math.min(end, Math.max(reading.committedOffset, start));
}

/** Records between the consume position and the log end: never negative, never counting deleted records. */
export function partitionLag(reading: OffsetsReading, startFrom: StartFrom): number {
  const end = Math.max(0, reading.logStartOffset, reading.logEndOffset);
  return Math.max(0, end - consumePosition(reading, startFrom));
}
