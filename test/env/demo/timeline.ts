// What the demo saw, second by second, condensed for its JSON summary: enough for a test to check that
// replicas rose and fell, partitions grew, lag came back under target and alerts were raised.
import type { Snapshot } from "./view.ts";

export interface TimelinePoint {
  /** Seconds since the load started. */
  t: number;
  desiredReplicas: number;
  readyReplicas: number;
  partitions: number;
  lag: number;
  lagSeconds: number;
  /** The Degraded condition's reason when it is True, else the Ready condition's reason. */
  health: string;
}

export interface DegradedSighting {
  reason: string;
  /** Its distinct messages, in the order seen (at most ten). */
  messages: string[];
  /** Seconds since the load started when this reason was first and last seen. */
  firstSeenSeconds: number;
  lastSeenSeconds: number;
}

export class Timeline {
  readonly points: TimelinePoint[] = [];
  readonly degraded: DegradedSighting[] = [];

  record(snapshot: Snapshot): void {
    const t = round(snapshot.elapsed);
    this.points.push({
      t,
      desiredReplicas: snapshot.desiredReplicas,
      readyReplicas: snapshot.readyReplicas,
      partitions: snapshot.partitions,
      lag: snapshot.lag,
      lagSeconds: round(snapshot.lagSeconds),
      health: snapshot.health,
    });
    if (snapshot.degraded === undefined) return;
    const { reason, message } = snapshot.degraded;
    let sighting = this.degraded.find((d) => d.reason === reason);
    if (sighting === undefined) {
      sighting = { reason, messages: [], firstSeenSeconds: t, lastSeenSeconds: t };
      this.degraded.push(sighting);
    }
    sighting.lastSeenSeconds = t;
    if (!sighting.messages.includes(message) && sighting.messages.length < 10) sighting.messages.push(message);
  }

  /** Desired replicas at the last reading (0 before any). */
  get finalReplicas(): number {
    return this.points.at(-1)?.desiredReplicas ?? 0;
  }
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
