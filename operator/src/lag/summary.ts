// Condenses a group's history window into what status, metrics and the scaling decision read.
import { drivesScaling, partitionHealth, worstHealth } from "./health.ts";
import type { LagOptions } from "./options.ts";
import { consumePosition } from "./partition-lag.ts";
import { consumedBetween, partitionRates } from "./rates.ts";
import { lagSeconds } from "./time-lag.ts";
import type {
  BusyMember,
  GroupHistory,
  GroupLagSummary,
  PartitionHealth,
  PartitionHistory,
  PartitionLagSummary,
  PartitionSample,
} from "./types.ts";

export function summarize(history: GroupHistory, options: LagOptions): GroupLagSummary | undefined {
  const last = history.last;
  if (last === undefined) return undefined;
  const ownersKnown = last.members === 0 || history.partitions.some((p) => p.samples.at(-1)?.owner !== undefined);
  const windows = rateWindows(history.partitions, options.rateWindowSeconds);
  const partitions = history.partitions.map((p) =>
    summarizePartition(p, options, ownersKnown, windows.get(p.topic) ?? options.rateWindowSeconds),
  );
  const healthCounts: Record<PartitionHealth, number> = { OK: 0, WARN: 0, STALL: 0, STOP: 0, REWIND: 0 };
  for (const p of partitions) healthCounts[p.health]++;
  const knownLagSeconds = partitions.map((p) => p.lagSeconds).filter((s) => s !== undefined);
  const rateSpans = history.partitions.map(
    (p) => partitionRates(p.samples, windows.get(p.topic) ?? options.rateWindowSeconds).spanSeconds,
  );
  return {
    timeMs: last.timeMs,
    groupState: last.groupState,
    members: last.members,
    partitions,
    totalLag: sum(partitions.map((p) => p.lag)),
    maxLagSeconds: Math.max(0, ...knownLagSeconds),
    produceRate: sum(partitions.map((p) => p.produceRate)),
    consumeRate: sum(partitions.map((p) => p.consumeRate)),
    rateSpanSeconds: Math.max(0, ...rateSpans),
    healthCounts,
    worstHealth: worstHealth(partitions.map((p) => p.health)),
    busyMembers: busyMembers(history, partitions, options),
    uncommittedArrivals:
      options.startFrom === "latest" && partitions.some((p) => p.committedOffset < 0 && p.produceRate > 0),
  };
}

/**
 * Seconds of the rate window per topic. A topic's rates share one window, no longer than its newest
 * partition's: after partitions are added, the old ones' windows would still average the traffic
 * they took before it was spread over more partitions, and the sum would count it twice.
 */
function rateWindows(partitions: readonly PartitionHistory[], windowSeconds: number): Map<string, number> {
  const windows = new Map<string, number>();
  for (const p of partitions) {
    const first = p.samples[0];
    const last = p.samples.at(-1);
    if (first === undefined || last === undefined) continue;
    const covered = (last.timeMs - first.timeMs) / 1000;
    windows.set(p.topic, Math.min(windows.get(p.topic) ?? windowSeconds, covered));
  }
  return windows;
}

function summarizePartition(
  history: PartitionHistory,
  options: LagOptions,
  ownersKnown: boolean,
  rateWindowSeconds: number,
): PartitionLagSummary {
  const samples = history.samples;
  const last = samples.at(-1);
  if (last === undefined) throw new Error(`partition ${history.topic}-${history.partition} has an empty window`);
  const rates = partitionRates(samples, rateWindowSeconds);
  const owned = ownersKnown ? last.owner !== undefined : undefined;
  const health = partitionHealth({
    history,
    healthSamples: options.healthSamples,
    allowedLag: options.allowedLag,
    owned,
  });
  const inFlight = inFlightRecords(rates.consumeRate, options);
  return {
    topic: history.topic,
    partition: history.partition,
    logStartOffset: last.logStartOffset,
    logEndOffset: last.logEndOffset,
    committedOffset: last.committedOffset,
    lag: last.lag,
    backlog: Math.max(0, last.lag - Math.max(options.allowedLag, inFlight)),
    waiting: Math.max(0, last.lag - inFlight),
    lagSeconds: lagSeconds(samples, consumePosition(last, options.startFrom)),
    produceRate: rates.produceRate,
    recentProduceRate: partitionRates(samples, 0).produceRate,
    consumeRate: rates.consumeRate,
    health,
    ...(last.owner === undefined ? {} : { owner: last.owner }),
    progressing: !stuckBetween(sampleBefore(samples, last.timeMs - options.commitSlackSeconds * 1000), last, options),
  };
}

