// Decides which queued work may run now under an ordering mode. Items of one lane (a partition, or a key within
// a partition) run one batch at a time, in arrival order; items without a lane run in any order. The
// scheduler holds no clock and no I/O: take() hands out work, release() frees its lanes.

export interface Schedulable {
  /** null: unordered. */
  lane: string | null;
}

class Lane<T> {
  readonly name: string;
  items: T[] = [];
  head = 0;
  busy = false;
  /** True while the lane sits in the ready queue. */
  queued = false;

  constructor(name: string) {
    this.name = name;
  }

  get size(): number {
    return this.items.length - this.head;
  }

  shift(): T {
    const item = this.items[this.head] as T;
    this.items[this.head] = undefined as unknown as T;
    this.head++;
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head > 4096 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }
}

export class Scheduler<T extends Schedulable> {
  readonly #lanes = new Map<string, Lane<T>>();
  /** Lanes with queued items that are not busy, oldest first. */
  #ready: Lane<T>[] = [];
  #readyHead = 0;
  #unordered: T[] = [];
  #unorderedHead = 0;
  #size = 0;

  /** Items queued (not yet taken). */
  get size(): number {
    return this.#size;
  }

  enqueue(item: T): void {
    this.#size++;
    if (item.lane === null) {
      this.#unordered.push(item);
      return;
    }
    let lane = this.#lanes.get(item.lane);
    if (!lane) {
      lane = new Lane(item.lane);
      this.#lanes.set(item.lane, lane);
    }
    lane.items.push(item);
    this.#markReady(lane);
  }

  /**
   * Takes up to `max` items that may run together: whole runs of free lanes (the lanes become busy until
   * release) and unordered items. Returned items keep their per-lane order.
   */
  take(max: number): T[] {
    const out: T[] = [];
    while (out.length < max && this.#readyHead < this.#ready.length) {
      const lane = this.#ready[this.#readyHead] as Lane<T>;
      this.#ready[this.#readyHead] = undefined as unknown as Lane<T>;
      this.#readyHead++;
      lane.queued = false;
      if (lane.busy || lane.size === 0) continue;
      lane.busy = true;
      while (out.length < max && lane.size > 0) out.push(lane.shift());
    }
    this.#compactReady();
    while (out.length < max && this.#unorderedHead < this.#unordered.length) {
      out.push(this.#unordered[this.#unorderedHead] as T);
      this.#unordered[this.#unorderedHead] = undefined as unknown as T;
      this.#unorderedHead++;
    }
    if (this.#unorderedHead === this.#unordered.length) {
      this.#unordered = [];
      this.#unorderedHead = 0;
    }
    this.#size -= out.length;
    return out;
  }

  /** Frees the lanes of items handed out by take(); lanes with more work become ready again. */
  release(items: readonly T[]): void {
    let last: string | null = null;
    for (const item of items) {
      if (item.lane === null || item.lane === last) continue;
      last = item.lane;
      const lane = this.#lanes.get(item.lane);
      if (!lane?.busy) continue;
      lane.busy = false;
      if (lane.size > 0) this.#markReady(lane);
      else this.#lanes.delete(lane.name);
    }
  }

  /** Removes queued (not running) items matching `drop`, e.g. those of revoked partitions. */
  dropQueued(drop: (item: T) => boolean): T[] {
    const dropped: T[] = [];
    for (const lane of this.#lanes.values()) {
      const kept: T[] = [];
      for (let i = lane.head; i < lane.items.length; i++) {
        const item = lane.items[i] as T;
        (drop(item) ? dropped : kept).push(item);
      }
      lane.items = kept;
      lane.head = 0;
      if (kept.length === 0 && !lane.busy) this.#lanes.delete(lane.name);
    }
    const keptUnordered: T[] = [];
    for (let i = this.#unorderedHead; i < this.#unordered.length; i++) {
      const item = this.#unordered[i] as T;
      (drop(item) ? dropped : keptUnordered).push(item);
    }
    this.#unordered = keptUnordered;
    this.#unorderedHead = 0;
    this.#size -= dropped.length;
    return dropped;
  }

  #markReady(lane: Lane<T>): void {
    if (lane.busy || lane.queued) return;
    lane.queued = true;
    this.#ready.push(lane);
  }

  #compactReady(): void {
    if (this.#readyHead === this.#ready.length) {
      this.#ready = [];
      this.#readyHead = 0;
    } else if (this.#readyHead > 1024 && this.#readyHead * 2 > this.#ready.length) {
      this.#ready = this.#ready.slice(this.#readyHead);
      this.#readyHead = 0;
    }
  }
}
