// The decision history: what a decision adds to the short list status shows (status.autoscaling.decisions).
// Recorded: every change of replicas, a partition growth, and the start of a hold the user should know about
// (added replicas do not raise throughput; every partition is stuck). A hold that goes on is recorded once,
// and routine holds (steady, settling, stabilized) not at all, so ten entries reach back over real changes.
import type { GroupLagSummary, PartitionLagSummary } from "../lag/types.ts";
import type { DecisionKind, DecisionRecord, ScalingDecision, ScalingReason } from "./types.ts";
import { maxDecisionHistory } from "./types.ts";

/** Holds worth an entry when they start: replicas are withheld although lag may be over target. */
const notableHolds: Partial<Record<ScalingReason, DecisionKind>> = {
  DownstreamSaturated: "DownstreamSaturated",
  PartitionsStuck: "Held",
};

export interface HistoryInput {
  nowMs: number;
  /** Replicas before the decision. */
  current: number;
  decision: ScalingDecision;
  observation: GroupLagSummary;
  /** Partitions whose demand drives scaling (stuck ones left out): their arrivals are the arrival rate. */
  included: readonly PartitionLagSummary[];
  targetLagSeconds: number;
  history: readonly DecisionRecord[] | undefined;
}

/** What the decision is, as a history entry; undefined when it is nothing to record. */
export function decisionKind(
  current: number,
  decision: ScalingDecision,
  last: DecisionRecord | undefined,
): DecisionKind | undefined {
  const to = decision.replicas;
  if (to > current) return current === 0 ? "Activated" : "ScaledUp";
  if (to < current) return to === 0 ? "ScaledToZero" : "ScaledDown";
  if (decision.partitions !== undefined) return "PartitionsGrown";
  const hold = notableHolds[decision.reason];
  if (hold === undefined) return undefined;
  const continues = last !== undefined && last.reason === decision.reason && last.to === current;
  return continues ? undefined : hold;
}

/** The history after this decision: unchanged (the same array) when there is nothing to record. */
export function recordDecision(input: HistoryInput): readonly DecisionRecord[] | undefined {
  const { nowMs, current, decision, observation, included, history } = input;
  const kind = decisionKind(current, decision, history?.at(-1));
  if (kind === undefined) return history;
  const perReplica = decision.state.throughput?.perReplica;
  const record: DecisionRecord = {
    timeMs: nowMs,
    from: current,
    to: decision.replicas,
    kind,
    reason: decision.reason,
    message: decision.message,
    figures: {
      lag: observation.totalLag,
      lagSeconds: round(observation.maxLagSeconds, 1),
      arrivalRate: round(
        included.reduce((sum, p) => sum + Math.max(p.produceRate, p.recentProduceRate), 0),
        1,
      ),
      ...(perReplica === undefined ? {} : { throughputPerReplica: round(perReplica, 1) }),
      targetLagSeconds: input.targetLagSeconds,
      partitions: observation.partitions.length,
    },
  };
  return [...(history ?? []), record].slice(-maxDecisionHistory);
}

function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
