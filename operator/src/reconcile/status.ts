// Computes a KafkaConsumerGroup's status from what one reconcile observed. Pure: the same observations
// and clock give the same status, so an unchanged world produces an unchanged status and no write.

import { type ConditionUpdate, setCondition } from "../api/conditions.ts";
import type { KafkaConsumerGroupStatus, ResolvedSettings } from "../api/status.ts";
import { readyReasons } from "../api/status.ts";
import { inFlightRecords } from "../lag/summary.ts";
import type { GroupLagSummary } from "../lag/types.ts";
import type { ScalingDecision } from "../scaling/types.ts";
import { autoscalingStatus } from "./autoscaling-status.ts";

export interface KafkaOutcome {
  reachable: boolean;
  /** Kafka answered but lacks these topics of spec.topics: a typo or a topic not created yet, not an outage. */
  missingTopics?: string[];
  /** Kafka answered but lacks processing.deadLetter.topic: a message that fails its retries stops its partition. */
  missingDeadLetterTopic?: string;
  /** Why not, when not reachable: KafkaUnreachable or SecretMissing. */
  reason?: "KafkaUnreachable" | "SecretMissing";
  message: string;
}

export interface DeploymentView {
  replicas: number;
  readyReplicas: number;
  /** True when the Deployment controller has seen the latest spec and finished rolling it out. */
  rolledOut: boolean;
}

export interface StatusInput {
  now: Date;
  generation: number;
  previous: KafkaConsumerGroupStatus | undefined;
  paused: boolean;
  resolved: ResolvedSettings;
  desiredReplicas: number;
  deployment: DeploymentView | undefined;
  selector: string;
  kafka: KafkaOutcome;
  /** Partitions per topic, when Kafka answered. */
  topics: Map<string, number> | undefined;
  summary: GroupLagSummary | undefined;
  /** spec.lag, and the seconds of consumption a healthy consumer holds uncommitted (not counted as waiting). */
  lagTarget: { maxSeconds: number; maxMessagesPerPartition: number; commitSlackSeconds: number };
  decision: ScalingDecision | undefined;
  /** Set when applying the owned objects failed: the apiserver's message. */
  applyError?: string;
  /** Set when this reconcile changed replicas or partitions. */
  scaled?: { message: string };
}

const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;

function readyCondition(input: StatusInput): ConditionUpdate {
  const base = { type: "Ready" as const, observedGeneration: input.generation };
  if (input.paused) {
    return {
      ...base,
      status: "Unknown",
      reason: readyReasons.paused,
      message: "spec.paused is true: nothing is changed",
    };
  }
  if (!input.kafka.reachable) {
    const reason = input.kafka.reason === "SecretMissing" ? readyReasons.secretMissing : readyReasons.kafkaUnreachable;
    return { ...base, status: "False", reason, message: input.kafka.message };
  }
  if (input.kafka.missingTopics?.length) {
    return { ...base, status: "False", reason: readyReasons.topicsMissing, message: topicsMissingMessage(input.kafka) };
  }
  if (input.applyError) {
    return {
      ...base,
      status: "False",
      reason: "ApplyFailed",
      message: `could not apply the consumer's objects: ${input.applyError}`,
    };
  }
  if (input.desiredReplicas === 0) {
    return { ...base, status: "True", reason: readyReasons.scaledToZero, message: "scaled to zero while idle" };
  }
  const ready = input.deployment?.readyReplicas ?? 0;
  if (input.deployment?.rolledOut && ready >= input.desiredReplicas) {
    return {
      ...base,
      status: "True",
      reason: readyReasons.consuming,
      message: `${ready} of ${input.desiredReplicas} replicas ready`,
    };
  }
  return {
    ...base,
    status: "False",
    reason: readyReasons.rollingOut,
    message: `${ready} of ${input.desiredReplicas} replicas ready`,
  };
}

export function topicsMissingMessage(kafka: KafkaOutcome): string {
  const missing = kafka.missingTopics ?? [];
  return `topic(s) ${missing.join(", ")} of spec.topics do not exist in Kafka (${kafka.message}): fix the name in spec.topics or create the topic; lag is not measured and replicas are held until then`;
}

function lagCondition(input: StatusInput): ConditionUpdate {
  const base = { type: "LagWithinTarget" as const, observedGeneration: input.generation };
  const { summary, lagTarget } = input;
  if (!summary) return { ...base, status: "Unknown", reason: "NoObservations", message: "lag not observed yet" };
  // Records in flight between two commits are being consumed, not waiting: a busy, healthy group is within target.
  const waiting = (p: GroupLagSummary["partitions"][number]) =>
    Math.max(0, Math.round(p.lag - inFlightRecords(p.consumeRate, lagTarget)));
  const worstMessages = Math.max(0, ...summary.partitions.map(waiting));
  if (summary.maxLagSeconds > lagTarget.maxSeconds) {
    return {
      ...base,
      status: "False",
      reason: "LagAboveTarget",
      message: `lag ${round(summary.maxLagSeconds, 1)}s exceeds the ${lagTarget.maxSeconds}s target (spec.lag.maxSeconds)`,
    };
  }
  if (worstMessages > lagTarget.maxMessagesPerPartition) {
    return {
      ...base,
      status: "False",
      reason: "LagAboveTarget",
      message: `a partition has ${worstMessages} messages waiting beyond those in flight between commits, above ${lagTarget.maxMessagesPerPartition} (spec.lag.maxMessagesPerPartition)`,
    };
  }
  return {
    ...base,
    status: "True",
    reason: "WithinTarget",
    message: `lag ${round(summary.maxLagSeconds, 1)}s, ${summary.totalLag} messages`,
  };
}

