// Lead time: how long added replicas take to consume, learned from what the group showed. A scale-up
// is marked when it is made; the first poll that sees the group Stable with at least that many
// members measures pod start plus rebalance (to the poll interval).

export interface LeadTime {
  /** Seconds from a scale-up to the group consuming with the new members. */
  seconds: number;
  measurements: number;
}

export interface PendingScaleUp {
  atMs: number;
  to: number;
}

/** Lead time assumed before any scale-up was seen through: a pod start and a rebalance, roughly. */
export const defaultLeadSeconds = 30;
/** A scale-up not seen through within this long measures nothing (it was overtaken or failed). */
export const leadTimeoutSeconds = 600;
/** Weight of a new measurement against the estimate so far. */
export const leadLearningRate = 0.3;

export function leadSeconds(lead: LeadTime | undefined): number {
  return lead?.seconds ?? defaultLeadSeconds;
}

export interface LeadInput {
  lead: LeadTime | undefined;
  pending: PendingScaleUp | undefined;
  nowMs: number;
  groupStable: boolean;
  members: number;
}

/** Folds a finished scale-up into the estimate; keeps an unfinished one pending. */
export function learnLeadTime({ lead, pending, nowMs, groupStable, members }: LeadInput): {
  lead: LeadTime | undefined;
  pending: PendingScaleUp | undefined;
} {
  if (pending === undefined) return { lead, pending };
  const elapsed = (nowMs - pending.atMs) / 1000;
  if (elapsed < 0 || elapsed > leadTimeoutSeconds) return { lead, pending: undefined };
  if (!groupStable || members < pending.to) return { lead, pending };
  const seconds = lead === undefined ? elapsed : lead.seconds + leadLearningRate * (elapsed - lead.seconds);
  return { lead: { seconds, measurements: (lead?.measurements ?? 0) + 1 }, pending: undefined };
}
