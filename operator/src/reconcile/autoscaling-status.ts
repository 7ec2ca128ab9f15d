// The scaling state <-> status.autoscaling. What the autoscaler learned (throughput per replica, lead time,
// stuck partitions) and its decision history are written to status, and read back when an operator starts
// or takes over leadership with no memory of the group, so a restart or a failover does not reset the
// autoscaler to its fallback. Pure, the clock passed in. docs/adr/0010-autoscaler-state-in-status.md says why status.
import type { AutoscalingStatus, DecisionStatus, LearnedStatus } from "../api/status.ts";
import type { DecisionRecord, ScalingReason, ScalingState } from "../scaling/types.ts";
import { initialScalingState } from "../scaling/types.ts";

/** Learned figures older than this are not restored: the workload, image or handler may have changed since. */
export const learnedMaxAgeSeconds = 3600;

export function decisionStatus(record: DecisionRecord): DecisionStatus {
  return {
    time: new Date(record.timeMs).toISOString(),
    fromReplicas: record.from,
    toReplicas: record.to,
    reason: record.kind,
    cause: record.reason,
    message: record.message.slice(0, 1024),
    figures: { ...record.figures },
  };
}

/**
 * observedAt is rounded down to this: the estimate is re-stamped at every poll, and an idle group's status
 * should not be rewritten at every poll for it. Only the age limit reads it, which this grain hardly moves.
 */
export const observedAtGrainSeconds = 600;

/** When the learned figures were last updated: the latest reading or decision they rest on, rounded down. */
function learnedAtMs(state: ScalingState): number | undefined {
  const times = [state.throughput?.observedAtMs, state.decisions?.at(-1)?.timeMs].filter(
    (t): t is number => t !== undefined,
  );
  if (times.length === 0) return undefined;
  const grain = observedAtGrainSeconds * 1000;
  return Math.floor(Math.max(...times) / grain) * grain;
}

export function learnedStatus(state: ScalingState): LearnedStatus | undefined {
  const atMs = learnedAtMs(state);
  const stuck = Object.entries(state.stuckPartitions ?? {});
  if (atMs === undefined || (state.throughput === undefined && state.leadTime === undefined && stuck.length === 0)) {
    return undefined;
  }
  const learned: LearnedStatus = {};
  if (state.throughput !== undefined) {
    learned.throughputPerReplica = round(state.throughput.perReplica, 1);
    learned.throughputMeasurements = state.throughput.measurements;
  }
  if (state.leadTime !== undefined) {
    learned.leadSeconds = round(state.leadTime.seconds, 1);
    learned.leadMeasurements = state.leadTime.measurements;
  }
  if (stuck.length > 0) {
    learned.stuckPartitions = stuck.slice(0, 100).map(([key, committedOffset]) => {
      const slash = key.lastIndexOf("/");
      return { topic: key.slice(0, slash), partition: Number(key.slice(slash + 1)), committedOffset };
    });
  }
  learned.observedAt = new Date(atMs).toISOString();
  return learned;
}

/** Undefined when there is nothing to say yet. */
export function autoscalingStatus(state: ScalingState): AutoscalingStatus | undefined {
  const decisions = state.decisions ?? [];
  const learned = learnedStatus(state);
  if (decisions.length === 0 && learned === undefined) return undefined;
  return {
    ...(decisions.length > 0 ? { decisions: decisions.map(decisionStatus) } : {}),
    ...(learned === undefined ? {} : { learned }),
  };
}

export interface RestoreInput {
  /** status.autoscaling as stored, if any. */
  status: AutoscalingStatus | undefined;
  nowMs: number;
  maxAgeSeconds?: number;
}

/**
 * The scaling state to start from when nothing is remembered. The decision history always comes back (it is
 * a record); the learned figures only when they are at most maxAgeSeconds old. A time in the future (another
 * replica's clock ahead of ours) counts as now.
 */
export function restoreScalingState({
  status,
  nowMs,
  maxAgeSeconds = learnedMaxAgeSeconds,
}: RestoreInput): ScalingState {
  const state: ScalingState = { ...initialScalingState };
  const decisions = (status?.decisions ?? []).map(fromDecisionStatus).filter((d) => d !== undefined);
  if (decisions.length > 0) state.decisions = decisions;
  const lastChange = decisions.findLast((d) => d.from !== d.to);
  if (lastChange !== undefined) state.lastScaleTimeMs = Math.min(lastChange.timeMs, nowMs);

  const learned = status?.learned;
  const observedAtMs = learned?.observedAt === undefined ? Number.NaN : Date.parse(learned.observedAt);
  if (learned === undefined || Number.isNaN(observedAtMs)) return state;
  if (nowMs - observedAtMs > maxAgeSeconds * 1000) return state;
  const atMs = Math.min(observedAtMs, nowMs);
  if (learned.throughputPerReplica !== undefined && learned.throughputPerReplica > 0) {
    state.throughput = {
      perReplica: learned.throughputPerReplica,
      observedAtMs: atMs,
      measurements: learned.throughputMeasurements ?? 0,
    };
  }
  if (learned.leadSeconds !== undefined) {
    state.leadTime = { seconds: learned.leadSeconds, measurements: Math.max(1, learned.leadMeasurements ?? 1) };
  }
  if (learned.stuckPartitions !== undefined && learned.stuckPartitions.length > 0) {
    state.stuckPartitions = Object.fromEntries(
      learned.stuckPartitions.map((p) => [`${p.topic}/${p.partition}`, p.committedOffset]),
    );
  }
  return state;
}

function fromDecisionStatus(entry: DecisionStatus): DecisionRecord | undefined {
  const timeMs = Date.parse(entry.time);
  if (Number.isNaN(timeMs)) return undefined;
  return {
    timeMs,
    from: entry.fromReplicas,
    to: entry.toReplicas,
    kind: entry.reason,
    // Only shown, and compared with the next decision's reason: an unknown one does no harm.
    reason: (entry.cause ?? entry.reason) as ScalingReason,
    message: entry.message,
    figures: {
      lag: entry.figures.lag ?? 0,
      lagSeconds: entry.figures.lagSeconds ?? 0,
      arrivalRate: entry.figures.arrivalRate ?? 0,
      ...(entry.figures.throughputPerReplica === undefined
        ? {}
        : { throughputPerReplica: entry.figures.throughputPerReplica }),
      targetLagSeconds: entry.figures.targetLagSeconds ?? 0,
      partitions: entry.figures.partitions ?? 0,
    },
  };
}

function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
