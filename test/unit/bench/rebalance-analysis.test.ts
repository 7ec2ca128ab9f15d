// The scale-event figures of bench:rebalance, on hand-made records.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { analyzeEvent, type HandledRecord } from "../../../test/bench/rebalance-analysis.ts";

/** Records of one partition, one per 100 ms from `fromMs` to `toMs`, each handled `latencyMs` after production. */
function stream(member: string, partition: number, fromMs: number, toMs: number, latencyMs: number, firstOffset = 0) {
  const records: HandledRecord[] = [];
  for (let t = fromMs, offset = firstOffset; t < toMs; t += 100, offset++) {
    records.push({ member, partition, offset, producedAtMs: t, handledAtMs: t + latencyMs });
  }
  return records;
}

const event = { name: "1 -> 2", startMs: 10_000, endMs: 20_000, started: [{ member: "b", atMs: 10_000 }] };

describe("analyzeEvent", () => {
  it("a partition that stays keeps its latency; one that moves after a pause shows the pause", () => {
    const records = [
      ...stream("a", 0, 0, 20_000, 5),
      ...stream("a", 1, 0, 10_000, 5),
      // Partition 1 moves to b, which handles the backlog 2 s after the event started.
      ...stream("b", 1, 10_000, 12_000, 0, 100).map((r) => ({ ...r, handledAtMs: 12_000 })),
      ...stream("b", 1, 12_000, 20_000, 5, 120),
    ];
    const figures = analyzeEvent(records, event);
    assert.equal(figures.baselineLatencyMs, 5);
    assert.equal(figures.partitionsMoved, 1);
    assert.equal(figures.partitionsStayed, 1);
    assert.equal(figures.stayed.maxMs, 0);
    assert.equal(figures.moved.maxMs, 1995, "2 s after production, less the 5 ms baseline");
    assert.equal(figures.firstRecordMs, 2000);
    assert.equal(figures.duplicates, 0);
  });

  it("counts records handled again during the event, by whichever member", () => {
    const records = [
      ...stream("a", 0, 0, 10_500, 5),
      // b handles offsets 95..104 again.
      ...stream("b", 0, 9500, 20_000, 5, 95).map((r) => ({ ...r, handledAtMs: Math.max(r.handledAtMs, 10_600) })),
    ];
    assert.equal(analyzeEvent(records, event).duplicates, 10);
  });

  it("the group pause is the longest time nobody handled anything, edges of the window included", () => {
    const records = [
      ...stream("a", 0, 0, 10_000, 5),
      ...stream("a", 0, 10_000, 20_000, 5, 100).map((r) => ({ ...r, handledAtMs: Math.max(r.handledAtMs, 13_000) })),
    ];
    assert.equal(analyzeEvent(records, { ...event, started: [] }).groupPauseMs, 3000);
  });

  it("a member that never handles a record counts the whole window as its wait", () => {
    const records = stream("a", 0, 0, 20_000, 5);
    assert.equal(analyzeEvent(records, event).firstRecordMs, 10_000);
  });
});
