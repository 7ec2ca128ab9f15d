// When a reconcile asks Kafka again. Kafka is read once per poll interval, or at once after a spec change;
// reconciles in between (a Deployment's status moving, say) re-use the last reading and decision.

/** A little early rather than a little late: a requeue that fires a few ms early must still poll. */
const EARLY_FRACTION = 0.9;

export function pollDue(
  last: { atMs: number; generation: number } | undefined,
  generation: number,
  pollIntervalSeconds: number,
  nowMs: number,
): boolean {
  if (last === undefined || last.generation !== generation) return true;
  return nowMs - last.atMs >= pollIntervalSeconds * 1000 * EARLY_FRACTION;
}
