import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { TopicPartition } from "../../../consumer-runtime/src/client/contract.ts";
import {
  type CommittedReading,
  chooseStarts,
  type StartChoice,
  type StartFrom,
} from "../../../consumer-runtime/src/client/start-positions.ts";

interface Case {
  name: string;
  startFrom: StartFrom;
  assigned: TopicPartition[];
  committed: CommittedReading[];
  expected: StartChoice[];
}

const p = (topic: string, partition: number): TopicPartition => ({ topic, partition });
const c = (topic: string, partition: number, offset: number): CommittedReading => ({ topic, partition, offset });

describe("chooseStarts", () => {
  const cases: Case[] = [
    {
      name: "a partition with a committed offset needs no choice",
      startFrom: "latest",
      assigned: [p("a", 0)],
      committed: [c("a", 0, 42)],
      expected: [],
    },
    {
      name: "the group's first start on a topic follows startFrom latest",
      startFrom: "latest",
      assigned: [p("a", 0), p("a", 1)],
      committed: [c("a", 0, -1), c("a", 1, -1)],
      expected: [
        { topic: "a", partition: 0, from: "latest" },
        { topic: "a", partition: 1, from: "latest" },
      ],
    },
    {
      name: "the group's first start on a topic follows startFrom earliest",
      startFrom: "earliest",
      assigned: [p("a", 0)],
      committed: [],
      expected: [{ topic: "a", partition: 0, from: "earliest" }],
    },
    {
      name: "a partition added by growth starts at its first offset whatever startFrom says",
      startFrom: "latest",
      assigned: [p("a", 0), p("a", 2), p("a", 3)],
      committed: [c("a", 0, 10), c("a", 1, 7), c("a", 2, -1)],
      expected: [
        { topic: "a", partition: 2, from: "earliest" },
        { topic: "a", partition: 3, from: "earliest" },
      ],
    },
    {
      name: "commits on another topic do not count: a topic added later follows startFrom",
      startFrom: "latest",
      assigned: [p("a", 0), p("b", 0)],
      committed: [c("a", 0, 5)],
      expected: [{ topic: "b", partition: 0, from: "latest" }],
    },
    {
      name: "a commit at offset 0 is a commit",
      startFrom: "latest",
      assigned: [p("a", 0), p("a", 1)],
      committed: [c("a", 0, 0)],
      expected: [{ topic: "a", partition: 1, from: "earliest" }],
    },
  ];
  for (const t of cases) {
    it(t.name, () => {
      assert.deepEqual(chooseStarts(t.assigned, t.committed, t.startFrom), t.expected);
    });
  }
});
