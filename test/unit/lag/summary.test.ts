import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { emptyHistory } from "../../../operator/src/lag/history.ts";
import { type LagOptions, lagOptions } from "../../../operator/src/lag/options.ts";
import { summarize } from "../../../operator/src/lag/summary.ts";
import { historyOf, type PollSpec, t0 } from "./fixtures.ts";

const ts = [0, 15, 30, 45, 60];

/** Two partitions: p0 owned by "a", p1 by "b"; readings from functions of time. */
function polls(
  p0: (t: number) => { end: number; committed: number },
  p1: (t: number) => { end: number; committed: number },
  extra: Partial<PollSpec> = {},
): PollSpec[] {
  return ts.map((t) => ({
    t,
    members: 2,
    partitions: [
      { ...p0(t), owner: "a" },
      { ...p1(t), owner: "b" },
    ],
    ...extra,
  }));
}

/** One partition "orders-0" owned by "a", read at the given seconds. */
function onePartition(times: number[], reading: (t: number) => { end: number; committed: number }): PollSpec[] {
  return times.map((t) => ({ t, partitions: [{ ...reading(t), owner: "a" }] }));
}

/**
 * "orders" grows from 2 to 6 partitions at t=45 while producers keep sending 600 msg/s: 300 to each
 * of the two before, 100 to each of the six after. Consumers keep up.
 */
function growingTopic(): PollSpec[] {
  const oldEnd = (t: number) => (t <= 45 ? 300 * t : 13_500 + 100 * (t - 45));
  return [0, 15, 30, 45, 60, 75].map((t) => {
    const partitions = [0, 1].map(() => ({ end: oldEnd(t), committed: oldEnd(t), owner: "a" }));
    if (t >= 45)
      for (let i = 2; i < 6; i++) partitions.push({ end: 100 * (t - 45), committed: 100 * (t - 45), owner: "a" });
    return { t, partitions };
  });
}

