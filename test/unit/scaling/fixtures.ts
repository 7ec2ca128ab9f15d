// Builders for scaling tests: lag summaries described by a few numbers.
import type {
  GroupLagSummary,
  GroupState,
  PartitionHealth,
  PartitionLagSummary,
} from "../../../operator/src/lag/types.ts";
import {
  type ScalingSettings,
  type ScalingSettingsInput,
  scalingSettings,
} from "../../../operator/src/scaling/settings.ts";
import { initialScalingState, type ScalingState } from "../../../operator/src/scaling/types.ts";

export const now = 1_700_000_000_000;
export const seconds = (s: number) => now + s * 1000;

export interface SummarySpec {
  partitions?: number;
  /** Total records per second in, split evenly. */
  produce?: number;
  /** Total records per second committed, split evenly (0 unless given: it is a lower bound of throughput). */
  consume?: number;
  /** Total backlog (records beyond the commit slack), split evenly. */
  backlog?: number;
  lagSeconds?: number;
  groupState?: GroupState;
  members?: number;
  timeMs?: number;
  rateSpanSeconds?: number;
  /** Per-partition overrides by index. */
  overrides?: Record<number, Partial<PartitionLagSummary>>;
  busyMembers?: GroupLagSummary["busyMembers"];
  uncommittedArrivals?: boolean;
  topic?: string;
}

export function summary(spec: SummarySpec = {}): GroupLagSummary {
  const n = spec.partitions ?? 12;
  const perPartitionRate = (spec.produce ?? 0) / n;
  const perPartitionBacklog = (spec.backlog ?? 0) / n;
  const partitions: PartitionLagSummary[] = Array.from({ length: n }, (_, i) => ({
    topic: spec.topic ?? "orders",
    partition: i,
    logStartOffset: 0,
    logEndOffset: 1_000_000,
    committedOffset: 1_000_000 - perPartitionBacklog,
    lag: perPartitionBacklog,
    backlog: perPartitionBacklog,
    lagSeconds: spec.lagSeconds ?? 0,
    produceRate: perPartitionRate,
    recentProduceRate: perPartitionRate,
    consumeRate: (spec.consume ?? 0) / n,
    health: "OK" as PartitionHealth,
    owner: `m-${i % Math.max(1, spec.members ?? 1)}`,
    progressing: true,
    ...spec.overrides?.[i],
    // Nothing forgiven by maxMessagesPerPartition unless a case says so: waiting follows the backlog.
    waiting: spec.overrides?.[i]?.waiting ?? spec.overrides?.[i]?.backlog ?? perPartitionBacklog,
  }));
  const totalLag = partitions.reduce((sum, p) => sum + p.lag, 0);
  const healthCounts: Record<PartitionHealth, number> = { OK: 0, WARN: 0, STALL: 0, STOP: 0, REWIND: 0 };
  for (const p of partitions) healthCounts[p.health]++;
  return {
    timeMs: spec.timeMs ?? now,
    groupState: spec.groupState ?? "Stable",
    members: spec.members ?? 1,
    partitions,
    totalLag,
    maxLagSeconds: Math.max(0, ...partitions.map((p) => p.lagSeconds ?? 0)),
    produceRate: partitions.reduce((sum, p) => sum + p.produceRate, 0),
    consumeRate: partitions.reduce((sum, p) => sum + p.consumeRate, 0),
    rateSpanSeconds: spec.rateSpanSeconds ?? 60,
    healthCounts,
    worstHealth: "OK",
    busyMembers: spec.busyMembers ?? [],
    uncommittedArrivals: spec.uncommittedArrivals ?? false,
  };
}

type AutoscalingInput = NonNullable<ScalingSettingsInput["autoscaling"]>;

/**
 * The settings a user gets from a spec that leaves them out (the schema's defaults), except 12
 * replicas at most so that every count of the usual 12 partitions is reachable; plus `autoscaling`.
 */
export function settings(autoscaling: AutoscalingInput = {}, lag: ScalingSettingsInput["lag"] = {}): ScalingSettings {
  return scalingSettings({ lag, autoscaling: { maxReplicas: 12, ...autoscaling } });
}

/** State with a known per-replica throughput and a covered scale-down window. */
export function knownThroughput(perReplica: number, extra: Partial<ScalingState> = {}): ScalingState {
  return {
    ...initialScalingState,
    throughput: { perReplica, observedAtMs: now - 1, measurements: 5 },
    recommendingSinceMs: now - 3_600_000,
    ...extra,
  };
}
