import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { CommittedOffset } from "../../../operator/src/kafka/admin.ts";
import type { PartitionObservation, Poll, StartFrom } from "../../../operator/src/lag/types.ts";
import { startOffsetsToCommit } from "../../../operator/src/reconcile/start-offsets.ts";

interface Case {
  name: string;
  startFrom: StartFrom;
  /** Undefined: Kafka was not read in this reconcile. */
  members: number | undefined;
  partitions: PartitionObservation[];
  expected: CommittedOffset[];
}

const p = (topic: string, partition: number, committedOffset: number, logEndOffset: number): PartitionObservation => ({
  topic,
  partition,
  logStartOffset: 0,
  logEndOffset,
  committedOffset,
});

describe("startOffsetsToCommit", () => {
  const cases: Case[] = [
    {
      name: "a new latest group without members: every partition at its log end",
      startFrom: "latest",
      members: 0,
      partitions: [p("a", 0, -1, 40), p("a", 1, -1, 7)],
      expected: [
        { topic: "a", partition: 0, offset: 40 },
        { topic: "a", partition: 1, offset: 7 },
      ],
    },
    {
      name: "an empty partition is committed at 0, its log end",
      startFrom: "latest",
      members: 0,
      partitions: [p("a", 0, -1, 0)],
      expected: [{ topic: "a", partition: 0, offset: 0 }],
    },
    {
      name: "startFrom earliest: nothing (partitions without a commit already start at their first offset)",
      startFrom: "earliest",
      members: 0,
      partitions: [p("a", 0, -1, 40)],
      expected: [],
    },
    {
      name: "the group has members: nothing (their consumers started; Kafka would refuse)",
      startFrom: "latest",
      members: 2,
      partitions: [p("a", 0, -1, 40)],
      expected: [],
    },
    {
      name: "no reading of Kafka in this reconcile: nothing",
      startFrom: "latest",
      members: undefined,
      partitions: [],
      expected: [],
    },
    {
      name: "a topic with a commit is left alone: its partitions without one are new and start at their first offset",
      startFrom: "latest",
      members: 0,
      partitions: [p("a", 0, 12, 40), p("a", 1, -1, 9)],
      expected: [],
    },
    {
      name: "a commit at offset 0 counts as a commit",
      startFrom: "latest",
      members: 0,
      partitions: [p("a", 0, 0, 40), p("a", 1, -1, 9)],
      expected: [],
    },
    {
      name: "several topics: only the one never committed on",
      startFrom: "latest",
      members: 0,
      partitions: [p("a", 0, 12, 40), p("a", 1, -1, 9), p("b", 0, -1, 3), p("b", 1, -1, 5)],
      expected: [
        { topic: "b", partition: 0, offset: 3 },
        { topic: "b", partition: 1, offset: 5 },
      ],
    },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      const poll: Poll | undefined =
        tc.members === undefined
          ? undefined
          : {
              timeMs: 1000,
              groupState: tc.members > 0 ? "Stable" : "Empty",
              members: tc.members,
              partitions: tc.partitions,
            };
      assert.deepEqual(startOffsetsToCommit({ startFrom: tc.startFrom, poll }), tc.expected);
    });
  }
});
