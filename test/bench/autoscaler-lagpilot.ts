// Lagpilot's real lag module and decision function, wired to the simulated group.
import { emptyHistory, recordPoll } from "../../operator/src/lag/history.ts";
import { lagOptionsFor } from "../../operator/src/lag/options.ts";
import { summarize } from "../../operator/src/lag/summary.ts";
import { decideScaling } from "../../operator/src/scaling/decide.ts";
import {
  type ScalingSettings,
  type ScalingSettingsInput,
  scalingSettings,
} from "../../operator/src/scaling/settings.ts";
import { initialScalingState, type ScalingState } from "../../operator/src/scaling/types.ts";
import { kedaThreshold } from "./autoscaler-scenario.ts";
import { defaultGroupModel, type Policy, type Scenario, type World } from "./autoscaler-sim.ts";

/** spec.lag.maxMessagesPerPartition when the spec leaves it out. */
const defaultAllowedLag = 1000;

export function lagpilotSettings(scenario: Scenario): ScalingSettings {
  const overrides = (scenario.lagpilot ?? {}) as ScalingSettingsInput;
  return scalingSettings({
    minReplicas: scenario.target.minReplicas,
    maxReplicas: scenario.target.maxReplicas,
    lagMaxSeconds: scenario.target.lagMaxSeconds,
    // The same messages-per-replica figure the KEDA user gives, used until throughput is measured.
    lagMaxMessagesPerReplica: kedaThreshold(scenario),
    ...overrides,
  });
}

export function lagpilotPolicy(scenario: Scenario, name = "lagpilot"): Policy {
  const settings = lagpilotSettings(scenario);
  const pollSeconds = scenario.pollSeconds ?? 15;
  // Observed as the operator observes a group: the simulated one starts new partitions from the
  // earliest offset, commits at its model's cadence, and keeps the spec's default allowed lag.
  const commitInterval = scenario.group?.commitIntervalSeconds ?? defaultGroupModel.commitIntervalSeconds;
  const options = lagOptionsFor({
    startFrom: "earliest",
    commitIntervalMs: commitInterval * 1000,
    pollIntervalSeconds: pollSeconds,
    allowedLag: defaultAllowedLag,
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
      if (decision.partitions !== undefined) world.growPartitions(decision.partitions.to);
      if (decision.replicas !== world.replicas()) world.setReplicas(decision.replicas);
    },
  };
}
