import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { drivesScaling, partitionHealth, worstHealth } from "../../../operator/src/lag/health.ts";
import type { PartitionHealth, PartitionHistory } from "../../../operator/src/lag/types.ts";
import { type Reading, samples, t0 } from "./fixtures.ts";

function history(readings: Reading[], committedChangedAt: number): PartitionHistory {
  return {
    topic: "orders",
    partition: 0,
    samples: samples(readings),
    committedChangedAtMs: t0 + committedChangedAt * 1000,
  };
}

const at = (ts: number[], end: (t: number, i: number) => number, committed: (t: number, i: number) => number) =>
  ts.map((t, i) => ({ t, end: end(t, i), committed: committed(t, i) }));
const five = [0, 15, 30, 45, 60];

const cases: {
  name: string;
  readings: Reading[];
  committedChangedAt: number;
  owned?: boolean;
  allowedLag?: number;
  health: PartitionHealth;
}[] = [
  {
    name: "OK: no lag at the newest sample, whatever came before",
    readings: at(
      five,
      (t) => t * 10,
      (t, i) => (i === 4 ? t * 10 : 0),
    ),
    committedChangedAt: 60,
    health: "OK",
  },
  {
    name: "OK: lag within the allowed lag",
    readings: at(
      five,
      (t) => 100 + t,
      (t) => 90 + t,
    ),
    committedChangedAt: 60,
    allowedLag: 10,
    health: "OK",
  },
  {
    name: "OK: lag went to zero inside the window",
    readings: [
      { t: 0, end: 100, committed: 50 },
      { t: 15, end: 250, committed: 100 },
      { t: 30, end: 400, committed: 400 },
      { t: 45, end: 550, committed: 450 },
      { t: 60, end: 700, committed: 500 },
    ],
    committedChangedAt: 60,
    health: "OK",
  },
  {
    name: "OK: lagging but shrinking",
    readings: at(
      five,
      (t) => 1000 + t * 10,
      (t) => t * 20,
    ),
    committedChangedAt: 60,
    health: "OK",
  },
  {
    name: "WARN: lag never went down across the window",
    readings: at(
      five,
      (t) => 100 + t * 20,
      (t) => t * 10,
    ),
    committedChangedAt: 60,
    health: "WARN",
  },
  {
    name: "WARN: lag flat but never zero counts as never decreasing",
    readings: at(
      five,
      (t) => 100 + t * 10,
      (t) => t * 10,
    ),
    committedChangedAt: 60,
    health: "WARN",
  },
  {
    name: "STALL: an owned partition whose committed offset never moved while lagging",
    readings: at(
      five,
      (t) => 100 + t * 10,
      () => 50,
    ),
    committedChangedAt: -300,
    owned: true,
    health: "STALL",
  },
  {
    name: "STALL when ownership is unknown",
    readings: at(
      five,
      (t) => 100 + t * 10,
      () => 50,
    ),
    committedChangedAt: -300,
    health: "STALL",
  },
  {
    name: "STALL even with no new records (stuck on the last one)",
    readings: at(
      five,
      () => 100,
      () => 99,
    ),
    committedChangedAt: -300,
    owned: true,
    health: "STALL",
  },
  {
    name: "STOP: nobody owns it and commits stopped longer than the window spans",
    readings: at(
      five,
      (t) => 100 + t * 10,
      () => 50,
    ),
    committedChangedAt: -300,
    owned: false,
    health: "STOP",
  },
  {
    name: "not STOP when the commit moved within the window span",
    readings: at(
      five,
      (t) => 100 + t * 10,
      (_t, i) => (i === 0 ? 40 : 50),
    ),
    committedChangedAt: 15,
    owned: false,
    health: "WARN",
  },
  {
    name: "STOP needs only two samples",
    readings: at(
      [0, 15],
      (t) => 100 + t * 10,
      () => 50,
    ),
    committedChangedAt: -300,
    owned: false,
    health: "STOP",
  },
  {
    name: "REWIND: the committed offset went backwards",
    readings: at(
      five,
      (t) => 1000 + t,
      (t, i) => (i === 3 ? 10 : 500 + t),
    ),
    committedChangedAt: 60,
    health: "REWIND",
  },
  {
    name: "not a REWIND: the first commit after -1",
    readings: at(
      five,
      (t) => 1000 + t * 10,
      (t, i) => (i < 2 ? -1 : 900 + t * 20),
    ),
    committedChangedAt: 60,
    health: "OK",
  },
  {
    name: "STALL and WARN need a full window",
    readings: at(
      [0, 15, 30],
      (t) => 100 + t * 10,
      () => 50,
    ),
    committedChangedAt: -300,
    owned: true,
    health: "OK",
  },
  {
    name: "clock going nowhere: a window spanning no time is not judged",
    readings: at(
      [0, 0, 0, 0, 0],
      () => 100,
      () => 50,
    ),
    committedChangedAt: -300,
    owned: false,
    health: "OK",
  },
];

describe("partitionHealth (Burrow's rules)", () => {
  for (const c of cases) {
    it(c.name, () => {
      const state = partitionHealth({
        history: history(c.readings, c.committedChangedAt),
        healthSamples: 5,
        allowedLag: c.allowedLag ?? 0,
        owned: c.owned,
      });
      assert.equal(state, c.health);
    });
  }
});

describe("group health", () => {
  const cases2: { name: string; states: PartitionHealth[]; worst: PartitionHealth }[] = [
    { name: "empty group is OK", states: [], worst: "OK" },
    { name: "WARN outranks OK", states: ["OK", "WARN"], worst: "WARN" },
    { name: "REWIND outranks WARN", states: ["WARN", "REWIND", "OK"], worst: "REWIND" },
    { name: "STALL outranks REWIND", states: ["REWIND", "STALL"], worst: "STALL" },
    { name: "STOP is the worst", states: ["STALL", "STOP", "WARN"], worst: "STOP" },
  ];
  for (const c of cases2) it(c.name, () => assert.equal(worstHealth(c.states), c.worst));

  it("only STALL and STOP stay out of scaling", () => {
    assert.deepEqual((["OK", "WARN", "STALL", "STOP", "REWIND"] as const).filter(drivesScaling), [
      "OK",
      "WARN",
      "REWIND",
    ]);
  });
});
