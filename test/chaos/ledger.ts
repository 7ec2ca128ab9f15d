// The independent ledger, tallied: every line a handler wrote ("partition offset epochMs") against what Kafka
// holds (each partition's log-start and log-end offsets) and what went to the dead-letter topic. Pure: the
// caller reads the files and the offsets.
//   lost        records in the log that no handler finished and that were not dead-lettered;
//   duplicates  handled lines beyond the first for the same record;
//   firstHandledPerSecond  progress over time: records handled for the first time, per wall-clock second.

export interface PartitionRange {
  partition: number;
  logStartOffset: number;
  logEndOffset: number;
}

export interface LedgerTally {
  /** Records in Kafka's logs (log-end minus log-start, summed). */
  inLog: number;
  /** Ledger lines: every successful handling, duplicates included. */
  handled: number;
  /** Records handled at least once. */
  distinct: number;
  duplicates: number;
  deadLettered: number;
  lost: number;
  /** Up to 20 lost records as "partition/offset", for the report. */
  lostSample: string[];
  /** Lost records per partition (partitions with none left out). */
  lostByPartition: Record<number, number>;
  /** Lines naming an offset outside the log (should be none). */
  outside: number;
  /** Records handled for the first time in each second, keyed by epoch second. */
  firstHandledPerSecond: Map<number, number>;
  /** Epoch ms at which the last record was first handled. */
  lastFirstHandledMs: number;
}

/** Folds ledger text chunks (whole lines) over the partitions' offset ranges. */
export class LedgerTallier {
  readonly #ranges = new Map<number, PartitionRange>();
  readonly #firstSeen = new Map<number, Float64Array>();
  readonly #counts = new Map<number, Uint8Array>();
  #handled = 0;
  #outside = 0;

  constructor(ranges: readonly PartitionRange[]) {
    for (const range of ranges) {
      const size = Math.max(0, range.logEndOffset - range.logStartOffset);
      this.#ranges.set(range.partition, range);
      this.#firstSeen.set(range.partition, new Float64Array(size));
      this.#counts.set(range.partition, new Uint8Array(size));
    }
  }

  addText(text: string): void {
    let start = 0;
    while (start < text.length) {
      let end = text.indexOf("\n", start);
      if (end < 0) end = text.length;
      if (end > start) this.#addLine(text.slice(start, end));
      start = end + 1;
    }
  }

  #addLine(line: string): void {
    const [p, o, t] = line.split(" ");
    const partition = Number(p);
    const offset = Number(o);
    const at = Number(t);
    this.#handled += 1;
    const range = this.#ranges.get(partition);
    const index = range ? offset - range.logStartOffset : -1;
    const counts = this.#counts.get(partition);
    const seen = this.#firstSeen.get(partition);
    if (!range || !counts || !seen || !Number.isInteger(index) || index < 0 || index >= counts.length) {
      this.#outside += 1;
      return;
    }
    if (counts[index] !== 255) counts[index] = (counts[index] ?? 0) + 1;
    const first = seen[index] ?? 0;
    if (first === 0 || at < first) seen[index] = at;
  }

  /** deadLettered: "partition/offset" of records found in the dead-letter topic. */
  tally(deadLettered: ReadonlySet<string> = new Set()): LedgerTally {
    let inLog = 0;
    let distinct = 0;
    let lost = 0;
    let dead = 0;
    let lastFirstHandledMs = 0;
    const lostSample: string[] = [];
    const lostByPartition: Record<number, number> = {};
    const perSecond = new Map<number, number>();
    for (const [partition, range] of this.#ranges) {
      const counts = this.#counts.get(partition) as Uint8Array;
      const seen = this.#firstSeen.get(partition) as Float64Array;
      inLog += counts.length;
      for (let i = 0; i < counts.length; i++) {
        if ((counts[i] ?? 0) > 0) {
          distinct += 1;
          const at = seen[i] ?? 0;
          const second = Math.floor(at / 1000);
          perSecond.set(second, (perSecond.get(second) ?? 0) + 1);
          if (at > lastFirstHandledMs) lastFirstHandledMs = at;
        } else if (deadLettered.has(`${partition}/${range.logStartOffset + i}`)) {
          dead += 1;
        } else {
          lost += 1;
          lostByPartition[partition] = (lostByPartition[partition] ?? 0) + 1;
          if (lostSample.length < 20) lostSample.push(`${partition}/${range.logStartOffset + i}`);
        }
      }
    }
    return {
      inLog,
      handled: this.#handled,
      distinct,
      duplicates: this.#handled - this.#outside - distinct,
      deadLettered: dead,
      lost,
      lostSample,
      lostByPartition,
      outside: this.#outside,
      firstHandledPerSecond: perSecond,
      lastFirstHandledMs,
    };
  }
}
