// The CRD's lag and autoscaling sections are the decision function's settings, as the schema resolved them.
import type { KafkaConsumerGroupSpec } from "../api/spec.ts";
import { type LagOptions, lagOptionsFor } from "../lag/options.ts";
import type { ScalingSettings } from "../scaling/settings.ts";

export function toScalingSettings(spec: KafkaConsumerGroupSpec): ScalingSettings {
  return { lag: spec.lag, autoscaling: spec.autoscaling };
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
