import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CommitTracker, PartitionTrack } from "../../../consumer-runtime/src/processing/commit-tracker.ts";

describe("PartitionTrack", () => {
  const cases: { name: string; offsets: number[]; done: number[]; expected: number }[] = [
    { name: "nothing done commits the first offset", offsets: [10, 11, 12], done: [], expected: 10 },
    { name: "a done prefix moves the position", offsets: [10, 11, 12], done: [10, 11], expected: 12 },
    { name: "a gap in completion holds the position", offsets: [10, 11, 12], done: [10, 12], expected: 11 },
    { name: "everything done commits after the last", offsets: [10, 11, 12], done: [12, 11, 10], expected: 13 },
    { name: "offset gaps (compaction, markers) are skipped", offsets: [3, 7, 9], done: [3, 7], expected: 9 },
    { name: "all done across offset gaps", offsets: [3, 7, 9], done: [9, 3, 7], expected: 10 },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const track = new PartitionTrack("t", 0);
      const seqs = track.register(c.offsets);
      for (const offset of c.done) track.markDone(seqs[c.offsets.indexOf(offset)] as number);
      assert.equal(track.committable(), c.expected);
    });
  }

  it("skips re-delivered offsets and keeps counting from the original registration", () => {
    const track = new PartitionTrack("t", 0);
    const first = track.register([0, 1, 2]);
    const again = track.register([1, 2, 3]);
    assert.deepEqual(again.slice(0, 2), [-1, -1]);
    for (const seq of first) track.markDone(seq);
    assert.equal(track.committable(), 3);
    track.markDone(again[2] as number);
    assert.equal(track.committable(), 4);
  });

  it("ignores completions after the partition was revoked", () => {
    const track = new PartitionTrack("t", 0);
    const [seq] = track.register([5]);
    track.live = false;
    track.markDone(seq as number);
    assert.equal(track.committable(), 5);
  });

  it("keeps its answer while dropping a long done prefix", () => {
    const track = new PartitionTrack("t", 0);
    const offsets = Array.from({ length: 5000 }, (_, i) => i);
    const seqs = track.register(offsets);
    for (let i = 0; i < 4000; i++) track.markDone(seqs[i] as number);
    assert.equal(track.committable(), 4000);
    for (let i = 4001; i < 5000; i++) track.markDone(seqs[i] as number);
    assert.equal(track.committable(), 4000);
    track.markDone(seqs[4000] as number);
    assert.equal(track.committable(), 5000);
  });
});

describe("CommitTracker", () => {
  it("offers only partitions whose position moved, and never lowers a committed position", () => {
    const tracker = new CommitTracker();
    const a = tracker.track("t", 0);
    const b = tracker.track("t", 1);
    const [a0] = a.register([0, 1]);
    b.register([0]);
    assert.deepEqual(tracker.candidates(), [
      { topic: "t", partition: 0, offset: 0 },
      { topic: "t", partition: 1, offset: 0 },
    ]);
    tracker.committed(tracker.candidates());
    assert.deepEqual(tracker.candidates(), []);
    a.markDone(a0 as number);
    assert.deepEqual(tracker.candidates(), [{ topic: "t", partition: 0, offset: 1 }]);
    tracker.committed([{ topic: "t", partition: 0, offset: 1 }]);
    tracker.committed([{ topic: "t", partition: 0, offset: 0 }]);
    assert.equal(a.committed, 1);
  });

  it("drops revoked partitions and keeps the retained ones", () => {
    const tracker = new CommitTracker();
    const kept = tracker.track("t", 0);
    const gone = tracker.track("t", 1);
    kept.register([0]);
    gone.register([0]);
    const revoked = tracker.assign([{ topic: "t", partition: 0 }]);
    assert.deepEqual(revoked, [gone]);
    assert.equal(gone.live, false);
    assert.equal(tracker.track("t", 0), kept);
    assert.notEqual(tracker.track("t", 1), gone);
  });
});
