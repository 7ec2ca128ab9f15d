// The figures of one scale event, from what the consumers recorded: every handled record with its member,
// partition, offset, the time it was produced and the time it was handled. Pure; the bench does the I/O.
//
// Per event, over the records produced from the event's start to the end of its window:
// 1. A partition "moved" when the member that handled its last record before the event is not the one that
//    handles its last record of the window; else it "stayed".
// 2. Extra latency of a record: its produce-to-handle latency minus the median of the steady state before the
//    event (at least 0); p50/p99/max per class of partition.
// 3. Records processed twice: handlings of a (partition, offset) beyond the first, within the event's window.
// 4. Whole-group pause: the longest time in the window in which no member handled any record.
// 5. First record: per member started by the event, from its start to the first record it handled.

export interface HandledRecord {
  member: string;
  partition: number;
  offset: number;
  producedAtMs: number;
  handledAtMs: number;
}

export interface ScaleEvent {
  name: string;
  startMs: number;
  /** End of the window the event is judged over. */
  endMs: number;
  /** Members started by this event, with their start time. */
  started: { member: string; atMs: number }[];
}

export interface Distribution {
  count: number;
  p50Ms: number | null;
  p99Ms: number | null;
  maxMs: number | null;
}

export interface EventFigures {
  name: string;
  partitionsMoved: number;
  partitionsStayed: number;
  baselineLatencyMs: number;
  stayed: Distribution;
  moved: Distribution;
  /** Longest time from a started member's start to its first handled record; null when none started. */
  firstRecordMs: number | null;
  duplicates: number;
  groupPauseMs: number;
}

export function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] as number;
}

function distribution(values: number[]): Distribution {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    count: sorted.length,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    maxMs: sorted.length ? (sorted.at(-1) as number) : null,
  };
}

/** The member that handled each partition's last record among `records` (in handling order). */
function lastOwners(records: HandledRecord[]): Map<number, string> {
  const owners = new Map<number, { member: string; atMs: number }>();
  for (const r of records) {
    const known = owners.get(r.partition);
    if (!known || r.handledAtMs >= known.atMs) owners.set(r.partition, { member: r.member, atMs: r.handledAtMs });
  }
  return new Map([...owners].map(([partition, o]) => [partition, o.member]));
}

export function analyzeEvent(records: HandledRecord[], event: ScaleEvent, baselineWindowMs = 3000): EventFigures {
  const before = records.filter((r) => r.handledAtMs < event.startMs);
  const baseline = before.filter((r) => r.producedAtMs >= event.startMs - baselineWindowMs);
  const baselineLatencyMs =
    percentile(
      baseline.map((r) => r.handledAtMs - r.producedAtMs).sort((a, b) => a - b),
      50,
    ) ?? 0;
  const inWindow = records.filter((r) => r.producedAtMs >= event.startMs && r.producedAtMs < event.endMs);
  const ownersBefore = lastOwners(before);
  const ownersAfter = lastOwners(inWindow);
  const moved = new Set<number>();
  for (const [partition, owner] of ownersAfter) {
    if (ownersBefore.get(partition) !== owner) moved.add(partition);
  }

  // Latency: the first handling of each record only (a second one is counted as a duplicate).
  const firstHandling = new Map<string, HandledRecord>();
  for (const r of inWindow) {
    const id = `${r.partition}/${r.offset}`;
    const seen = firstHandling.get(id);
    if (!seen || r.handledAtMs < seen.handledAtMs) firstHandling.set(id, r);
  }
  const stayedExtra: number[] = [];
  const movedExtra: number[] = [];
  for (const r of firstHandling.values()) {
    const extra = Math.max(0, r.handledAtMs - r.producedAtMs - baselineLatencyMs);
    (moved.has(r.partition) ? movedExtra : stayedExtra).push(extra);
  }

  // Duplicates: any handling of an offset beyond its first, by records handled during the window.
  const handledInWindow = records.filter((r) => r.handledAtMs >= event.startMs && r.handledAtMs < event.endMs);
  const counts = new Map<string, number>();
  for (const r of records) {
    const id = `${r.partition}/${r.offset}`;
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  let duplicates = 0;
  const counted = new Set<string>();
  for (const r of handledInWindow) {
    const id = `${r.partition}/${r.offset}`;
    if (counted.has(id)) continue;
    counted.add(id);
    duplicates += (counts.get(id) ?? 1) - 1;
  }

  // Whole-group pause: the longest gap between handlings within the window (its edges included).
  const times = handledInWindow.map((r) => r.handledAtMs).sort((a, b) => a - b);
  let groupPauseMs = 0;
  let previous = event.startMs;
  for (const t of [...times, event.endMs]) {
    groupPauseMs = Math.max(groupPauseMs, t - previous);
    previous = t;
  }

  let firstRecordMs: number | null = null;
  for (const { member, atMs } of event.started) {
    const first = records.filter((r) => r.member === member).reduce((m, r) => Math.min(m, r.handledAtMs), Infinity);
    const delay = Number.isFinite(first) ? first - atMs : event.endMs - atMs;
    firstRecordMs = Math.max(firstRecordMs ?? 0, delay);
  }

  return {
    name: event.name,
    partitionsMoved: moved.size,
    partitionsStayed: ownersAfter.size - moved.size,
    baselineLatencyMs,
    stayed: distribution(stayedExtra),
    moved: distribution(movedExtra),
    firstRecordMs,
    duplicates,
    groupPauseMs,
  };
}
