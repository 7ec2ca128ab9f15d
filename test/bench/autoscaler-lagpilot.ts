// Lagpilot's real lag module and decision function, wired to the simulated group.
import { emptyHistory, recordPoll } from "../../operator/src/lag/history.ts";
import { lagOptionsFor } from "../../operator/src/lag/options.ts";
import { summarize } from "../../operator/src/lag/summary.ts";
import { decideScaling } from "../../operator/src/scaling/decide.ts";
import { type ScalingSettings, scalingSettings } from "../../operator/src/scaling/settings.ts";
import { initialScalingState, type ScalingState } from "../../operator/src/scaling/types.ts";
import { kedaThreshold } from "./autoscaler-scenario.ts";
import { defaultGroupModel, type Policy, type Scenario, type World } from "./autoscaler-sim.ts";

/** Spec fields from a scenario's `lagpilot` overrides; older files used the decision's former names. */
const formerNames: Record<string, (value: unknown) => [string, unknown]> = {
  lagMaxMessagesPerReplica: (v) => ["lagPerReplica", v],
  idleSeconds: (v) => ["cooldownSeconds", v],
  tolerance: (v) => ["tolerancePercent", typeof v === "number" ? Math.round(v * 100) : v],
};

function autoscalingOverrides(scenario: Scenario): Record<string, unknown> {
  const overrides: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(scenario.lagpilot ?? {})) {
    const [name, translated] = formerNames[key]?.(value) ?? [key, value];
    overrides[name] = translated;
  }
  return overrides;
}

/**
 * The settings the operator would resolve for a group whose spec says what the scenario's target
 * says, with the schema's defaults for everything else (the same function resolves both).
 */
export function lagpilotSettings(scenario: Scenario): ScalingSettings {
  return scalingSettings({
    lag: { maxSeconds: scenario.target.lagMaxSeconds },
    autoscaling: {
      enabled: true,
      minReplicas: scenario.target.minReplicas,
      maxReplicas: scenario.target.maxReplicas,
      pollIntervalSeconds: scenario.pollSeconds ?? 15,
      // The same messages-per-replica figure the KEDA user gives, used until throughput is measured.
      lagPerReplica: kedaThreshold(scenario),
      ...autoscalingOverrides(scenario),
    },
  });
}

export function lagpilotPolicy(scenario: Scenario, name = "lagpilot"): Policy {
  const settings = lagpilotSettings(scenario);
  const pollSeconds = settings.autoscaling.pollIntervalSeconds;
  // Observed as the operator observes a group: the simulated one starts new partitions from the
  // earliest offset, commits at its model's cadence, and keeps the spec's allowed lag.
  const commitInterval = scenario.group?.commitIntervalSeconds ?? defaultGroupModel.commitIntervalSeconds;
  const options = lagOptionsFor({
    startFrom: "earliest",
    commitIntervalMs: commitInterval * 1000,
    pollIntervalSeconds: pollSeconds,
    allowedLag: settings.lag.maxMessagesPerPartition,
  });
  let history = emptyHistory();
  let state: ScalingState = initialScalingState;
  let reason = "";
  return {
    name,
    lastReason: () => reason,
    tick(world: World, nowMs: number): void {
      const t = Math.round(nowMs / 1000);
      if (t % pollSeconds !== 0) return;
      history = recordPoll(history, world.observe(nowMs), options);
      const decision = decideScaling({
        nowMs,
        settings,
        observation: summarize(history, options),
        currentReplicas: world.replicas(),
        state,
      });
      state = decision.state;
      reason = `${decision.reason}: ${decision.message}`;
      // The simulator's growing scenarios read one topic: its count is the group's.
      for (const g of decision.partitions ?? []) world.growPartitions(g.to);
      if (decision.replicas !== world.replicas()) world.setReplicas(decision.replicas);
    },
  };
}
