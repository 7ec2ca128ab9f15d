// What the user asks of the autoscaler: the spec's own lag and autoscaling sections, with the schema's
// names and defaults. There is no second vocabulary: the decision reads the fields a user writes, and a
// setting left out resolves exactly as it does for a KafkaConsumerGroup.
import type { z } from "zod";
import { type AutoscalingSpec, autoscalingSpec, type LagSpec, lagSpec } from "../api/spec-scaling.ts";

export interface ScalingSettings {
  lag: LagSpec;
  autoscaling: AutoscalingSpec;
}

/** The sections as written in a spec: any field may be left out. */
export interface ScalingSettingsInput {
  lag?: z.input<typeof lagSpec>;
  autoscaling?: z.input<typeof autoscalingSpec>;
}

/** Resolves the sections through the schema: its defaults fill what is left out, and what it refuses throws. */
export function scalingSettings(input: ScalingSettingsInput = {}): ScalingSettings {
  return { lag: lagSpec.parse(input.lag ?? {}), autoscaling: autoscalingSpec.parse(input.autoscaling ?? {}) };
}

/** What a group whose spec says nothing about lag or autoscaling gets. */
export const defaultScalingSettings: ScalingSettings = scalingSettings();

// Constants of the model rather than settings: no field sets them.

/** Fraction of a replica's measured throughput to plan with, leaving headroom for bursts and estimate error. */
export const targetUtilization = 0.9;
/** After a scale, hold until the group is Stable with the new member count, or this many seconds pass. */
export const settleTimeoutSeconds = 180;
/** Observations older than this many poll intervals are stale: hold (never scale on missing data). */
export const stalePolls = 3;

export function staleAfterSeconds(settings: ScalingSettings): number {
  return settings.autoscaling.pollIntervalSeconds * stalePolls;
}

/** tolerancePercent as a fraction: 10 -> 0.1. */
export function tolerance(settings: ScalingSettings): number {
  return settings.autoscaling.tolerancePercent / 100;
}