const cases: {
  name: string;
  polls: PollSpec[];
  startFrom?: "earliest" | "latest";
  options?: Partial<LagOptions>;
  expect: {
    totalLag?: number;
    produceRate?: number;
    consumeRate?: number;
    maxLagSeconds?: number;
    busyMembers?: { member: string; throughput: number; spanSeconds: number; saturated: boolean }[];
    health?: string[];
    worstHealth?: string;
    uncommittedArrivals?: boolean;
    backlog?: number[];
    waiting?: number[];
    rateSpanSeconds?: number;
    progressing?: boolean[];
  };
}[] = [
  {
    name: "a member with a backlog all along measures its throughput; a caught-up one does not",
    polls: polls(
      (t) => ({ end: 10_000 + t * 200, committed: t * 100 }),
      (t) => ({ end: t * 50, committed: t * 50 }),
    ),
    expect: {
      totalLag: 16_000,
      produceRate: 250,
      consumeRate: 150,
      busyMembers: [{ member: "a", throughput: 100, spanSeconds: 60, saturated: true }],
      backlog: [16_000 - 500, 0],
      health: ["WARN", "OK"],
      worstHealth: "WARN",
    },
  },
  {
    name: "lag in seconds is the oldest pending record's age across partitions",
    polls: polls(
      (t) => ({ end: t * 100, committed: Math.max(0, (t - 30) * 100) }),
      (t) => ({ end: t * 100, committed: Math.max(0, (t - 10) * 100) }),
    ),
    expect: { maxLagSeconds: 30, totalLag: 4000 },
  },
  {
    name: "a stuck member is not a throughput measurement",
    polls: polls(
      (t) => ({ end: 1000 + t * 10, committed: 500 }),
      (t) => ({ end: 5000 + t * 100, committed: t * 100 }),
    ),
    expect: {
      health: ["STALL", "WARN"],
      worstHealth: "STALL",
      busyMembers: [{ member: "b", throughput: 100, spanSeconds: 60, saturated: true }],
    },
  },
  {
    name: "the busy run starts at the first sample of an unbroken backlog",
    polls: polls(
      (t) => (t < 30 ? { end: t * 10, committed: t * 10 } : { end: 3000 + t * 10, committed: t * 10 }),
      (t) => ({ end: t, committed: t }),
    ),
    expect: { busyMembers: [{ member: "a", throughput: 10, spanSeconds: 30, saturated: true }] },
  },
  {
    name: "a member new in an assignment the operator saw start is measured from its first commit on",
    options: { commitSlackSeconds: 2 },
    // Joined at t=5 with a backlog; committed slowly while warming up (t=5..10), then 200/s.
    polls: [0, 5, 10, 15, 20, 25].map((t) => ({
      t,
      members: t === 0 ? 0 : 1,
      ...(t === 0 ? { state: "Empty" as const } : {}),
      partitions: [
        {
          end: 10_000 + 100 * t,
          committed: t <= 5 ? 0 : 200 + 200 * (t - 10),
          ...(t === 0 ? {} : { owner: "a" }),
        },
      ],
    })),
    expect: { busyMembers: [{ member: "a", throughput: 200, spanSeconds: 15, saturated: true }] },
  },
  {
    name: "a member already there at the first poll (operator restarted) is measured from that poll",
    options: { commitSlackSeconds: 2 },
    polls: [5, 10, 15, 20, 25].map((t) => ({
      t,
      partitions: [{ end: 10_000 + 100 * t, committed: t <= 5 ? 0 : 200 + 200 * (t - 10), owner: "a" }],
    })),
    expect: { busyMembers: [{ member: "a", throughput: 160, spanSeconds: 20, saturated: true }] },
  },
  {
    name: "a backlog at every poll that may have emptied in between only bounds throughput from below",
    polls: ts.map((t, i) => ({
      t,
      members: 1,
      partitions: [{ end: 10_000 + t * 100, committed: [5000, 7500, 10_400, 13_300, 15_000][i] ?? 0, owner: "a" }],
    })),
    expect: { busyMembers: [{ member: "a", throughput: 10_000 / 60, spanSeconds: 60, saturated: false }] },
  },
  {
    name: "lag under the commit slack (in flight) is not a backlog",
    polls: polls(
      (t) => ({ end: t * 100, committed: Math.max(0, t * 100 - 300) }),
      (t) => ({ end: t, committed: t }),
    ),
    expect: { busyMembers: [], backlog: [0, 0], waiting: [0, 0] },
  },
  {
    name: "a member flat out within the allowed lag is busy: in-flight records are physical, not a target",
    options: { allowedLag: 1000 },
    polls: polls(
      (t) => ({ end: 600 + t * 20, committed: t * 10 }),
      (t) => ({ end: t * 10, committed: t * 10 }),
    ),
    expect: {
      busyMembers: [{ member: "a", throughput: 10, spanSeconds: 60, saturated: true }],
      // The backlog still leaves out what the allowed lag accepts; waiting leaves out only what is in flight.
      backlog: [200, 0],
      waiting: [1200 - 10 * 5, 0],
    },
  },
  {
    name: "a busy run of three commit slacks measures throughput",
    options: { commitSlackSeconds: 5 },
    polls: onePartition([0, 5, 10, 15], (t) => ({ end: 5000 + t * 300, committed: t * 200 })),
    expect: { busyMembers: [{ member: "a", throughput: 200, spanSeconds: 15, saturated: true }] },
  },
  {
    name: "a shorter busy run does not: committed offsets trail by up to a slack at either end",
    options: { commitSlackSeconds: 5 },
    polls: onePartition([0, 5, 10], (t) => ({ end: 5000 + t * 300, committed: t * 200 })),
    expect: { busyMembers: [] },
  },
  {
    name: "a member that stops committing is stuck, not busy, however small its lag",
    options: { allowedLag: 1000, commitSlackSeconds: 2 },
    polls: onePartition([0, 3, 6, 9, 12], (t) => ({ end: 100 + 30 * t, committed: Math.min(t, 6) * 20 })),
    expect: { busyMembers: [] },
  },
  {
    name: "a member working through several partitions is busy though one of them sat still between two polls",
    options: { allowedLag: 1000, commitSlackSeconds: 2 },
    polls: [0, 3, 6, 9, 12].map((t, i) => ({
      t,
      partitions: [
        { end: 5000 + 200 * t, committed: [0, 300, 300, 600, 600][i] ?? 0, owner: "a" },
        { end: 5000 + 200 * t, committed: [0, 0, 300, 300, 600][i] ?? 0, owner: "a" },
      ],
    })),
    expect: { busyMembers: [{ member: "a", throughput: 100, spanSeconds: 12, saturated: true }] },
  },
  {
    name: "a backlog on a partition its member does not consume is no sign of a busy member",
    options: { commitSlackSeconds: 2 },
    polls: [0, 3, 6, 9].map((t) => ({
      t,
      partitions: [
        { end: 1000 + 50 * t, committed: 0, owner: "a" },
        { end: 100 * t, committed: Math.max(0, 100 * t - 10), owner: "a" },
      ],
    })),
    expect: { busyMembers: [], health: ["OK", "OK"] },
  },
  {
    name: "a backlog whose offset stayed put is not progressing; one just handed to a member still is",
    options: { allowedLag: 100, commitSlackSeconds: 2 },
    polls: [0, 3, 6].map((t) => ({
      t,
      partitions: [
        { end: 1000 + 100 * t, committed: 500, owner: "a" },
        { end: 1000 + 100 * t, committed: 500, ...(t < 6 ? {} : { owner: "a" }) },
      ],
    })),
    expect: { progressing: [false, true] },
  },
  {
    name: "records within the allowed lag whose offset stayed put are not progressing either; drained ones are",
    options: { allowedLag: 1000, commitSlackSeconds: 2 },
    polls: [0, 3, 6].map((t) => ({
      t,
      partitions: [
        { end: 300 + 10 * t, committed: 100, owner: "a" },
        { end: 300 + 10 * t, committed: 300 + 10 * t, owner: "a" },
      ],
    })),
    expect: { progressing: [false, true] },
  },
  {
    name: "after partitions are added, a topic's rates share the newest partition's window",
    polls: growingTopic(),
    expect: { produceRate: 600, consumeRate: 600, rateSpanSeconds: 30 },
  },
  {
    name: "right after partitions are added, the old partitions' last interval gives the rates",
    polls: growingTopic().slice(0, 4),
    expect: { produceRate: 600, rateSpanSeconds: 15 },
  },
  {
    name: "records arriving on never-committed partitions are flagged when starting from latest",
    polls: polls(
      (t) => ({ end: t * 10, committed: -1 }),
      () => ({ end: 0, committed: -1 }),
      { members: 0, state: "Empty" },
    ),
    expect: { totalLag: 0, uncommittedArrivals: true },
  },
  {
    name: "the same partitions starting from earliest have lag instead",
    startFrom: "earliest",
    polls: polls(
      (t) => ({ end: t * 10, committed: -1 }),
      () => ({ end: 0, committed: -1 }),
      { members: 0, state: "Empty" },
    ),
    expect: { totalLag: 600, uncommittedArrivals: false },
  },
  {
    name: "a single poll has no rates and no known lag seconds",
    polls: polls(
      () => ({ end: 100, committed: 10 }),
      () => ({ end: 100, committed: 100 }),
    ).slice(0, 1),
    expect: { totalLag: 90, produceRate: 0, rateSpanSeconds: 0, maxLagSeconds: 0, busyMembers: [] },
  },
];

