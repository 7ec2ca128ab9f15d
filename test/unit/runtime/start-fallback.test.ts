import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { chooseFallback } from "../../../consumer-runtime/src/client/start-fallback.ts";
import type { CommittedReading, StartFrom } from "../../../consumer-runtime/src/client/start-positions.ts";

interface Case {
  name: string;
  startFrom: StartFrom;
  topics: string[];
  committed: CommittedReading[];
  expected: StartFrom;
}

const c = (topic: string, partition: number, offset: number): CommittedReading => ({ topic, partition, offset });

describe("chooseFallback", () => {
  const cases: Case[] = [
    {
      name: "a group with no commits meets its topic for the first time: latest is honoured",
      startFrom: "latest",
      topics: ["a"],
      committed: [c("a", 0, -1), c("a", 1, -1)],
      expected: "latest",
    },
    {
      name: "a group unknown to the broker (nothing returned) starts at the end",
      startFrom: "latest",
      topics: ["a"],
      committed: [],
      expected: "latest",
    },
    {
      name: "commits on the topic: a partition without one is new (growth), so it starts at its first offset",
      startFrom: "latest",
      topics: ["a"],
      committed: [c("a", 0, 17), c("a", 1, -1)],
      expected: "earliest",
    },
    {
      name: "a commit at offset 0 counts as a commit",
      startFrom: "latest",
      topics: ["a"],
      committed: [c("a", 0, 0)],
      expected: "earliest",
    },
    {
      name: "commits on every topic of several: earliest",
      startFrom: "latest",
      topics: ["a", "b"],
      committed: [c("a", 0, 5), c("b", 2, 9), c("b", 0, -1)],
      expected: "earliest",
    },
    {
      name: "one topic met for the first time keeps latest for all: its old records are not replayed",
      startFrom: "latest",
      topics: ["a", "b"],
      committed: [c("a", 0, 5), c("b", 0, -1)],
      expected: "latest",
    },
    {
      name: "commits on a topic the consumer does not subscribe to do not count",
      startFrom: "latest",
      topics: ["a"],
      committed: [c("other", 0, 5), c("a", 0, -1)],
      expected: "latest",
    },
    {
      name: "startFrom earliest stays earliest without commits",
      startFrom: "earliest",
      topics: ["a"],
      committed: [],
      expected: "earliest",
    },
    {
      name: "no topics: startFrom decides",
      startFrom: "latest",
      topics: [],
      committed: [c("a", 0, 5)],
      expected: "latest",
    },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      assert.equal(
        chooseFallback({ startFrom: tc.startFrom, topics: tc.topics, committed: tc.committed }),
        tc.expected,
      );
    });
  }
});
