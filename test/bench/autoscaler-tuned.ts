// KEDA tuned per scenario: a small sweep of the options a careful KEDA user would try, the best run
// by the benchmark's score standing for "KEDA, tuned".
import { type KedaOptions, kedaDefaults, kedaPolicy } from "./autoscaler-keda.ts";
import { kedaThreshold } from "./autoscaler-scenario.ts";
import { runScore } from "./autoscaler-score.ts";
import { type Policy, type RunMetrics, run, type Scenario } from "./autoscaler-sim.ts";

/** Multiples of the scenario's lagThreshold tried (1 = the default rival's). */
export const thresholdFactors = [0.25, 0.5, 1, 2] as const;

export interface KedaVariant {
  lagThresholdFactor: number;
  ensureEvenDistributionOfPartitions: boolean;
  excludePersistentLag: boolean;
}

export function kedaOptionsFor(scenario: Scenario, variant?: KedaVariant): KedaOptions {
  const threshold = kedaThreshold(scenario);
  return {
    ...kedaDefaults,
    minReplicaCount: scenario.target.minReplicas,
    maxReplicaCount: scenario.target.maxReplicas,
    offsetResetPolicy: "earliest",
    ...(scenario.keda ?? {}),
    ...(variant === undefined
      ? { lagThreshold: threshold }
      : {
          lagThreshold: Math.max(1, Math.round(threshold * variant.lagThresholdFactor)),
          ensureEvenDistributionOfPartitions: variant.ensureEvenDistributionOfPartitions,
          excludePersistentLag: variant.excludePersistentLag,
        }),
  };
}

export function kedaVariants(): KedaVariant[] {
  const variants: KedaVariant[] = [];
  for (const lagThresholdFactor of thresholdFactors)
    for (const ensureEvenDistributionOfPartitions of [false, true])
      for (const excludePersistentLag of [false, true])
        variants.push({ lagThresholdFactor, ensureEvenDistributionOfPartitions, excludePersistentLag });
  return variants;
}

export function kedaDefaultPolicy(scenario: Scenario, name = "keda-default"): Policy {
  return kedaPolicy(kedaOptionsFor(scenario), name, scenario.initialReplicas);
}

export interface TunedRun {
  variant: KedaVariant;
  metrics: RunMetrics;
  score: number;
}

/** Runs every variant and keeps the best by score (ties: the earlier, i.e. smaller threshold). */
export function bestKeda(scenario: Scenario, name = "keda-tuned"): TunedRun {
  let best: TunedRun | undefined;
  for (const variant of kedaVariants()) {
    const policy = kedaPolicy(kedaOptionsFor(scenario, variant), name, scenario.initialReplicas);
    const { metrics } = run(scenario, policy);
    const score = runScore(metrics, scenario);
    if (best === undefined || score < best.score) best = { variant, metrics, score };
  }
  if (best === undefined) throw new Error("no KEDA variant to run");
  return best;
}

export function describeVariant(v: KedaVariant): string {
  const flags = [
    v.ensureEvenDistributionOfPartitions ? "even" : undefined,
    v.excludePersistentLag ? "excludePersistent" : undefined,
  ].filter((f) => f !== undefined);
  return `threshold x${v.lagThresholdFactor}${flags.length > 0 ? ` ${flags.join(" ")}` : ""}`;
}
