// Pure leader-election rules over a coordination.k8s.io Lease, so they can be tested without a cluster.
export interface LeaseView {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  /** When the holder last renewed, in epoch milliseconds. */
  renewTimeMs?: number;
}

export type LeaseAction =
  | { kind: "renew" }
  | { kind: "acquire"; takeover: boolean }
  | { kind: "wait"; holder: string; expiresInMs: number };

export function decideLeaseAction(lease: LeaseView | undefined, identity: string, nowMs: number): LeaseAction {
  if (!lease?.holderIdentity) return { kind: "acquire", takeover: false };
  if (lease.holderIdentity === identity) return { kind: "renew" };
  const durationMs = (lease.leaseDurationSeconds ?? 15) * 1000;
  const expiresAt = (lease.renewTimeMs ?? 0) + durationMs;
  if (nowMs >= expiresAt) return { kind: "acquire", takeover: true };
  return { kind: "wait", holder: lease.holderIdentity, expiresInMs: expiresAt - nowMs };
}