export function deadLetterTopicMissingMessage(topic: string): string {
  return `processing.deadLetter.topic ${topic} does not exist in Kafka: a message that fails its last retry waits, and stops its partition, until the topic is created; create the topic or fix the name`;
}

function degradedCondition(input: StatusInput): ConditionUpdate {
  const base = { type: "Degraded" as const, observedGeneration: input.generation };
  // First: it explains the stalled partition a poison message leaves behind it.
  const deadLetterTopic = input.kafka.reachable ? input.kafka.missingDeadLetterTopic : undefined;
  if (deadLetterTopic) {
    return {
      ...base,
      status: "True",
      reason: "DeadLetterTopicMissing",
      message: deadLetterTopicMissingMessage(deadLetterTopic),
    };
  }
  const counts = input.summary?.healthCounts;
  const bad = counts ? counts.STALL + counts.STOP + counts.REWIND : 0;
  if (!counts || bad === 0)
    return { ...base, status: "False", reason: "Healthy", message: "no stalled, stopped or rewound partitions" };
  const worst = counts.STOP > 0 ? "PartitionsStopped" : counts.STALL > 0 ? "PartitionsStalled" : "OffsetsRewound";
  const stuck =
    input.summary?.partitions.filter((p) => p.health === "STALL" || p.health === "STOP" || p.health === "REWIND") ?? [];
  const names = stuck
    .slice(0, 5)
    .map((p) => `${p.topic}-${p.partition} ${p.health}`)
    .join(", ");
  return { ...base, status: "True", reason: worst, message: `${bad} partition(s) not progressing: ${names}` };
}

export function computeStatus(input: StatusInput): KafkaConsumerGroupStatus {
  const previous = input.previous ?? {};
  const updates: ConditionUpdate[] = [
    readyCondition(input),
    {
      type: "KafkaReachable" as const,
      observedGeneration: input.generation,
      ...(input.kafka.reachable
        ? { status: "True", reason: "Connected", message: input.kafka.message }
        : { status: "False", reason: input.kafka.reason ?? "KafkaUnreachable", message: input.kafka.message }),
    },
    {
      type: "Progressing" as const,
      observedGeneration: input.generation,
      ...(input.deployment && !input.deployment.rolledOut
        ? { status: "True", reason: "RollingOut", message: "the consumer Deployment is rolling out" }
        : { status: "False", reason: "Stable", message: "no rollout in progress" }),
    },
    lagCondition(input),
    {
      type: "ScalingLimited" as const,
      observedGeneration: input.generation,
      ...(input.decision?.limited
        ? { status: "True", reason: input.decision.limited.reason, message: input.decision.limited.message }
        : { status: "False", reason: "WithinLimits", message: "replicas and partitions can meet the target" }),
    },
    degradedCondition(input),
  ];
  const conditions = updates.reduce((list, update) => setCondition(list, update, input.now), previous.conditions ?? []);
  const status: KafkaConsumerGroupStatus = {
    observedGeneration: input.generation,
    conditions,
    replicas: input.deployment?.replicas ?? 0,
    readyReplicas: input.deployment?.readyReplicas ?? 0,
    desiredReplicas: input.desiredReplicas,
    selector: input.selector,
    resolved: input.resolved,
  };
  if (input.topics) {
    status.partitions = [...input.topics.values()].reduce((a, b) => a + b, 0);
    status.topics = [...input.topics.entries()].map(([name, partitions]) => {
      const ofTopic = input.summary?.partitions.filter((p) => p.topic === name) ?? [];
      const seconds = ofTopic.map((p) => p.lagSeconds ?? 0);
      return {
        name,
        partitions,
        ...(input.summary
          ? { lag: ofTopic.reduce((sum, p) => sum + p.lag, 0), lagSeconds: round(Math.max(0, ...seconds), 1) }
          : {}),
      };
    });
  } else {
    if (previous.partitions !== undefined) status.partitions = previous.partitions;
    if (previous.topics) status.topics = previous.topics;
  }
  if (input.summary) {
    status.totalLag = input.summary.totalLag;
    status.lagSeconds = round(input.summary.maxLagSeconds, 1);
    status.produceRate = round(input.summary.produceRate);
    status.consumeRate = round(input.summary.consumeRate);
    const c = input.summary.healthCounts;
    status.partitionHealth = { ok: c.OK, warn: c.WARN, stall: c.STALL, stop: c.STOP, rewind: c.REWIND };
  }
  if (input.scaled) {
    status.lastScaleTime = input.now.toISOString();
    status.lastScaleReason = input.scaled.message.slice(0, 1024);
  } else {
    if (previous.lastScaleTime) status.lastScaleTime = previous.lastScaleTime;
    if (previous.lastScaleReason) status.lastScaleReason = previous.lastScaleReason;
  }
  // Paused without a decision in memory (e.g. after a restart): what status kept stays as it is.
  const autoscaling = input.decision
    ? autoscalingStatus(input.decision.state)
    : input.paused
      ? input.previous?.autoscaling
      : undefined;
  if (autoscaling) status.autoscaling = autoscaling;
  const limited = input.decision?.limited;
  if (limited) {
    status.recommendations = [{ type: limited.reason, message: limited.message.slice(0, 1024) }];
  }
  return status;
}
