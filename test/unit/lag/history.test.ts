import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { emptyHistory, recordPoll } from "../../../operator/src/lag/history.ts";
import { lagOptions } from "../../../operator/src/lag/options.ts";
import { historyOf, type PollSpec, poll, t0 } from "./fixtures.ts";

const steady = (t: number, end: number, committed: number, owner = "m1"): PollSpec => ({
  t,
  partitions: [{ end, committed, owner }],
});

const cases: {
  name: string;
  polls: PollSpec[];
  options?: { maxSamples?: number; maxAgeSeconds?: number; startFrom?: "earliest" | "latest" };
  /** Times (seconds) of the samples kept for partition 0. */
  keptTimes: number[];
  lags?: number[];
  committedChangedAt?: number;
  assignmentSince?: number;
  partitionCount?: number;
}[] = [
  {
    name: "keeps at most maxSamples, newest last",
    polls: [0, 15, 30, 45, 60].map((t) => steady(t, t * 10, t * 10)),
    options: { maxSamples: 3 },
    keptTimes: [30, 45, 60],
  },
  {
    name: "drops samples older than maxAgeSeconds",
    polls: [0, 100, 200, 300].map((t) => steady(t, t, t)),
    options: { maxAgeSeconds: 150 },
    keptTimes: [200, 300],
  },
  {
    name: "keeps the newest sample even when a long gap makes it the only young one",
    polls: [steady(0, 0, 0), steady(1000, 10, 10)],
    options: { maxAgeSeconds: 60 },
    keptTimes: [1000],
  },
  {
    name: "a poll at the same time replaces the last sample (clock going nowhere)",
    polls: [steady(0, 0, 0), steady(15, 100, 50), steady(15, 120, 60)],
    keptTimes: [0, 15],
    lags: [0, 60],
  },
  {
    name: "a clock that went back restarts the window",
    polls: [steady(0, 0, 0), steady(15, 100, 100), steady(5, 110, 110)],
    keptTimes: [5],
    assignmentSince: 5,
  },
  {
    name: "a log end that went back (topic recreated) restarts the window",
    polls: [steady(0, 500, 400), steady(15, 600, 500), steady(30, 20, 10)],
    keptTimes: [30],
    lags: [10],
    committedChangedAt: 30,
  },
  {
    name: "lag of -1 commits follows startFrom earliest",
    polls: [steady(0, 100, -1), steady(15, 130, -1)],
    options: { startFrom: "earliest" },
    keptTimes: [0, 15],
    lags: [100, 130],
  },
  {
    name: "remembers when the committed offset last moved, beyond the window",
    polls: [steady(0, 10, 5), steady(15, 20, 7), steady(30, 30, 7), steady(45, 40, 7)],
    options: { maxSamples: 2 },
    keptTimes: [30, 45],
    committedChangedAt: 15,
  },
  {
    name: "the assignment span starts when owners change",
    polls: [steady(0, 0, 0, "a"), steady(15, 10, 10, "a"), steady(30, 20, 20, "b"), steady(45, 30, 30, "b")],
    keptTimes: [0, 15, 30, 45],
    assignmentSince: 30,
  },
  {
    name: "the assignment span starts after the group is Stable again",
    polls: [
      steady(0, 0, 0),
      { t: 15, state: "PreparingRebalance", partitions: [{ end: 10, committed: 10 }] },
      steady(30, 20, 20),
      steady(45, 30, 30),
    ],
    keptTimes: [0, 15, 30, 45],
    assignmentSince: 30,
  },
  {
    name: "a log end that stands still (nothing produced) keeps the window",
    polls: [steady(0, 10, 10), steady(15, 10, 10), steady(30, 10, 10)],
    keptTimes: [0, 15, 30],
  },
  {
    name: "a second poll at the time of the newest sample replaces it, older ones stay",
    polls: [steady(0, 0, 0), steady(15, 10, 10), steady(30, 20, 20), steady(30, 25, 20)],
    keptTimes: [0, 15, 30],
    lags: [0, 0, 5],
  },
  {
    name: "a Stable poll after one that was not starts the assignment span, owners unchanged",
    polls: [
      steady(0, 0, 0),
      steady(15, 10, 10),
      { t: 30, state: "CompletingRebalance", partitions: [{ end: 20, committed: 20, owner: "m1" }] },
      steady(45, 30, 30),
      steady(60, 40, 40),
    ],
    keptTimes: [0, 15, 30, 45, 60],
    assignmentSince: 45,
  },
  {
    name: "a second poll at the same time keeps the assignment span (the clock did not go back)",
    polls: [steady(0, 0, 0), steady(15, 10, 10), steady(15, 12, 12)],
    keptTimes: [0, 15],
    assignmentSince: 0,
  },
  {
    name: "a partition gone from the assignment starts a new span, though the others kept their owner",
    polls: [
      {
        t: 0,
        partitions: [
          { end: 0, committed: 0, owner: "m1" },
          { end: 0, committed: 0, owner: "m1" },
        ],
      },
      {
        t: 15,
        partitions: [
          { end: 10, committed: 10, owner: "m1" },
          { end: 10, committed: 10, owner: "m1" },
        ],
      },
      { t: 30, partitions: [{ end: 20, committed: 20, owner: "m1" }] },
    ],
    keptTimes: [0, 15, 30],
    assignmentSince: 30,
  },
  {
    name: "a new partition starts its own window; a vanished one is dropped",
    polls: [
      {
        t: 0,
        partitions: [
          { end: 0, committed: 0 },
          { end: 0, committed: 0 },
        ],
      },
      {
        t: 15,
        partitions: [
          { end: 10, committed: 10 },
          { end: 10, committed: 10 },
          { end: 0, committed: -1 },
        ],
      },
      { t: 30, partitions: [{ end: 20, committed: 20 }] },
    ],
    keptTimes: [0, 15, 30],
    partitionCount: 1,
  },
];

