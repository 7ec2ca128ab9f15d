// Figures and goals of a chaos scenario, from the ledger's per-second progress and the faults' times. Pure.
//
// Definitions (also in docs/adr/0006-measuring-failure.md):
// 1. Steady rate: the median of records first handled per second over the seconds before the first fault
//    (after a warm-up), capped at the load's rate: the group's full rate at this load.
// 2. Back at full rate: a fault's recovery time is the end of the last slow second, before the next fault or
//    the end of the load (or of the drain, when a backlog outlived the load), minus the fault's time; 0 when
//    the rate never dipped. A second is slow when it and the average of it and its two neighbours are under
//    90% of the steady rate (one noisy second among full ones is not a stall).
// 3. Stalled seconds: seconds after a fault in which the group handled under 10% of the steady rate.
// 4. Duplicate bound: a consumer that stops without committing loses at most one commit interval of work,
//    done at its share of the rate: commit interval x (rate / replicas) x replicas hit.

export interface RecoveryFigures {
  backAtFullRateSeconds: number;
  stalledSeconds: number;
  /** Lowest per-second rate seen after the fault. */
  lowestRate: number;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** Median records per second over whole seconds in [fromMs, toMs). */
export function steadyRate(perSecond: ReadonlyMap<number, number>, fromMs: number, toMs: number): number {
  const values: number[] = [];
  for (let s = Math.ceil(fromMs / 1000); s < Math.floor(toMs / 1000); s++) values.push(perSecond.get(s) ?? 0);
  return median(values);
}

export function recoveryAfter(
  perSecond: ReadonlyMap<number, number>,
  faultMs: number,
  windowEndMs: number,
  steady: number,
): RecoveryFigures {
  const first = Math.floor(faultMs / 1000);
  // The window's last second is partial (the load or the drain ends in it): left out.
  const last = Math.floor(windowEndMs / 1000);
  const rate = (s: number) => perSecond.get(s) ?? 0;
  let lastSlow: number | undefined;
  let stalled = 0;
  let lowest = Number.POSITIVE_INFINITY;
  for (let s = first; s < last; s++) {
    lowest = Math.min(lowest, rate(s));
    if (rate(s) < steady * 0.1) stalled += 1;
    // A second counts as slow when it and its neighbours' average are both under 90%: one noisy second among
    // full ones does not; the window's edges average what they have.
    const span = [s - 1, s, s + 1].filter((x) => x >= first && x < last);
    const average = span.reduce((sum, x) => sum + rate(x), 0) / span.length;
    if (rate(s) < steady * 0.9 && average < steady * 0.9) lastSlow = s;
  }
  const back = lastSlow === undefined ? 0 : Math.max(0, (lastSlow + 1) * 1000 - faultMs) / 1000;
  return {
    backAtFullRateSeconds: Math.round(back * 10) / 10,
    stalledSeconds: stalled,
    lowestRate: Number.isFinite(lowest) ? lowest : 0,
  };
}

export interface DuplicateBoundInput {
  commitIntervalMs: number;
  /** Records per second through the whole group. */
  ratePerSecond: number;
  replicas: number;
  /** Replicas that stopped without committing (kills; all of them when the broker goes away). */
  replicasHit: number;
}

export function duplicateBound(input: DuplicateBoundInput): number {
  const perReplica = input.ratePerSecond / Math.max(1, input.replicas);
  return Math.ceil((input.commitIntervalMs / 1000) * perReplica * input.replicasHit);
}

export function describeDuplicateBound(input: DuplicateBoundInput): string {
  if (input.replicasHit === 0) return "0 (no consumer is disturbed)";
  return `${input.commitIntervalMs / 1000} s x ${Math.round(input.ratePerSecond / Math.max(1, input.replicas))}/s x ${input.replicasHit} = ${duplicateBound(input)}`;
}

export interface Goal {
  name: string;
  pass: boolean;
  detail: string;
}

export function goal(name: string, pass: boolean, detail: string): Goal {
  return { name, pass, detail };
}

/** Records first handled in each second from `fromMs` to `toMs`, for the report's timeline. */
export function timeline(perSecond: ReadonlyMap<number, number>, fromMs: number, toMs: number): number[] {
  const out: number[] = [];
  for (let s = Math.floor(fromMs / 1000); s <= Math.floor(toMs / 1000); s++) out.push(perSecond.get(s) ?? 0);
  return out;
}
