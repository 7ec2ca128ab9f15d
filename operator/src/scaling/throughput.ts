// Per-replica throughput, learned from members that had a backlog (they consumed as fast as they can).
import type { GroupLagSummary } from "../lag/types.ts";

export interface ThroughputEstimate {
  /** Records per second one replica consumes when it has work waiting. */
  perReplica: number;
  /** Observation time of the last summary that updated the estimate (each summary counts once). */
  observedAtMs: number;
  /** Saturated measurements folded in so far (0 while the estimate is only a lower bound). */
  measurements: number;
}

/**
 * Busy runs shorter than this are too coarse, whatever the commit cadence: two polls at least at a
 * fast poll interval. The lag summary already drops runs too short for the group's commit slack.
 */
export const minBusySpanSeconds = 6;
/**
 * A busy member is read only while it still has this many seconds of its own work waiting. A member
 * that barely kept a backlog (a trickle, commits landing between polls) ran at the pace records
 * arrived, not at its own: read as its throughput, 5 msg/s would size a 150 msg/s burst at 30 replicas.
 */
export const minBacklogSeconds = 6;
/** Weight of a new busy measurement against the estimate so far. */
export const learningRate = 0.3;

/**
 * Folds one summary into the estimate. A saturated measurement (the member never ran dry) moves
 * the estimate towards it. Everything else is a lower bound: a member that kept a backlog at every
 * poll, or the group's rate per member, consumed at least that fast. A lower bound raises the
 * estimate, never lowers it. Until a saturated measurement exists (measurements 0) the decision
 * sizes by lag and uses the bound only to allow a scale-down: a bound read at low load (a trickle)
 * is far below what a replica can do, and sizing on it adds replicas nobody needs.
 */
export function learnThroughput(
  previous: ThroughputEstimate | undefined,
  summary: GroupLagSummary,
): ThroughputEstimate | undefined {
  if (previous !== undefined && summary.timeMs <= previous.observedAtMs) return previous;
  const long = summary.busyMembers.filter(
    (m) =>
      m.spanSeconds >= minBusySpanSeconds &&
      m.throughput > 0 &&
      backlogOf(summary, m.member) >= m.throughput * minBacklogSeconds,
  );
  const saturated = long.filter((m) => m.saturated);
  if (saturated.length > 0) {
    const measured = mean(saturated.map((m) => m.throughput));
    const perReplica =
      previous === undefined || previous.measurements === 0
        ? Math.max(measured, previous?.perReplica ?? 0)
        : previous.perReplica + learningRate * (measured - previous.perReplica);
    return { perReplica, observedAtMs: summary.timeMs, measurements: (previous?.measurements ?? 0) + 1 };
  }
  const bounds = long.map((m) => m.throughput);
  if (summary.groupState === "Stable" && summary.members > 0 && summary.rateSpanSeconds > 0) {
    bounds.push(summary.consumeRate / summary.members);
  }
  const lowerBound = Math.max(0, ...bounds);
  if (previous === undefined) {
    return lowerBound > 0 ? { perReplica: lowerBound, observedAtMs: summary.timeMs, measurements: 0 } : undefined;
  }
  return { ...previous, perReplica: Math.max(previous.perReplica, lowerBound), observedAtMs: summary.timeMs };
}

/**
 * Records waiting beyond the commit slack on the partitions a member owns, maxMessagesPerPartition or
 * not: whether a member ran flat out is physical, and a target that forgives the lag does not change it.
 */
function backlogOf(summary: GroupLagSummary, member: string): number {
  let backlog = 0;
  for (const p of summary.partitions) if (p.owner === member) backlog += p.waiting;
  return backlog;
}

function mean(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}
