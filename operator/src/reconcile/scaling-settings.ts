// Maps the CRD's lag and autoscaling sections onto the decision function's settings.
import type { KafkaConsumerGroupSpec } from "../api/spec.ts";
import { type LagOptions, lagOptionsFor } from "../lag/options.ts";
import { type ScalingSettings, scalingSettings } from "../scaling/settings.ts";

export function toScalingSettings(spec: KafkaConsumerGroupSpec): ScalingSettings {
  const { autoscaling, lag } = spec;
  const keyedTopics = autoscaling.partitions.keyedTopics ?? [];
  return scalingSettings({
    minReplicas: autoscaling.minReplicas,
    maxReplicas: autoscaling.maxReplicas,
    lagMaxSeconds: lag.maxSeconds,
    lagMaxMessagesPerReplica: autoscaling.lagPerReplica,
    activationLag: autoscaling.activationLag,
    idleSeconds: autoscaling.cooldownSeconds,
    tolerance: autoscaling.tolerancePercent / 100,
    scaleUp: autoscaling.scaleUp,
    scaleDown: autoscaling.scaleDown,
    // Observations older than three polls are not a basis for scaling.
    staleAfterSeconds: autoscaling.pollIntervalSeconds * 3,
    partitions: {
      enabled: autoscaling.partitions.enabled,
      max: autoscaling.partitions.max ?? 0,
      keyed: keyedTopics.length > 0,
      keyedPolicy: autoscaling.partitions.keyedTopicPolicy === "AcceptKeyMovement" ? "AllowKeyMovement" : "Forbid",
      minIntervalSeconds: autoscaling.partitions.minIntervalSeconds,
      confirmSeconds: autoscaling.partitions.stabilizationSeconds,
    },
  });
}

/** `commitIntervalMs`: a partition whose offset did not move within one commit interval is not stalled yet. */
export function toLagOptions(spec: KafkaConsumerGroupSpec, commitIntervalMs: number): LagOptions {
  return lagOptionsFor({
    startFrom: spec.startFrom,
    commitIntervalMs,
    pollIntervalSeconds: spec.autoscaling.pollIntervalSeconds,
    allowedLag: spec.lag.maxMessagesPerPartition,
  });
}
