// The drain plan: how long a backlog takes to clear with a given replica count, counting the lead
// time during which only today's replicas consume (the backlog may still grow then), and the
// smallest count allowed that clears it within the horizon.

export interface DrainInput {
  /** Records to drain beyond what the target tolerates. */
  backlog: number;
  /** Records per second arriving (forecast one lead time ahead). */
  incoming: number;
  /** Records per second one replica is planned for. */
  planned: number;
  /** Replicas consuming now. */
  current: number;
  /** Seconds before added replicas consume. */
  leadSeconds: number;
}

/** Seconds until the backlog is gone with `replicas`; infinite when they cannot outpace the arrivals. */
export function drainSeconds(input: DrainInput, replicas: number): number {
  const { backlog, incoming, planned, current } = input;
  if (backlog <= 0) return 0;
  const nowSpare = current * planned - incoming;
  if (replicas <= current) {
    const spare = replicas * planned - incoming;
    return spare > 0 ? backlog / spare : Number.POSITIVE_INFINITY;
  }
  // Today's replicas may clear it before the new ones join.
  if (nowSpare > 0 && backlog / nowSpare <= input.leadSeconds) return backlog / nowSpare;
  const left = backlog - nowSpare * input.leadSeconds;
  const spare = replicas * planned - incoming;
  return spare > 0 ? input.leadSeconds + left / spare : Number.POSITIVE_INFINITY;
}

export interface DrainPlan {
  replicas: number;
  seconds: number;
  /** False when even the most replicas allowed miss the horizon. */
  withinHorizon: boolean;
}

/** The fewest of `counts` (ascending) that drain within the horizon; else the last, the most allowed. */
export function drainPlan(input: DrainInput, counts: readonly number[], horizonSeconds: number): DrainPlan | undefined {
  if (input.backlog <= 0 || counts.length === 0) return undefined;
  for (const replicas of counts) {
    const seconds = drainSeconds(input, replicas);
    if (seconds <= horizonSeconds) return { replicas, seconds, withinHorizon: true };
  }
  const most = counts.at(-1) as number;
  return { replicas: most, seconds: drainSeconds(input, most), withinHorizon: false };
}
