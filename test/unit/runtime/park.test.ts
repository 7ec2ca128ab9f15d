import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type Admission, admit, type ParkState, park, unpark } from "../../../consumer-runtime/src/processing/park.ts";

describe("admit", () => {
  interface Case {
    name: string;
    state: ParkState;
    lastRegistered: number;
    offsets: number[];
    expected: Admission;
    after: ParkState;
  }
  const open: ParkState = { parked: false, rewindTo: -1, expect: -1 };
  const cases: Case[] = [
    {
      name: "not parked, nothing awaited: all admitted",
      state: open,
      lastRegistered: 9,
      offsets: [10, 11],
      expected: { from: 0 },
      after: open,
    },
    {
      name: "parked: dropped, the first offset past the registered becomes the rewind point",
      state: { parked: true, rewindTo: -1, expect: -1 },
      lastRegistered: 11,
      offsets: [10, 11, 12, 13],
      expected: { from: 4 },
      after: { parked: true, rewindTo: 12, expect: -1 },
    },
    {
      name: "parked with a rewind point: a later batch does not move it",
      state: { parked: true, rewindTo: 12, expect: -1 },
      lastRegistered: 11,
      offsets: [14, 15],
      expected: { from: 2 },
      after: { parked: true, rewindTo: 12, expect: -1 },
    },
    {
      name: "parked, only re-deliveries of registered records: no rewind point yet",
      state: { parked: true, rewindTo: -1, expect: -1 },
      lastRegistered: 11,
      offsets: [10, 11],
      expected: { from: 2 },
      after: { parked: true, rewindTo: -1, expect: -1 },
    },
    {
      name: "awaiting the rewind point: admitted from it, earlier ones left out",
      state: { parked: false, rewindTo: -1, expect: 12 },
      lastRegistered: 11,
      offsets: [11, 12, 13],
      expected: { from: 1 },
      after: open,
    },
    {
      name: "awaiting the rewind point, a batch past it (fetched before the seek): dropped and sought again",
      state: { parked: false, rewindTo: -1, expect: 12 },
      lastRegistered: 11,
      offsets: [14, 15],
      expected: { from: 2, seekTo: 12 },
      after: { parked: false, rewindTo: -1, expect: 12 },
    },
    {
      name: "awaiting the rewind point, a batch before it: dropped, no seek",
      state: { parked: false, rewindTo: -1, expect: 12 },
      lastRegistered: 11,
      offsets: [10, 11],
      expected: { from: 2 },
      after: { parked: false, rewindTo: -1, expect: 12 },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const state = { ...c.state };
      assert.deepEqual(admit(state, c.lastRegistered, c.offsets), c.expected);
      assert.deepEqual(state, c.after);
    });
  }
});

describe("park and unpark", () => {
  interface Case {
    name: string;
    state: ParkState;
    action: "park" | "unpark";
    returns?: number;
    after: ParkState;
  }
  const cases: Case[] = [
    {
      name: "park an open partition",
      state: { parked: false, rewindTo: -1, expect: -1 },
      action: "park",
      after: { parked: true, rewindTo: -1, expect: -1 },
    },
    {
      name: "park while a rewind point is still awaited: it stays the rewind point",
      state: { parked: false, rewindTo: -1, expect: 12 },
      action: "park",
      after: { parked: true, rewindTo: 12, expect: -1 },
    },
    {
      name: "park twice changes nothing",
      state: { parked: true, rewindTo: 12, expect: -1 },
      action: "park",
      after: { parked: true, rewindTo: 12, expect: -1 },
    },
    {
      name: "unpark with records dropped: fetch again from the first, and await it",
      state: { parked: true, rewindTo: 12, expect: -1 },
      action: "unpark",
      returns: 12,
      after: { parked: false, rewindTo: -1, expect: 12 },
    },
    {
      name: "unpark with nothing dropped: no seek",
      state: { parked: true, rewindTo: -1, expect: -1 },
      action: "unpark",
      returns: -1,
      after: { parked: false, rewindTo: -1, expect: -1 },
    },
    {
      name: "unpark an open partition: no seek",
      state: { parked: false, rewindTo: -1, expect: -1 },
      action: "unpark",
      returns: -1,
      after: { parked: false, rewindTo: -1, expect: -1 },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const state = { ...c.state };
      if (c.action === "park") park(state);
      else assert.equal(unpark(state), c.returns);
      assert.deepEqual(state, c.after);
    });
  }
});