describe("recordPoll", () => {
  for (const c of cases) {
    it(c.name, () => {
      const history = historyOf(c.polls, c.options);
      const p0 = history.partitions.find((p) => p.partition === 0);
      assert.ok(p0);
      assert.deepEqual(
        p0.samples.map((s) => (s.timeMs - t0) / 1000),
        c.keptTimes,
      );
      if (c.lags)
        assert.deepEqual(
          p0.samples.map((s) => s.lag),
          c.lags,
        );
      if (c.committedChangedAt !== undefined) assert.equal(p0.committedChangedAtMs, t0 + c.committedChangedAt * 1000);
      if (c.assignmentSince !== undefined) assert.equal(history.assignmentSinceMs, t0 + c.assignmentSince * 1000);
      if (c.partitionCount !== undefined) assert.equal(history.partitions.length, c.partitionCount);
    });
  }

  it("does not modify the history it is given", () => {
    const options = lagOptions();
    const first = recordPoll(emptyHistory(), poll(steady(0, 0, 0)), options);
    const frozen = structuredClone(first);
    recordPoll(first, poll(steady(15, 10, 5)), options);
    assert.deepEqual(first, frozen);
  });

  it("orders partitions by topic then partition whatever the poll's order", () => {
    const options = lagOptions();
    const history = recordPoll(
      emptyHistory(),
      {
        timeMs: t0,
        groupState: "Stable",
        members: 1,
        partitions: [
          { topic: "b", partition: 1, logStartOffset: 0, logEndOffset: 0, committedOffset: 0 },
          { topic: "a", partition: 10, logStartOffset: 0, logEndOffset: 0, committedOffset: 0 },
          { topic: "a", partition: 2, logStartOffset: 0, logEndOffset: 0, committedOffset: 0 },
        ],
      },
      options,
    );
    assert.deepEqual(
      history.partitions.map((p) => `${p.topic}-${p.partition}`),
      ["a-2", "a-10", "b-1"],
    );
  });
});
