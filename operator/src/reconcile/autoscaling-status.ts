// status.autoscaling from the scaling state: the decision history in status's words. Pure.
import type { AutoscalingStatus, DecisionStatus } from "../api/status.ts";
import type { DecisionRecord, ScalingState } from "../scaling/types.ts";

export function decisionStatus(record: DecisionRecord): DecisionStatus {
  return {
    time: new Date(record.timeMs).toISOString(),
    fromReplicas: record.from,
    toReplicas: record.to,
    reason: record.kind,
    cause: record.reason,
    message: record.message.slice(0, 1024),
    figures: { ...record.figures },
  };
}

/** Undefined when there is nothing to say yet. */
export function autoscalingStatus(state: ScalingState): AutoscalingStatus | undefined {
  const decisions = state.decisions ?? [];
  if (decisions.length === 0) return undefined;
  return { decisions: decisions.map(decisionStatus) };
}
