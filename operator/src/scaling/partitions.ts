// Growing a topic's partitions when replicas are capped by them. Growth cannot be undone, so the
// need must hold for a whole confirmation window (a spike that drains within it never grows the
// topic), and the topic grows to the lowest need seen in that window.
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
  | "MultipleTopics"
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
  /** Replicas the observed demand needs, not bounded by partitions; undefined when throughput is unknown. */
  need: number | undefined;
  incomingRate: number;
  pressure: PartitionPressure | undefined;
  lastGrowthMs: number | undefined;
  nowMs: number;
}

export interface GrowthOutcome {
  grow?: PartitionGrowth;
  limited?: ScalingLimit;
  pressure: PartitionPressure | undefined;
}

export function decidePartitionGrowth(input: GrowthInput): GrowthOutcome {
  const { settings, topics, need, nowMs } = input;
  const total = [...topics.values()].reduce((a, b) => a + b, 0);
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
  const [topic, ...others] = [...topics.keys()];
  if (topic === undefined || others.length > 0) {
    return recommend("MultipleTopics", "partitions grow automatically only for a group reading one topic");
  }
  if ((settings.keyedTopics ?? []).includes(topic) && settings.keyedTopicPolicy !== "AcceptKeyMovement") {
    return recommend(
      "KeyedTopic",
      "the topic is keyed and growing it moves keys; set autoscaling.partitions.keyedTopicPolicy to AcceptKeyMovement to allow it",
    );
  }
  const max = settings.max ?? 0;
  if (max <= total) {
    return recommend("PartitionsMax", `autoscaling.partitions.max is ${max}; raise it to allow growth`);
  }
  if (pressure.sinceMs > windowStart) return { pressure };
  if (input.lastGrowthMs !== undefined && input.lastGrowthMs <= nowMs) {
    const wait = settings.minIntervalSeconds - (nowMs - input.lastGrowthMs) / 1000;
    if (wait > 0) return recommend("GrowthRateLimited", `next growth allowed in ${formatSeconds(wait)}`);
  }
  // The smallest count that serves the needed replicas evenly: one partition each.
  const to = Math.min(wanted, max);
  const grow = { topic, from: total, to };
  if (to < wanted) {
    return { ...recommend("PartitionsMax", `growing to the maximum, ${max}`), grow, pressure: undefined };
  }
  return { grow, pressure: undefined };
}

function maxReplicasLimit(need: number, total: number, input: GrowthInput): ScalingLimit {
  return {
    reason: "MaxReplicas",
    message: `${formatRate(input.incomingRate)} in needs ${need} replicas; maxReplicas is ${input.maxReplicas}`,
    recommendedReplicas: need,
    ...(need > total ? { recommendedPartitions: need } : {}),
  };
}
