// Downstream saturation: replicas added while the group had a backlog that did not raise the rate it
// commits at. Then something behind the consumers (a database, an API) is the limit, and more
// replicas only add load to it: stop adding for a while, and say so.
import { formatRate, formatSeconds } from "./format.ts";

export interface ScaleUpCheck {
  atMs: number;
  /** Replicas before and after, counting only those the partitions keep busy. */
  from: number;
  to: number;
  /** Replicas set by the scale-up (the count to hold at when it added nothing). */
  replicas: number;
  /** Partitions when it was made: a change of them (growth) ends the check. */
  partitions: number;
  /** Records per second the group committed when the scale-up was made. */
  throughputBefore: number;
  /** First poll that saw the new members Stable; the rate window must pass after it. */
  settledAtMs?: number;
}

export interface Saturation {
  /** Most replicas while saturated: the count that added nothing is kept, none is added. */
  replicas: number;
  untilMs: number;
  message: string;
}

/** Added replicas must bring at least this share of the throughput they were expected to add. */
export const minGainShare = 0.25;
/** How long to stop adding replicas once saturation is seen. */
export const saturationHoldSeconds = 900;
/** A check not concluded within this long is dropped. */
export const checkTimeoutSeconds = 900;

export interface SaturationInput {
  check: ScaleUpCheck | undefined;
  saturation: Saturation | undefined;
  nowMs: number;
  current: number;
  partitions: number;
  groupStable: boolean;
  members: number;
  /** Records per second committed over the rate window, and that window's length. */
  consumeRate: number;
  rateSpanSeconds: number;
  /** Whether records wait beyond the commit slack on partitions that drive scaling. */
  backlogged: boolean;
}

/** Carries the check of the last scale-up forward, and concludes it once a full rate window follows it. */
export function checkSaturation(input: SaturationInput): { check?: ScaleUpCheck; saturation?: Saturation } {
  const { check, nowMs, current } = input;
  const saturation = input.saturation !== undefined && nowMs < input.saturation.untilMs ? input.saturation : undefined;
  const keep = (next?: ScaleUpCheck) => ({
    ...(next === undefined ? {} : { check: next }),
    ...(saturation === undefined ? {} : { saturation }),
  });
  if (check === undefined) return keep();
  if (current !== check.replicas || input.partitions !== check.partitions) return keep();
  if ((nowMs - check.atMs) / 1000 > checkTimeoutSeconds) return keep();
  // The rate window must hold one undisturbed assignment: any rebalance restarts the wait.
  const settled = input.groupStable && input.members === current;
  if (!settled) {
    const { settledAtMs: _, ...waiting } = check;
    return keep(waiting);
  }
  if (check.settledAtMs === undefined) return keep({ ...check, settledAtMs: nowMs });
  if ((nowMs - check.settledAtMs) / 1000 < input.rateSpanSeconds) return keep(check);
  // The window now holds only the new members' work. A group that ran out of backlog says nothing.
  if (!input.backlogged) return keep();
  const expected = (check.throughputBefore * (check.to - check.from)) / check.from;
  const gain = input.consumeRate - check.throughputBefore;
  if (expected <= 0 || gain >= minGainShare * expected) return keep();
  return {
    saturation: {
      replicas: check.replicas,
      untilMs: nowMs + saturationHoldSeconds * 1000,
      message:
        `going from ${check.from} to ${check.replicas} replicas moved the group's throughput from ` +
        `${formatRate(check.throughputBefore)} to ${formatRate(input.consumeRate)} with records waiting: ` +
        `something downstream is the limit; adding no replicas for ${formatSeconds(saturationHoldSeconds)}`,
    },
  };
}

export interface StartInput {
  current: number;
  replicas: number;
  partitions: number;
  nowMs: number;
  consumeRate: number;
  backlogged: boolean;
}

/**
 * A check to start when scaling up with records waiting; none otherwise, nor when the partitions
 * leave the added replicas idle (their throughput is not expected to rise).
 */
export function startCheck(input: StartInput): ScaleUpCheck | undefined {
  const from = Math.min(input.current, input.partitions);
  const to = Math.min(input.replicas, input.partitions);
  if (to <= from || from < 1 || !input.backlogged || input.consumeRate <= 0) return undefined;
  return {
    atMs: input.nowMs,
    from,
    to,
    replicas: input.replicas,
    partitions: input.partitions,
    throughputBefore: input.consumeRate,
  };
}
