// What the user asks of the autoscaler, in the decision function's own terms. The CRD spec maps
// onto these fields; every field has a default so a partial spec is enough.

export type KeyedPolicy = "Forbid" | "AllowKeyMovement";

export interface StepSettings {
  /**
   * Seconds of recommendations considered before moving in this direction. Scale-down uses the
   * highest recommendation in the window (so a dip has to last the whole window); scale-up uses the
   * lowest (0 = act on the current recommendation at once).
   */
  stabilizationSeconds: number;
  /** Most replicas added or removed by one decision; 0 = no limit. Rounded to partition-aware counts. */
  maxStep: number;
}

export interface PartitionSettings {
  /** Let the autoscaler add partitions to the topic when replicas are capped by the partition count. */
  enabled: boolean;
  /** Highest partition count the autoscaler may grow the topic to; 0 = do not grow. */
  max: number;
  /** The topic's records carry keys whose order matters per key (adding partitions moves keys). */
  keyed: boolean;
  /** For a keyed topic: Forbid growth (recommend only) or AllowKeyMovement (grow anyway). */
  keyedPolicy: KeyedPolicy;
  /** Seconds the need for more partitions must hold before growing (growth cannot be undone). */
  confirmSeconds: number;
  /** Least seconds between two growths of the same group's topic. */
  minIntervalSeconds: number;
}

export interface ScalingSettings {
  /** Fewest replicas; 0 lets the group scale to zero when idle. */
  minReplicas: number;
  /** Most replicas. Never more than the partition count are used either way. */
  maxReplicas: number;
  /** Target: the oldest unconsumed record should be at most this old; also the drain time for a backlog. */
  lagMaxSeconds: number;
  /** Fallback before any per-replica throughput is measured: replicas = lag / this (records per replica). */
  lagMaxMessagesPerReplica: number;
  /** From zero replicas, activate (scale to one) when the total lag exceeds this many records. */
  activationLag: number;
  /** With minReplicas 0: seconds with no lag over activationLag and no incoming records before scaling to zero. */
  idleSeconds: number;
  /** Relative band around the current capacity within which the replica count is left alone (0.1 = 10%). */
  tolerance: number;
  /** Fraction of a replica's measured throughput to plan with, leaving headroom for bursts and estimate error. */
  targetUtilization: number;
  scaleUp: StepSettings;
  scaleDown: StepSettings;
  /** After a scale, hold until the group is Stable with the new member count, or this many seconds pass. */
  settleTimeoutSeconds: number;
  /** Observations older than this are stale: hold (never scale on missing data). */
  staleAfterSeconds: number;
  partitions: PartitionSettings;
}

export const defaultScalingSettings: ScalingSettings = {
  minReplicas: 1,
  maxReplicas: 10,
  lagMaxSeconds: 60,
  lagMaxMessagesPerReplica: 1000,
  activationLag: 0,
  idleSeconds: 300,
  tolerance: 0.1,
  targetUtilization: 0.9,
  scaleUp: { stabilizationSeconds: 0, maxStep: 0 },
  scaleDown: { stabilizationSeconds: 120, maxStep: 0 },
  settleTimeoutSeconds: 180,
  staleAfterSeconds: 45,
  partitions: {
    enabled: false,
    max: 0,
    keyed: false,
    keyedPolicy: "Forbid",
    confirmSeconds: 300,
    minIntervalSeconds: 300,
  },
};

export interface ScalingSettingsInput extends Partial<Omit<ScalingSettings, "scaleUp" | "scaleDown" | "partitions">> {
  scaleUp?: Partial<StepSettings>;
  scaleDown?: Partial<StepSettings>;
  partitions?: Partial<PartitionSettings>;
}

/** Fills defaults and repairs contradictions (max below min) so the decision never sees nonsense. */
export function scalingSettings(input: ScalingSettingsInput = {}): ScalingSettings {
  const d = defaultScalingSettings;
  const minReplicas = wholeAtLeast(input.minReplicas ?? d.minReplicas, 0);
  return {
    minReplicas,
    maxReplicas: Math.max(minReplicas, wholeAtLeast(input.maxReplicas ?? d.maxReplicas, 1)),
    lagMaxSeconds: positive(input.lagMaxSeconds, d.lagMaxSeconds),
    lagMaxMessagesPerReplica: positive(input.lagMaxMessagesPerReplica, d.lagMaxMessagesPerReplica),
    activationLag: Math.max(0, input.activationLag ?? d.activationLag),
    idleSeconds: Math.max(0, input.idleSeconds ?? d.idleSeconds),
    tolerance: Math.min(0.5, Math.max(0, input.tolerance ?? d.tolerance)),
    targetUtilization: Math.min(1, positive(input.targetUtilization, d.targetUtilization)),
    scaleUp: step(input.scaleUp, d.scaleUp),
    scaleDown: step(input.scaleDown, d.scaleDown),
    settleTimeoutSeconds: Math.max(0, input.settleTimeoutSeconds ?? d.settleTimeoutSeconds),
    staleAfterSeconds: positive(input.staleAfterSeconds, d.staleAfterSeconds),
    partitions: { ...d.partitions, ...input.partitions },
  };
}

function step(input: Partial<StepSettings> | undefined, fallback: StepSettings): StepSettings {
  return {
    stabilizationSeconds: Math.max(0, input?.stabilizationSeconds ?? fallback.stabilizationSeconds),
    maxStep: wholeAtLeast(input?.maxStep ?? fallback.maxStep, 0),
  };
}

function positive(value: number | undefined, fallback: number): number {
  return value !== undefined && Number.isFinite(value) && value > 0 ? value : fallback;
}

function wholeAtLeast(value: number, least: number): number {
  return Number.isFinite(value) ? Math.max(least, Math.floor(value)) : least;
}
