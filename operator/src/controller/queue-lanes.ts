// Which waiting key a free worker takes next. Keys come in two lanes: a change seen by a watch (a new group, an
// edited spec, a Deployment's status moving) and a requeue that fell due (the next lag poll, a retry after an
// error). Changes go first: when a thousand groups are created at once, their first reconciles must not queue
// behind the polls of the groups already running. Requeues are not starved: while both lanes wait, every
// `REQUEUE_EVERY`-th key taken is a requeue, so polling slows down under a burst of changes but never stops.

export type Lane = "change" | "requeue";

/** Under a burst of changes, one key in this many is still a due requeue. */
export const REQUEUE_EVERY = 4;

export interface LaneInput {
  /** Keys waiting in each lane. */
  changes: number;
  requeues: number;
  /** Keys taken from the change lane since a requeue was last taken. */
  changesSinceRequeue: number;
}

/** The lane the next key comes from; undefined when nothing waits. */
export function nextLane({ changes, requeues, changesSinceRequeue }: LaneInput): Lane | undefined {
  if (changes === 0) return requeues > 0 ? "requeue" : undefined;
  if (requeues > 0 && changesSinceRequeue >= REQUEUE_EVERY - 1) return "requeue";
  return "change";
}
