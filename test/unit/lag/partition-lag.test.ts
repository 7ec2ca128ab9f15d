import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { consumePosition, partitionLag } from "../../../operator/src/lag/partition-lag.ts";
import type { StartFrom } from "../../../operator/src/lag/types.ts";

const cases: {
  name: string;
  start: number;
  end: number;
  committed: number;
  startFrom: StartFrom;
  lag: number;
  position: number;
}[] = [
  { name: "committed behind the end", start: 0, end: 100, committed: 60, startFrom: "latest", lag: 40, position: 60 },
  { name: "caught up", start: 0, end: 100, committed: 100, startFrom: "earliest", lag: 0, position: 100 },
  {
    name: "no commit, latest: nothing pending",
    start: 10,
    end: 100,
    committed: -1,
    startFrom: "latest",
    lag: 0,
    position: 100,
  },
  {
    name: "no commit, earliest: the whole retained log",
    start: 10,
    end: 100,
    committed: -1,
    startFrom: "earliest",
    lag: 90,
    position: 10,
  },
  { name: "no commit on an empty topic", start: 0, end: 0, committed: -1, startFrom: "earliest", lag: 0, position: 0 },
  {
    name: "retention removed records past the commit",
    start: 500,
    end: 800,
    committed: 200,
    startFrom: "latest",
    lag: 300,
    position: 500,
  },
  {
    name: "commit exactly at the log start",
    start: 500,
    end: 800,
    committed: 500,
    startFrom: "latest",
    lag: 300,
    position: 500,
  },
  {
    name: "commit beyond the end (topic recreated): never negative",
    start: 0,
    end: 50,
    committed: 90,
    startFrom: "latest",
    lag: 0,
    position: 50,
  },
  {
    name: "log end below log start (inconsistent read): never negative",
    start: 70,
    end: 60,
    committed: 65,
    startFrom: "earliest",
    lag: 0,
    position: 70,
  },
  {
    name: "huge offsets stay exact",
    start: 0,
    end: 2 ** 50 + 10,
    committed: 2 ** 50,
    startFrom: "latest",
    lag: 10,
    position: 2 ** 50,
  },
];

describe("partitionLag", () => {
  for (const c of cases) {
    it(c.name, () => {
      const reading = { logStartOffset: c.start, logEndOffset: c.end, committedOffset: c.committed };
      assert.equal(partitionLag(reading, c.startFrom), c.lag);
      assert.equal(consumePosition(reading, c.startFrom), c.position);
    });
  }
});
