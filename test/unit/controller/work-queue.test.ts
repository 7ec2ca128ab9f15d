import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { TerminalError, WorkQueue } from "../../../operator/src/controller/work-queue.ts";

const tick = (ms = 5) => new Promise((resolve) => setTimeout(resolve, ms));

describe("WorkQueue", () => {
  it("de-duplicates a key queued several times before it runs", async () => {
    const runs: string[] = [];
    const queue = new WorkQueue({
      concurrency: 1,
      process: async (key) => {
        runs.push(key);
        return {};
      },
    });
    queue.add("a");
    queue.add("a");
    queue.add("b");
    queue.add("a");
    queue.start();
    await tick(20);
    await queue.stop();
    assert.deepEqual(runs, ["a", "b"]);
  });

  it("never runs one key twice at once, and re-runs it when it changed meanwhile", async () => {
    let active = 0;
    let maxActive = 0;
    let runs = 0;
    let release: () => void = () => {};
    const queue = new WorkQueue({
      concurrency: 4,
      process: async () => {
        active += 1;
        runs += 1;
        maxActive = Math.max(maxActive, active);
        if (runs === 1) await new Promise<void>((resolve) => (release = resolve));
        active -= 1;
        return {};
      },
    });
    queue.start();
    queue.add("a");
    await tick();
    queue.add("a");
    queue.add("a");
    await tick();
    assert.equal(runs, 1);
    release();
    await tick(20);
    await queue.stop();
    assert.equal(maxActive, 1);
    assert.equal(runs, 2);
  });

  it("retries failures with backoff and stops retrying terminal errors", async () => {
    const attempts = new Map<string, number>();
    const queue = new WorkQueue({
      backoff: { baseDelayMs: 5, maxDelayMs: 10 },
      process: async (key) => {
        const n = (attempts.get(key) ?? 0) + 1;
        attempts.set(key, n);
        if (key === "flaky" && n < 3) throw new Error("transient");
        if (key === "broken") throw new TerminalError("invalid spec");
        return {};
      },
    });
    queue.start();
    queue.add("flaky");
    queue.add("broken");
    await tick(300);
    await queue.stop();
    assert.equal(attempts.get("flaky"), 3);
    assert.equal(attempts.get("broken"), 1);
  });

  it("requeues after the delay a reconcile asks for", async () => {
    let runs = 0;
    const queue = new WorkQueue({
      process: async () => {
        runs += 1;
        return runs < 3 ? { requeueAfterMs: 5 } : {};
      },
    });
    queue.start();
    queue.add("poll");
    await tick(300);
    await queue.stop();
    assert.equal(runs, 3);
  });
});
