// Growing topics' partitions when replicas are capped by them. Growth cannot be undone, so the
// need must hold for a whole confirmation window (a spike that drains within it never grows a
// topic), and growth serves the lowest need seen in that window. A group reading several topics grows
// each topic on its own, to its share of the arrivals.
import { formatRate, formatSeconds } from "./format.ts";
import type { ScalingSettings } from "./settings.ts";
import type { Recommendation } from "./stabilize.ts";

export interface PartitionPressure {
  /** Since when the group has needed more replicas than there are partitions, without a break. */
  sinceMs: number;
  /** Needs (replicas) seen within the confirmation window. */
  needs: Recommendation[];
}

export interface PartitionGrowth {
  topic: string;
  from: number;
  to: number;
}

export type LimitReason =
  | "MaxReplicas"
  | "PartitionCount"
  | "HotPartition"
  | "DownstreamSaturated"
  | "PartitionsDisabled"
  | "PartitionsMax"
  | "KeyedTopic"
  | "GrowthRateLimited";

export interface ScalingLimit {
  reason: LimitReason;
  message: string;
  recommendedReplicas?: number;
  recommendedPartitions?: number;
}

/** spec.autoscaling.partitions, resolved. */
export type PartitionSettings = ScalingSettings["autoscaling"]["partitions"];

export interface GrowthInput {
  settings: PartitionSettings;
  maxReplicas: number;
  /** Partition count per topic the group consumes. */
  topics: ReadonlyMap<string, number>;
  /** Records/s arriving per topic; a topic's share of it is its share of the needed partitions. */
  topicRates?: ReadonlyMap<string, number>;
  /** Replicas the observed demand needs, not bounded by partitions; undefined when throughput is unknown. */
  need: number | undefined;
  incomingRate: number;
  pressure: PartitionPressure | undefined;
  lastGrowthMs: number | undefined;
  nowMs: number;
}

export interface GrowthOutcome {
  /** Topics to grow now, each to its own count; never empty when set. */
  grow?: PartitionGrowth[];
  limited?: ScalingLimit;
  pressure: PartitionPressure | undefined;
}

/**
 * The partitions each topic needs so that `wanted` replicas all have work: a topic's share of the arrivals
 * is its share of the replicas (by partition count when nothing arrives), one partition per replica.
 */
export function topicNeeds(
  topics: ReadonlyMap<string, number>,
  wanted: number,
  rates?: ReadonlyMap<string, number>,
): Map<string, number> {
  const weight = (topic: string, count: number) => (rates ? (rates.get(topic) ?? 0) : count);
  let total = 0;
  for (const [topic, count] of topics) total += weight(topic, count);
  const needs = new Map<string, number>();
  for (const [topic, count] of topics) {
    const share = total > 0 ? weight(topic, count) / total : count / Math.max(1, sumCounts(topics));
    needs.set(topic, Math.max(count, Math.ceil(wanted * share - 1e-9)));
  }
  return needs;
}

export function decidePartitionGrowth(input: GrowthInput): GrowthOutcome {
  const { settings, topics, need, nowMs } = input;
  const total = sumCounts(topics);
  if (need === undefined || need <= total) return { pressure: undefined };
  const windowStart = nowMs - settings.stabilizationSeconds * 1000;
  const pressure: PartitionPressure =
    input.pressure === undefined || input.pressure.sinceMs > nowMs
      ? { sinceMs: nowMs, needs: [{ timeMs: nowMs, replicas: need }] }
      : {
          sinceMs: input.pressure.sinceMs,
          needs: [
            ...input.pressure.needs.filter((n) => n.timeMs >= windowStart && n.timeMs <= nowMs),
            { timeMs: nowMs, replicas: need },
          ],
        };
  const sustained = Math.min(...pressure.needs.map((n) => n.replicas));
  // More partitions than replicas can ever use add nothing.
  const wanted = Math.min(sustained, input.maxReplicas);
  if (wanted <= total) {
    return { pressure, limited: maxReplicasLimit(need, total, input) };
  }
  const what = `${formatRate(input.incomingRate)} in needs ${wanted} partitions (has ${total})`;
  const recommend = (reason: LimitReason, advice: string): GrowthOutcome => ({
    pressure,
    limited: { reason, message: `${what}; ${advice}`, recommendedPartitions: wanted, recommendedReplicas: wanted },
  });
  if (!settings.enabled)
    return recommend("PartitionsDisabled", "enable autoscaling.partitions to let Lagpilot grow it");
  // Each topic grows on its own, to its share of the need; keyed topics under Recommend and topics at max stay.
  const max = settings.max ?? 0;
  const keyed = new Set(settings.keyedTopicPolicy === "AcceptKeyMovement" ? [] : (settings.keyedTopics ?? []));
  const grow: PartitionGrowth[] = [];
  const heldKeyed: string[] = [];
  const heldAtMax: string[] = [];
  for (const [topic, to] of topicNeeds(topics, wanted, input.topicRates)) {
    const from = topics.get(topic) ?? 0;
    if (to <= from) continue;
    if (keyed.has(topic)) heldKeyed.push(`${topic} to ${to}`);
    else if (from >= max) heldAtMax.push(`${topic} to ${to}`);
    else grow.push({ topic, from, to: Math.min(to, max) });
    if (!keyed.has(topic) && from < max && to > max) heldAtMax.push(`${topic} to ${to}`);
  }
  const keyedAdvice = () =>
    `growing ${heldKeyed.join(", ")} moves keys (autoscaling.partitions.keyedTopics); set autoscaling.partitions.keyedTopicPolicy to AcceptKeyMovement to allow it`;
  const maxAdvice = () =>
    `autoscaling.partitions.max is ${max}; ${heldAtMax.join(", ")} would need more: raise it to allow growth`;
  if (grow.length === 0) {
    return heldKeyed.length > 0 ? recommend("KeyedTopic", keyedAdvice()) : recommend("PartitionsMax", maxAdvice());
  }
  if (pressure.sinceMs > windowStart) return { pressure };
  if (input.lastGrowthMs !== undefined && input.lastGrowthMs <= nowMs) {
    const wait = settings.minIntervalSeconds - (nowMs - input.lastGrowthMs) / 1000;
    if (wait > 0) return recommend("GrowthRateLimited", `next growth allowed in ${formatSeconds(wait)}`);
  }
  if (heldKeyed.length > 0) return { ...recommend("KeyedTopic", keyedAdvice()), grow, pressure: undefined };
  if (heldAtMax.length > 0) return { ...recommend("PartitionsMax", maxAdvice()), grow, pressure: undefined };
  return { grow, pressure: undefined };
}

function sumCounts(topics: ReadonlyMap<string, number>): number {
  return [...topics.values()].reduce((a, b) => a + b, 0);
}

/** Partitions after `grow`: the pool replicas can be spread over. */
export function partitionsAfter(topics: ReadonlyMap<string, number>, grow: readonly PartitionGrowth[] = []): number {
  return sumCounts(topics) + grow.reduce((sum, g) => sum + (g.to - g.from), 0);
}

function maxReplicasLimit(need: number, total: number, input: GrowthInput): ScalingLimit {
  return {
    reason: "MaxReplicas",
    message: `${formatRate(input.incomingRate)} in needs ${need} replicas; maxReplicas is ${input.maxReplicas}`,
    recommendedReplicas: need,
    ...(need > total ? { recommendedPartitions: need } : {}),
  };
}
