// Inputs, outputs and carried-over state of the scaling decision.
import type { GroupLagSummary } from "../lag/types.ts";
import type { LeadTime, PendingScaleUp } from "./lead-time.ts";
import type { PartitionGrowth, PartitionPressure, ScalingLimit } from "./partitions.ts";
import type { Saturation, ScaleUpCheck } from "./saturation.ts";
import type { ScalingSettings } from "./settings.ts";
import type { Recommendation } from "./stabilize.ts";
import type { ThroughputEstimate } from "./throughput.ts";
import type { ArrivalSample } from "./trend.ts";

/** What a history entry says happened, in status's words (reason of status.autoscaling.decisions). */
export type DecisionKind =
  | "ScaledUp"
  | "ScaledDown"
  | "ScaledToZero"
  | "Activated"
  | "Held"
  | "DownstreamSaturated"
  | "PartitionsGrown";

/** The figures a decision read, rounded for reading. */
export interface DecisionFigures {
  /** Records waiting, all partitions. */
  lag: number;
  /** Age of the oldest waiting record. */
  lagSeconds: number;
  /** Records/s arriving on the partitions that drive scaling. */
  arrivalRate: number;
  /** Learned records/s one replica consumes, when known. */
  throughputPerReplica?: number;
  targetLagSeconds: number;
  partitions: number;
}

/** One entry of the decision history, as status shows it. */
export interface DecisionRecord {
  timeMs: number;
  from: number;
  to: number;
  kind: DecisionKind;
  /** The decision's own reason (LagTarget, Throughput, ScaleToZero, ...). */
  reason: ScalingReason;
  message: string;
  figures: DecisionFigures;
}

/** Entries kept in the history. */
export const maxDecisionHistory = 10;

/** What one decision hands to the next. Plain data: it can be kept in memory or in status. */
export interface ScalingState {
  /** Recommendations still inside the longest stabilization window. */
  recommendations: Recommendation[];
  /** First recommendation's time: a window not yet covered by recommendations cannot justify a scale-down. */
  recommendingSinceMs?: number;
  throughput?: ThroughputEstimate;
  lastScaleTimeMs?: number;
  /** Since when the group has had no incoming records and lag at or under activationLag. */
  idleSinceMs?: number;
  partitionPressure?: PartitionPressure;
  lastPartitionGrowthMs?: number;
  /**
   * Partitions seen STALL or STOP, keyed "topic/partition", with the committed offset they stuck at.
   * They drive no scaling until that offset moves: a stuck partition handed to another member reads
   * as fresh (its health window restarts) while it is as stuck as before.
   */
  stuckPartitions?: Record<string, number>;
  /** Incoming rates of the last few minutes, for the arrival trend. */
  arrivals?: ArrivalSample[];
  /** Learned seconds from a scale-up to its replicas consuming. */
  leadTime?: LeadTime;
  /** A scale-up whose lead time is being measured. */
  pendingScaleUp?: PendingScaleUp;
  /** A scale-up whose effect on throughput is being checked. */
  scaleUpCheck?: ScaleUpCheck;
  /** Set while added replicas are known not to raise throughput: no more are added until it expires. */
  saturation?: Saturation;
  /** The last changes of replicas, partition growths and notable holds, oldest first. */
  decisions?: DecisionRecord[];
}

export const initialScalingState: ScalingState = { recommendations: [] };

export interface ScalingInput {
  /** The caller's clock, milliseconds since the epoch. */
  nowMs: number;
  settings: ScalingSettings;
  /** The latest lag summary; undefined before the first successful poll. */
  observation: GroupLagSummary | undefined;
  /** Set when the latest poll failed (the observation is then the previous one). */
  pollError?: string;
  /** Replicas the workload is set to now. */
  currentReplicas: number;
  state: ScalingState;
}

/** The reasons a sized decision gives for moving replicas either way (decide.ts, `reasonFor`). */
export const sizingReasons = ["LagTarget", "Throughput", "HotPartition", "Fallback"] as const;
export type SizingReason = (typeof sizingReasons)[number];

/** Machine-readable cause of a decision (the `reason` label of scale-event metrics). */
export type ScalingReason =
  | SizingReason
  | "NoObservations"
  | "PollFailed"
  | "StaleObservations"
  | "NoPartitions"
  | "WarmingUp"
  | "Rebalancing"
  | "Settling"
  | "NoMembers"
  | "MinReplicas"
  | "Activation"
  | "Idle"
  | "ScaleToZero"
  | "DownstreamSaturated"
  | "Stabilized"
  /** Every partition is stuck: more replicas cannot help. */
  | "PartitionsStuck"
  | "Steady";

export interface ScalingDecision {
  /** Replicas to set (equal to currentReplicas when holding). */
  replicas: number;
  direction: "up" | "down" | "none";
  reason: ScalingReason;
  /** Human-readable, e.g. "lag 48s > 30s target at 9.8k msg/s in, 2.1k msg/s per replica -> 6 replicas". */
  message: string;
  /** Topics to grow now (admin createPartitions), each to its own count; grow-only, never empty when set. */
  partitions?: PartitionGrowth[];
  /** Set when the group needs more than it is allowed to get (condition ScalingLimited). */
  limited?: ScalingLimit;
  /** The raw recommendation before stabilization and step limits, when one was made. */
  recommendation?: number;
  /** The learned per-replica throughput (records/s), when known. */
  throughputPerReplica?: number;
  state: ScalingState;
}
