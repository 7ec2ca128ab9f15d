// At-least-once bookkeeping: per partition, the fetched offsets in order and which of them are done (processed
// or dead-lettered). The committable position is the first offset not yet done, so nothing after a gap in
// completion is ever committed. Offsets need not be contiguous (compaction, transaction markers).
import { partitionId, type TopicPartition } from "../client/contract.ts";

export class PartitionTrack {
  readonly topic: string;
  readonly partition: number;
  /** False once the partition was revoked: late completions of its work are ignored. */
  live = true;
  /** Registered offsets, in order; entries before `head` are done and dropped from view. */
  #offsets: number[] = [];
  #done: boolean[] = [];
  #head = 0;
  /** Offset of the last registered message; -1 before the first. */
  lastRegistered = -1;
  /** Next offset to read after everything registered (covers gaps at the end of the log). */
  #nextAfterLast = -1;
  /** Last committed position (next offset to read); -1 when this member never committed it. */
  committed = -1;
  /** Sequence number of offsets[0] in registration order; lets work items find their slot in O(1). */
  #base = 0;

  constructor(topic: string, partition: number) {
    this.topic = topic;
    this.partition = partition;
  }

  /**
   * Registers fetched offsets (ascending); ones at or below the last registered offset are re-deliveries of
   * work already tracked and are skipped. Returns the sequence number of each accepted offset, or -1.
   */
  register(offsets: readonly number[]): number[] {
    const seqs = new Array<number>(offsets.length);
    for (let i = 0; i < offsets.length; i++) {
      const offset = offsets[i] as number;
      if (offset <= this.lastRegistered) {
        seqs[i] = -1;
        continue;
      }
      seqs[i] = this.#base + this.#offsets.length;
      this.#offsets.push(offset);
      this.#done.push(false);
      this.lastRegistered = offset;
      this.#nextAfterLast = offset + 1;
    }
    return seqs;
  }

  markDone(seq: number): void {
    if (!this.live) return;
    const index = seq - this.#base;
    if (index < this.#head || index >= this.#done.length) return;
    this.#done[index] = true;
    while (this.#head < this.#done.length && this.#done[this.#head]) this.#head++;
    // Drop the done prefix now and then, so memory follows the in-flight window, not the whole history.
    if (this.#head > 1024 && this.#head * 2 > this.#done.length) {
      this.#offsets.splice(0, this.#head);
      this.#done.splice(0, this.#head);
      this.#base += this.#head;
      this.#head = 0;
    }
  }

  /** The position to commit: the first registered offset not done, else the one after the last registered. */
  committable(): number {
    if (this.#head < this.#offsets.length) return this.#offsets[this.#head] as number;
    return this.#nextAfterLast;
  }
}

export interface CommitCandidate extends TopicPartition {
  offset: number;
}

export class CommitTracker {
  readonly #tracks = new Map<string, PartitionTrack>();

  track(topic: string, partition: number): PartitionTrack {
    const id = partitionId(topic, partition);
    let track = this.#tracks.get(id);
    if (!track) {
      track = new PartitionTrack(topic, partition);
      this.#tracks.set(id, track);
    }
    return track;
  }

  /**
   * Applies a new assignment: partitions no longer assigned are dropped (their late completions become
   * no-ops); partitions kept keep their state, so re-delivered offsets are recognised. Returns the revoked.
   */
  assign(assignment: readonly TopicPartition[]): PartitionTrack[] {
    const keep = new Set(assignment.map((a) => partitionId(a.topic, a.partition)));
    const revoked: PartitionTrack[] = [];
    for (const [id, track] of this.#tracks) {
      if (keep.has(id)) continue;
      track.live = false;
      this.#tracks.delete(id);
      revoked.push(track);
    }
    return revoked;
  }

  /** Partitions whose committable position moved past what was committed. */
  candidates(): CommitCandidate[] {
    const out: CommitCandidate[] = [];
    for (const track of this.#tracks.values()) {
      const offset = track.committable();
      if (offset > track.committed && offset >= 0) {
        out.push({ topic: track.topic, partition: track.partition, offset });
      }
    }
    return out;
  }

  /** Records a successful commit (only raises: a late, lower acknowledgement must not lower it). */
  committed(offsets: readonly CommitCandidate[]): void {
    for (const o of offsets) {
      const track = this.#tracks.get(partitionId(o.topic, o.partition));
      if (track && o.offset > track.committed) track.committed = o.offset;
    }
  }
}