/** The newest sample taken at or before `timeMs`. */
function sampleBefore(samples: readonly PartitionSample[], timeMs: number): PartitionSample | undefined {
  for (let i = samples.length - 2; i >= 0; i--) {
    const sample = samples[i];
    if (sample !== undefined && sample.timeMs <= timeMs) return sample;
  }
  return undefined;
}

/**
 * Records waited at both readings and the committed offset stayed put in between, over more than
 * the commit slack (a consumer that commits less often than the operator polls is not stuck), with
 * the same member holding the partition: one that was just handed it has had no chance to commit.
 * Any lag counts, within allowedLag too: whether a partition drains is physical, not a target (a
 * hung handler with a few hundred records waiting is as stuck as one with thousands).
 */
function stuckBetween(
  before: PartitionSample | undefined,
  after: PartitionSample | undefined,
  options: LagOptions,
): boolean {
  if (before === undefined || after === undefined) return false;
  if (after.timeMs - before.timeMs <= options.commitSlackSeconds * 1000) return false;
  if (after.owner !== undefined && after.owner !== before.owner) return false;
  return before.lag > 0 && after.lag > 0 && after.committedOffset === before.committedOffset;
}

/**
 * Records a healthy consumer holds uncommitted: the part of lag that is commit cadence, not work
 * waiting. Physical, not a target: lag above it means the consumer had more to do than it took, even
 * when the lag is still within allowedLag (which decides health and backlog, not whether a member is busy).
 */
export function inFlightRecords(consumeRate: number, options: Pick<LagOptions, "commitSlackSeconds">): number {
  return consumeRate * options.commitSlackSeconds;
}

/**
 * Members that had a backlog on at least one of their partitions throughout a trailing run inside
 * the current assignment. While a member has a backlog it consumes as fast as it can, so its
 * committed rate over the run measures one replica's throughput (saturated), or at least bounds
 * it from below when the run only shows a backlog at every poll. Members holding a STALL or STOP
 * partition are left out: a stuck partition says nothing about throughput.
 */
function busyMembers(
  history: GroupHistory,
  summaries: readonly PartitionLagSummary[],
  options: LagOptions,
): BusyMember[] {
  const byMember = new Map<string, Owned[]>();
  history.partitions.forEach((partitionHistory, i) => {
    const summary = summaries[i];
    if (summary?.owner === undefined) return;
    const list = byMember.get(summary.owner) ?? [];
    list.push({ history: partitionHistory, summary });
    byMember.set(summary.owner, list);
  });
  // Committed offsets trail consumption by between none and a commit slack's worth at each end of a
  // run, so what a run counts is off by at most one slack: a run of three slacks is within a third.
  const minSpanSeconds = 3 * options.commitSlackSeconds;
  const result: BusyMember[] = [];
  for (const [member, owned] of byMember) {
    if (owned.some((o) => !drivesScaling(o.summary.health))) continue;
    const sinceMs = warmedUpSince(owned, history);
    const strict = busyRun(owned, sinceMs, options, true);
    const loose = busyRun(owned, sinceMs, options, false);
    const run = strict !== undefined && strict.spanSeconds >= minSpanSeconds ? strict : loose;
    if (run === undefined || run.spanSeconds < minSpanSeconds) continue;
    let consumed = 0;
    for (const o of owned) {
      const from = o.history.samples.findIndex((s) => s.timeMs >= run.startMs);
      if (from >= 0) consumed += consumedBetween(o.history.samples, from, o.history.samples.length - 1);
    }
    result.push({
      member,
      throughput: consumed / run.spanSeconds,
      spanSeconds: run.spanSeconds,
      saturated: run === strict,
    });
  }
  return result.sort((a, b) => (a.member < b.member ? -1 : a.member > b.member ? 1 : 0));
}

