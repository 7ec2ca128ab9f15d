// The demo, briefly and without a terminal: its JSON summary must show scaling, no lost message, and what
// `kubectl lagpilot explain` says of its group.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { join } from "node:path";
import { it } from "node:test";
import { promisify } from "node:util";
import { nodeBinary, repoRoot } from "../support/processes.ts";

const run = promisify(execFile);

it("runs a burst scenario, scales up and loses nothing", async () => {
  const { stdout } = await run(
    nodeBinary,
    [join(repoRoot, "test/env/demo/demo.ts"), "--duration", "60", "--scenario", "burst", "--json", "--existing-stack"],
    { timeout: 240_000, maxBuffer: 16 * 1024 * 1024 },
  );
  const summary = JSON.parse(stdout.trim().split("\n").pop() ?? "{}");
  assert.equal(summary.scenario, "burst");
  assert.ok(summary.produced > 1000, `produced ${summary.produced}`);
  assert.equal(summary.lost, 0);
  assert.ok(summary.consumed >= summary.produced);
  assert.ok(summary.peakReplicas > 1, `peak replicas ${summary.peakReplicas}: the burst needs more than one`);
  assert.ok(summary.scaleEvents.some((e: { reason: string }) => e.reason === "ScaledUp"));
  assert.equal(summary.partitionsBefore, summary.partitionsAfter);
  // `kubectl lagpilot explain` answers for the demo's group with the scale-up it recorded.
  assert.match(summary.explain, /ScaledUp/, summary.explain);
});