describe("summarize", () => {
  it("has nothing to say before the first poll", () => {
    assert.equal(summarize(emptyHistory(), lagOptions()), undefined);
  });

  it("starts from latest by default: records on a never-committed partition are uncommitted arrivals, not lag", () => {
    const neverCommitted = polls(
      (t) => ({ end: t * 10, committed: -1 }),
      () => ({ end: 0, committed: -1 }),
      { members: 0, state: "Empty" },
    );
    const summary = summarize(historyOf(neverCommitted), lagOptions());
    assert.equal(summary?.uncommittedArrivals, true);
    assert.equal(summary?.totalLag, 0);
  });

  for (const c of cases) {
    it(c.name, () => {
      const options = { ...c.options, startFrom: c.startFrom ?? "latest" } as const;
      const summary = summarize(historyOf(c.polls, options), lagOptions(options));
      assert.ok(summary);
      assert.equal(summary.timeMs, t0 + (c.polls.at(-1)?.t ?? 0) * 1000);
      const e = c.expect;
      if (e.totalLag !== undefined) assert.equal(summary.totalLag, e.totalLag);
      if (e.produceRate !== undefined) assert.equal(summary.produceRate, e.produceRate);
      if (e.consumeRate !== undefined) assert.equal(summary.consumeRate, e.consumeRate);
      if (e.maxLagSeconds !== undefined) assert.equal(summary.maxLagSeconds, e.maxLagSeconds);
      if (e.busyMembers !== undefined) assert.deepEqual(summary.busyMembers, e.busyMembers);
      if (e.health !== undefined)
        assert.deepEqual(
          summary.partitions.map((p) => p.health),
          e.health,
        );
      if (e.worstHealth !== undefined) assert.equal(summary.worstHealth, e.worstHealth);
      if (e.uncommittedArrivals !== undefined) assert.equal(summary.uncommittedArrivals, e.uncommittedArrivals);
      if (e.backlog !== undefined)
        assert.deepEqual(
          summary.partitions.map((p) => p.backlog),
          e.backlog,
        );
      if (e.waiting !== undefined)
        assert.deepEqual(
          summary.partitions.map((p) => p.waiting),
          e.waiting,
        );
      if (e.rateSpanSeconds !== undefined) assert.equal(summary.rateSpanSeconds, e.rateSpanSeconds);
      if (e.progressing !== undefined)
        assert.deepEqual(
          summary.partitions.map((p) => p.progressing),
          e.progressing,
        );
      const counted = Object.values(summary.healthCounts).reduce((a, b) => a + b, 0);
      assert.equal(counted, summary.partitions.length);
    });
  }
});
