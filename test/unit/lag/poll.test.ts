import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { buildPoll, groupState } from "../../../operator/src/lag/poll.ts";

describe("buildPoll", () => {
  it("joins log offsets, commits and the assignment per partition", () => {
    const poll = buildPoll({
      timeMs: 42,
      logOffsets: [
        { topic: "orders", partition: 0, logStartOffset: 5, logEndOffset: 100 },
        { topic: "orders", partition: 1, logStartOffset: 0, logEndOffset: 50 },
      ],
      committed: [{ topic: "orders", partition: 0, offset: 90 }],
      group: {
        state: "Stable",
        members: [
          { memberId: "m-1", clientId: "c", host: "/10.0.0.1", assignment: [{ topic: "orders", partition: 1 }] },
        ],
      },
    });
    assert.deepEqual(poll, {
      timeMs: 42,
      groupState: "Stable",
      members: 1,
      partitions: [
        { topic: "orders", partition: 0, logStartOffset: 5, logEndOffset: 100, committedOffset: 90 },
        { topic: "orders", partition: 1, logStartOffset: 0, logEndOffset: 50, committedOffset: -1, owner: "m-1" },
      ],
    });
  });

  const states: { name: string; raw: string; state: string }[] = [
    { name: "a known state passes through", raw: "CompletingRebalance", state: "CompletingRebalance" },
    { name: "an unknown state is Unknown", raw: "Assigning", state: "Unknown" },
    { name: "an empty state is Unknown", raw: "", state: "Unknown" },
  ];
  for (const c of states) it(c.name, () => assert.equal(groupState(c.raw), c.state));
});
