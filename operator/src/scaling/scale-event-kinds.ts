// The scale events a group can have, as the "direction/reason" keys of lagpilot_scale_events_total. The operator
// exports each at 0 from the group's first reconcile on, so a dashboard's rate() or increase() of scale events
// reads 0 before the first change instead of nothing. Pure; plan.ts adds them to the group's snapshot.
import { type SizingReason, sizingReasons } from "./types.ts";

export interface ScaleEventSettings {
  enabled: boolean;
  minReplicas: number;
}

/**
 * The replica changes a group's spec allows, by the reason they would carry:
 * 1. autoscaling off: spec.replicas edits, up/Manual and down/Manual;
 * 2. autoscaling on: up and down for every reason sizing gives (LagTarget, Throughput, HotPartition, Fallback);
 * 3. and with minReplicas 0: up/Activation and down/ScaleToZero.
 * Partition growth and rarer causes get their series at their first event.
 */
export function scaleEventKinds(autoscaling: ScaleEventSettings): string[] {
  if (!autoscaling.enabled) return ["up/Manual", "down/Manual"];
  const sized = (direction: "up" | "down") => sizingReasons.map((reason: SizingReason) => `${direction}/${reason}`);
  const kinds = [...sized("up"), ...sized("down")];
  if (autoscaling.minReplicas === 0) kinds.push("up/Activation", "down/ScaleToZero");
  return kinds;
}

/** The group's counts, with every kind it can have and has not had yet at 0. */
export function withZeroScaleEvents(
  counts: Record<string, number>,
  autoscaling: ScaleEventSettings,
): Record<string, number> {
  const all: Record<string, number> = {};
  for (const kind of scaleEventKinds(autoscaling)) all[kind] = 0;
  return { ...all, ...counts };
}
