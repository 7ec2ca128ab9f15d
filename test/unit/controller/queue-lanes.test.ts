// Which lane a free worker takes its next key from (queue-lanes.ts), and the queue that follows it.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type Lane, type LaneInput, nextLane, REQUEUE_EVERY } from "../../../operator/src/controller/queue-lanes.ts";
import { WorkQueue } from "../../../operator/src/controller/work-queue.ts";

interface Case extends LaneInput {
  name: string;
  expect: Lane | undefined;
}

const cases: Case[] = [
  { name: "nothing waits: no key", changes: 0, requeues: 0, changesSinceRequeue: 0, expect: undefined },
  { name: "only changes wait: a change", changes: 3, requeues: 0, changesSinceRequeue: 9, expect: "change" },
  { name: "only requeues wait: a requeue", changes: 0, requeues: 3, changesSinceRequeue: 0, expect: "requeue" },
  {
    name: "both wait, a requeue was just taken: a change first",
    changes: 5,
    requeues: 5,
    changesSinceRequeue: 0,
    expect: "change",
  },
  {
    name: "both wait, one change short of the share: still a change",
    changes: 5,
    requeues: 5,
    changesSinceRequeue: REQUEUE_EVERY - 2,
    expect: "change",
  },
  {
    name: "both wait, the requeues' share is due: a requeue",
    changes: 5,
    requeues: 5,
    changesSinceRequeue: REQUEUE_EVERY - 1,
    expect: "requeue",
  },
  {
    name: "changes only for long, then a requeue falls due: the requeue at once",
    changes: 5,
    requeues: 1,
    changesSinceRequeue: 40,
    expect: "requeue",
  },
];

describe("nextLane", () => {
  for (const c of cases) {
    it(c.name, () => {
      assert.equal(nextLane(c), c.expect);
    });
  }
});

const tick = (ms = 5) => new Promise((resolve) => setTimeout(resolve, ms));

describe("WorkQueue lanes", () => {
  it("takes changes before requeues that fell due, and still one requeue in every few keys", async () => {
    const runs: string[] = [];
    let release: () => void = () => {};
    const queue = new WorkQueue({
      concurrency: 1,
      process: async (key) => {
        runs.push(key);
        if (key === "blocker") await new Promise<void>((resolve) => (release = resolve));
        return {};
      },
    });
    queue.start();
    queue.addAfter("blocker", 0);
    await tick();
    // The one worker busy with a poll; meanwhile two more polls fall due, then six groups change.
    queue.addAfter("poll-1", 0);
    queue.addAfter("poll-2", 0);
    for (let i = 1; i <= 6; i++) queue.add(`new-${i}`);
    release();
    await tick(50);
    await queue.stop();
    const share = REQUEUE_EVERY - 1;
    assert.deepEqual(runs, [
      "blocker",
      ...Array.from({ length: share }, (_, i) => `new-${i + 1}`),
      "poll-1",
      ...Array.from({ length: share }, (_, i) => `new-${i + share + 1}`),
      "poll-2",
    ]);
  });

  it("moves a due key up when a watch sees it change, and runs it once", async () => {
    const runs: string[] = [];
    let release: () => void = () => {};
    const queue = new WorkQueue({
      concurrency: 1,
      process: async (key) => {
        runs.push(key);
        if (key === "blocker") await new Promise<void>((resolve) => (release = resolve));
        return {};
      },
    });
    queue.start();
    queue.addAfter("blocker", 0);
    await tick();
    queue.addAfter("poll-1", 0);
    queue.addAfter("edited", 0);
    queue.add("new-1");
    queue.add("edited");
    release();
    await tick(50);
    await queue.stop();
    assert.deepEqual(runs, ["blocker", "new-1", "edited", "poll-1"]);
  });
});
