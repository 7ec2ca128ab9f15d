// One score ranks runs of the same scenario: the tuned KEDA rival is the best of its sweep by it, and
// the goals compare policies on its parts.
import type { RunMetrics, Scenario } from "./autoscaler-sim.ts";

/**
 * Replica-seconds plus `maxReplicas` replica-seconds for every second over the lag target, plus ten
 * minutes of `maxReplicas` for every flap: a second over target costs as much as running every
 * replica allowed for that second, and an oscillation as much as ten such minutes. Lower is better.
 */
export function runScore(metrics: RunMetrics, scenario: Scenario): number {
  const full = scenario.target.maxReplicas;
  return metrics.replicaSeconds + full * metrics.secondsOverTarget + full * 600 * metrics.flaps;
}
