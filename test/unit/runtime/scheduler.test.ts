import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Scheduler } from "../../../consumer-runtime/src/processing/scheduler.ts";

interface Item {
  lane: string | null;
  id: string;
}

const item = (lane: string | null, id: string): Item => ({ lane, id });
const ids = (items: Item[]) => items.map((i) => i.id);

describe("Scheduler", () => {
  it("runs one batch per lane at a time, in arrival order", () => {
    const s = new Scheduler<Item>();
    for (const i of [item("a", "a1"), item("a", "a2"), item("b", "b1"), item("a", "a3")]) s.enqueue(i);
    const first = s.take(1);
    assert.deepEqual(ids(first), ["a1"]);
    const second = s.take(1);
    assert.deepEqual(ids(second), ["b1"], "lane a is busy until a1 is released");
    assert.deepEqual(ids(s.take(1)), [], "every lane is busy");
    s.release(first);
    assert.deepEqual(ids(s.take(5)), ["a2", "a3"]);
  });

  it("fills a batch from several free lanes, keeping each lane's order", () => {
    const s = new Scheduler<Item>();
    for (const i of [item("a", "a1"), item("b", "b1"), item("a", "a2"), item("b", "b2")]) s.enqueue(i);
    assert.deepEqual(ids(s.take(10)), ["a1", "a2", "b1", "b2"]);
    assert.equal(s.size, 0);
  });

  it("hands out unordered items freely", () => {
    const s = new Scheduler<Item>();
    for (const i of [item(null, "x"), item(null, "y"), item(null, "z")]) s.enqueue(i);
    assert.deepEqual(ids(s.take(1)), ["x"]);
    assert.deepEqual(ids(s.take(1)), ["y"]);
    assert.deepEqual(ids(s.take(5)), ["z"]);
  });

  it("keeps per-key order under concurrency (the worker-pool rule)", () => {
    const s = new Scheduler<Item>();
    const keys = ["k1", "k2", "k3"];
    for (let n = 0; n < 30; n++) s.enqueue(item(keys[n % 3] as string, `${keys[n % 3]}-${n}`));
    const seen = new Map<string, number[]>();
    const running: Item[][] = [];
    while (s.size > 0 || running.length) {
      while (running.length < 2) {
        const batch = s.take(2);
        if (!batch.length) break;
        running.push(batch);
      }
      const done = running.shift() as Item[];
      for (const d of done) {
        const [key, n] = d.id.split("-");
        seen.set(key as string, [...(seen.get(key as string) ?? []), Number(n)]);
      }
      s.release(done);
    }
    for (const [key, order] of seen)
      assert.deepEqual(
        order,
        [...order].sort((a, b) => a - b),
        key,
      );
    assert.equal([...seen.values()].flat().length, 30);
  });

  it("drops queued items on request and leaves running ones alone", () => {
    const s = new Scheduler<Item>();
    for (const i of [item("p0", "a"), item("p0", "b"), item("p1", "c"), item(null, "d")]) s.enqueue(i);
    const running = s.take(1);
    const dropped = s.dropQueued((i) => i.lane === "p0" || i.id === "d");
    assert.deepEqual(ids(dropped).sort(), ["b", "d"]);
    assert.equal(s.size, 1);
    s.release(running);
    assert.deepEqual(ids(s.take(5)), ["c"]);
  });
});
