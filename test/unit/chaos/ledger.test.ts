import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { LedgerTallier, type PartitionRange } from "../../chaos/ledger.ts";

interface Case {
  name: string;
  ranges: PartitionRange[];
  /** Ledger text, possibly in several chunks (files). */
  chunks: string[];
  deadLettered?: string[];
  expect: {
    inLog: number;
    handled: number;
    distinct: number;
    duplicates: number;
    lost: number;
    deadLettered?: number;
    outside?: number;
    lostSample?: string[];
    lostByPartition?: Record<number, number>;
  };
}

const twoPartitions: PartitionRange[] = [
  { partition: 0, logStartOffset: 0, logEndOffset: 3 },
  { partition: 1, logStartOffset: 0, logEndOffset: 2 },
];

const cases: Case[] = [
  {
    name: "every record handled once: nothing lost, no duplicates",
    ranges: twoPartitions,
    chunks: ["0 0 1000\n0 1 1000\n0 2 1001\n", "1 0 1000\n1 1 1002\n"],
    expect: { inLog: 5, handled: 5, distinct: 5, duplicates: 0, lost: 0 },
  },
  {
    name: "a record handled by two consumers counts once, the second is a duplicate",
    ranges: twoPartitions,
    chunks: ["0 0 1000\n0 1 1000\n0 2 1000\n1 0 1000\n1 1 1000\n", "0 1 2000\n0 2 2000\n"],
    expect: { inLog: 5, handled: 7, distinct: 5, duplicates: 2, lost: 0 },
  },
  {
    name: "a record nobody handled is lost and named",
    ranges: twoPartitions,
    chunks: ["0 0 1000\n0 2 1000\n1 0 1000\n1 1 1000\n"],
    expect: {
      inLog: 5,
      handled: 4,
      distinct: 4,
      duplicates: 0,
      lost: 1,
      lostSample: ["0/1"],
      lostByPartition: { 0: 1 },
    },
  },
  {
    name: "a dead-lettered record is accounted for, not lost",
    ranges: twoPartitions,
    chunks: ["0 0 1000\n0 2 1000\n1 0 1000\n1 1 1000\n"],
    deadLettered: ["0/1"],
    expect: { inLog: 5, handled: 4, distinct: 4, duplicates: 0, lost: 0, deadLettered: 1 },
  },
  {
    name: "offsets below log-start or past log-end are outside, neither handled nor duplicates",
    ranges: [{ partition: 0, logStartOffset: 10, logEndOffset: 12 }],
    chunks: ["0 9 1000\n0 10 1000\n0 11 1000\n0 12 1000\n7 0 1000\n"],
    expect: { inLog: 2, handled: 5, distinct: 2, duplicates: 0, lost: 0, outside: 3 },
  },
  {
    name: "an empty ledger loses everything in the log",
    ranges: twoPartitions,
    chunks: [""],
    expect: { inLog: 5, handled: 0, distinct: 0, duplicates: 0, lost: 5, lostByPartition: { 0: 3, 1: 2 } },
  },
];

describe("chaos ledger tally", () => {
  for (const c of cases) {
    it(c.name, () => {
      const tallier = new LedgerTallier(c.ranges);
      for (const chunk of c.chunks) tallier.addText(chunk);
      const t = tallier.tally(new Set(c.deadLettered ?? []));
      assert.equal(t.inLog, c.expect.inLog, "inLog");
      assert.equal(t.handled, c.expect.handled, "handled");
      assert.equal(t.distinct, c.expect.distinct, "distinct");
      assert.equal(t.duplicates, c.expect.duplicates, "duplicates");
      assert.equal(t.lost, c.expect.lost, "lost");
      assert.equal(t.deadLettered, c.expect.deadLettered ?? 0, "deadLettered");
      assert.equal(t.outside, c.expect.outside ?? 0, "outside");
      if (c.expect.lostSample) assert.deepEqual(t.lostSample, c.expect.lostSample);
      if (c.expect.lostByPartition) assert.deepEqual(t.lostByPartition, c.expect.lostByPartition);
    });
  }

  it("progress counts each record once, at the first time any consumer finished it", () => {
    const tallier = new LedgerTallier([{ partition: 0, logStartOffset: 0, logEndOffset: 3 }]);
    tallier.addText("0 0 5000\n0 1 5500\n");
    tallier.addText("0 0 3200\n0 2 7100\n");
    const t = tallier.tally();
    assert.deepEqual([...t.firstHandledPerSecond.entries()].sort(), [
      [3, 1],
      [5, 1],
      [7, 1],
    ]);
    assert.equal(t.lastFirstHandledMs, 7100);
  });
});