interface Owned {
  history: PartitionHistory;
  summary: PartitionLagSummary;
}

/**
 * Where a member's measurable work starts. A member of an assignment that began while we watched is new
 * (a started Pod, or one that just rejoined): until its first commit shows, it was joining, connecting
 * and fetching, and a rate over that stretch reads as a slow replica. So its runs start at the first
 * poll that saw one of its committed offsets move. Members of an assignment older than the first poll
 * (after an operator restart) are long warm.
 */
function warmedUpSince(owned: readonly Owned[], history: GroupHistory): number {
  const since = history.assignmentSinceMs;
  if (!history.assignmentStartSeen) return since;
  let firstMoveMs = Number.POSITIVE_INFINITY;
  for (const o of owned) {
    const samples = o.history.samples.filter((s) => s.timeMs >= since);
    const first = samples[0];
    const moved = samples.find((s) => first !== undefined && s.committedOffset !== first.committedOffset);
    if (moved !== undefined) firstMoveMs = Math.min(firstMoveMs, moved.timeMs);
  }
  return firstMoveMs;
}

function busyRun(
  owned: readonly Owned[],
  sinceMs: number,
  options: LagOptions,
  strict: boolean,
): { startMs: number; spanSeconds: number } | undefined {
  // Sample times of the member's partitions inside the current assignment, newest first.
  const times = [...new Set(owned.flatMap((o) => o.history.samples.map((s) => s.timeMs)))]
    .filter((t) => t >= sinceMs)
    .sort((a, b) => b - a);
  const newest = times[0];
  if (newest === undefined) return undefined;
  let startMs: number | undefined;
  for (let i = 1; i < times.length; i++) {
    const end = times[i - 1] as number;
    const start = times[i] as number;
    if (!busyBetween(owned, start, end, options, strict)) break;
    startMs = start;
  }
  if (startMs === undefined) return undefined;
  return { startMs, spanSeconds: (newest - startMs) / 1000 };
}

/**
 * Whether a member had work from `start` to `end`: one of its partitions held more than its in-flight
 * records at both polls and was consumed in between (its committed offset moved, or the interval is
 * within the commit slack). Strictly (flat out all along), at `end` that partition also held more
 * than its in-flight records plus all that arrived meanwhile (it cannot have run dry and refilled), or
 * more than at `start` (records came in faster than they were taken). A partition that waits without
 * being consumed is no evidence: its member is stuck on it, or busy elsewhere, which another of its
 * partitions then shows.
 */
function busyBetween(
  owned: readonly Owned[],
  start: number,
  end: number,
  options: LagOptions,
  strict: boolean,
): boolean {
  const sampleAt = (o: Owned, t: number) => o.history.samples.find((s) => s.timeMs === t);
  const seconds = (end - start) / 1000;
  return owned.some((o) => {
    const before = sampleAt(o, start);
    const after = sampleAt(o, end);
    if (before === undefined || after === undefined) return false;
    const inFlight = inFlightRecords(o.summary.consumeRate, options);
    if (before.lag <= inFlight || after.lag <= inFlight) return false;
    const consumed = after.committedOffset !== before.committedOffset || seconds <= options.commitSlackSeconds;
    if (!consumed) return false;
    return !strict || after.lag > inFlight + o.summary.produceRate * seconds || after.lag >= before.lag;
  });
}

function sum(values: readonly number[]): number {
  let total = 0;
  for (const v of values) total += v;
  return total;
}
