// The autoscaler end to end on the local stack: the real operator, real Kafka, and a real consumer-runtime process
// per Pod (the demo's pod runner stands in for the kubelet). Three demo runs side by side, each with its own
// namespace, operator and producer; each checks one behaviour from the demo's JSON summary:
//   burst             steady load, then a burst: replicas rise, lag comes back under target while records still
//                     arrive, replicas fall after the scale-down window;
//   partition-growth  two partitions cap the group: partitions grow and replicas follow past the old cap;
//   stuck-partition   a partition stops progressing: the status says Degraded, and replicas do not climb for it;
//   scale-to-zero     an idle group goes to zero replicas and is activated when records arrive, losing none; the
//                     operator restarts in between and the autoscaler keeps what it learned before.
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { nodeBinary, repoRoot } from "../support/processes.ts";

interface TimelinePoint {
  t: number;
  desiredReplicas: number;
  readyReplicas: number;
  partitions: number;
  lag: number;
  lagSeconds: number;
  health: string;
}

interface DecisionEntry {
  time: string;
  fromReplicas: number;
  toReplicas: number;
  reason: string;
  cause?: string;
  message: string;
  figures: { throughputPerReplica?: number; lag?: number; lagSeconds?: number };
}

interface Learned {
  throughputPerReplica?: number;
  throughputMeasurements?: number;
}

interface DemoSummary {
  scenario: string;
  durationSeconds: number;
  peakLagSeconds: number;
  peakReplicas: number;
  finalReplicas: number;
  lagTargetSeconds: number;
  replicaBounds: { min: number; max: number };
  partitionsBefore: number;
  partitionsAfter: number;
  stuckSeconds: { from: number; to: number } | null;
  degraded: { reason: string; messages: string[]; firstSeenSeconds: number; lastSeenSeconds: number }[];
  timeline: TimelinePoint[];
  scaleEvents: { reason: string; message: string; atSeconds: number }[];
  /** status.autoscaling at the end. */
  autoscaling: { decisions?: DecisionEntry[]; learned?: Learned } | null;
  /** When the demo restarted its operator (atMs: the clock status times are read against). */
  restart: {
    atSeconds: number;
    atMs: number;
    learnedBefore: Learned | null;
    /** The restarted operator's log line saying what it restored. */
    restored?: { throughputPerReplica?: number };
  } | null;
  produced: number;
  consumed: number;
  lost: number;
}

interface DemoRun {
  scenario: string;
  child: ChildProcess;
  stdout: string;
  stderr: string;
  exit: Promise<number | null>;
}

/**
 * Each demo gets this long. The three run at once on a small machine, where a consumer Pod can take 40 s to
 * start: each starts its load once its first consumer is ready (--ready-first), and the burst lasts long enough
 * for the replicas it asks for to start while records still arrive.
 */
const demoTimeoutMs = 280_000;

const runs: DemoRun[] = [];

function startDemo(scenario: string, args: string[]): DemoRun {
  // Its own process group: if the demo itself dies, its operator and runtimes can still be stopped together.
  const child = spawn(
    nodeBinary,
    [
      join(repoRoot, "test/env/demo/demo.ts"),
      "--scenario",
      scenario,
      "--json",
      "--existing-stack",
      "--logs",
      `e2e-${scenario}`,
      ...args,
    ],
    { cwd: repoRoot, detached: true, stdio: ["ignore", "pipe", "pipe"] },
  );
  const run: DemoRun = {
    scenario,
    child,
    stdout: "",
    stderr: "",
    exit: once(child, "exit").then(([code]) => code as number | null),
  };
  child.stdout?.on("data", (chunk: Buffer) => {
    run.stdout += chunk.toString("utf8");
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    run.stderr += chunk.toString("utf8");
  });
  runs.push(run);
  return run;
}

/** SIGTERM lets the demo delete its namespace and stop its processes; its whole group is killed if it hangs. */
async function stopDemo(run: DemoRun, graceMs = 45_000): Promise<void> {
  const pid = run.child.pid;
  if (pid === undefined || run.child.exitCode !== null || run.child.signalCode !== null) return;
  run.child.kill("SIGTERM");
  const timer = setTimeout(() => killGroup(pid), graceMs);
  await run.exit;
  clearTimeout(timer);
  // Anything of its group the interrupted demo did not get to stop.
  killGroup(pid);
}

function killGroup(pid: number): void {
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    // The group is gone already.
  }
}

process.once("exit", () => {
  for (const run of runs) {
    if (run.child.pid !== undefined && run.child.exitCode === null) killGroup(run.child.pid);
  }
});

async function summaryOf(run: DemoRun): Promise<DemoSummary> {
  const timer = setTimeout(() => void stopDemo(run, 20_000), demoTimeoutMs);
  const code = await run.exit;
  clearTimeout(timer);
  const last = run.stdout.trim().split("\n").pop() ?? "";
  const context = `demo ${run.scenario} exited with ${code}; last output:\n${run.stderr.split("\n").slice(-25).join("\n")}`;
  assert.ok(last.startsWith("{"), `no JSON summary. ${context}`);
  return JSON.parse(last) as DemoSummary;
}

function describeRun(s: DemoSummary): string {
  const points = s.timeline
    .filter(
      (p, i, all) => i === 0 || p.desiredReplicas !== all[i - 1]?.desiredReplicas || p.health !== all[i - 1]?.health,
    )
    .map(
      (p) => `${p.t}s ${p.readyReplicas}/${p.desiredReplicas} parts ${p.partitions} lag ${p.lagSeconds}s ${p.health}`,
    );
  const events = s.scaleEvents.map((e) => `${e.atSeconds}s ${e.reason}: ${e.message}`);
  const decisions = (s.autoscaling?.decisions ?? []).map(
    (d) =>
      `${d.time} ${d.reason}/${d.cause} ${d.fromReplicas}->${d.toReplicas} per replica ${d.figures.throughputPerReplica}: ${d.message}`,
  );
  const restart = s.restart ? `\noperator restarted at ${s.restart.atSeconds}s` : "";
  return `\ntimeline:\n  ${points.join("\n  ")}\nevents:\n  ${events.join("\n  ")}\ndecisions:\n  ${decisions.join("\n  ")}${restart}`;
}

function assertNothingLost(s: DemoSummary): void {
  assert.ok(s.produced > 1000, `produced only ${s.produced}`);
  assert.equal(s.lost, 0, `${s.lost} of ${s.produced} records were not processed${describeRun(s)}`);
  const failed = s.timeline.find((p) => p.health === "ApplyFailed");
  assert.equal(failed, undefined, `the operator failed to apply its decision at ${failed?.t}s${describeRun(s)}`);
}

describe("autoscaling end to end", { timeout: 320_000 }, () => {
  const summaries = new Map<string, Promise<DemoSummary>>();

  before(() => {
    const plans: [string, string[]][] = [
      ["burst", ["--duration", "100", "--settle", "35", "--ready-first"]],
      // Long enough for a growth while loaded, and watched after the drain until the added replicas run.
      ["partition-growth", ["--duration", "80", "--settle", "60", "--ready-first"]],
      ["stuck-partition", ["--duration", "80", "--ready-first"]],
    ];
    for (const [scenario, args] of plans) {
      const summary = summaryOf(startDemo(scenario, args));
      // Each test awaits its own; a failure is reported there, not as an unhandled rejection here.
      summary.catch(() => {});
      summaries.set(scenario, summary);
    }
  });

  after(async () => {
    await Promise.all(runs.map((run) => stopDemo(run)));
  });

  it("a burst: replicas rise, lag comes back under target, replicas fall after the window", async (t) => {
    const s = await (summaries.get("burst") as Promise<DemoSummary>);
    const story = describeRun(s);
    t.diagnostic(
      `${s.scenario}: peak ${s.peakReplicas} replicas, final ${s.finalReplicas}, peak lag ${s.peakLagSeconds}s${story}`,
    );
    assertNothingLost(s);
    assert.ok(s.peakReplicas > s.replicaBounds.min, `replicas never rose${story}`);
    const firstUp = s.scaleEvents.find((e) => e.reason === "ScaledUp");
    assert.ok(firstUp, `no ScaledUp event${story}`);

    const peak = s.timeline.reduce((a, b) => (b.lagSeconds > a.lagSeconds ? b : a));
    const backUnder = s.timeline.find(
      (p) => p.t > peak.t && p.t < s.durationSeconds && p.lagSeconds <= s.lagTargetSeconds,
    );
    assert.ok(
      backUnder,
      `lag (peak ${peak.lagSeconds}s at ${peak.t}s) never came back under target while loaded${story}`,
    );

    const lastUp = s.scaleEvents.filter((e) => e.reason === "ScaledUp").at(-1);
    const down = s.scaleEvents.find((e) => e.reason === "ScaledDown" && e.atSeconds >= (lastUp?.atSeconds ?? 0));
    assert.ok(down, `replicas never fell after the burst${story}`);
    assert.match(down.message, /per replica/, "the scale-down is sized from the measured throughput");
    // The decision history in status has the scale-up, with what it read.
    const recorded = s.autoscaling?.decisions?.find((d) => d.reason === "ScaledUp");
    assert.ok(recorded, `no ScaledUp entry in status.autoscaling.decisions${story}`);
    assert.ok(recorded.toReplicas > recorded.fromReplicas);
    assert.ok(
      s.scaleEvents.some((e) => e.message === recorded.message),
      "the entry says what the Event said",
    );
    assert.ok(s.finalReplicas < s.peakReplicas, `still ${s.finalReplicas} replicas at the end${story}`);
    assert.equal(s.partitionsAfter, s.partitionsBefore);
  });

  it("a partition-capped group: partitions grow and replicas follow", async (t) => {
    const s = await (summaries.get("partition-growth") as Promise<DemoSummary>);
    const story = describeRun(s);
    t.diagnostic(
      `${s.scenario}: peak ${s.peakReplicas} replicas, final ${s.finalReplicas}, peak lag ${s.peakLagSeconds}s${story}`,
    );
    assertNothingLost(s);
    assert.ok(s.partitionsAfter > s.partitionsBefore, `partitions stayed at ${s.partitionsBefore}${story}`);
    // Each growth starts where the last ended (none applied twice), and the topic ends where the last left it.
    const grown = s.scaleEvents.filter((e) => e.reason === "PartitionsGrown");
    assert.ok(grown.length > 0, `no PartitionsGrown event${story}`);
    let count = s.partitionsBefore;
    for (const event of grown) {
      const [, from, to] = /from (\d+) to (\d+)/.exec(event.message) ?? [];
      assert.equal(Number(from), count, `growth out of sequence: ${event.message}`);
      assert.ok(Number(to) > count);
      count = Number(to);
      assert.match(event.message, /per replica/, "growth is sized from the measured throughput");
    }
    assert.equal(s.partitionsAfter, count);
    assert.ok(s.partitionsAfter <= 8, "autoscaling.partitions.max is 8");
    const followed = s.timeline.find((p) => p.readyReplicas > s.partitionsBefore);
    assert.ok(followed, `no more than ${s.partitionsBefore} replicas ever ran${story}`);
    assert.ok(s.peakReplicas <= s.partitionsAfter);
  });

  it("a stuck partition: Degraded in status, and no scale-up storm", async (t) => {
    const s = await (summaries.get("stuck-partition") as Promise<DemoSummary>);
    const story = describeRun(s);
    t.diagnostic(
      `${s.scenario}: peak ${s.peakReplicas} replicas, final ${s.finalReplicas}, peak lag ${s.peakLagSeconds}s${story}`,
    );
    assertNothingLost(s);
    const stalled = s.degraded.find((d) => d.reason === "PartitionsStalled");
    assert.ok(stalled, `status never said PartitionsStalled${story}`);
    assert.ok(
      stalled.messages.some((m) => /-0 STALL/.test(m)),
      `the stuck partition is never named: ${stalled.messages.join("; ")}`,
    );
    assert.ok(s.stuckSeconds && stalled.firstSeenSeconds < s.stuckSeconds.to, "seen while it was stuck");

    // While the status says Degraded, replicas do not climb: more consumers cannot move a stuck partition.
    s.timeline.forEach((p, i) => {
      const before = s.timeline[i - 1];
      if (before === undefined || before.health !== "PartitionsStalled" || p.health !== "PartitionsStalled") return;
      assert.ok(p.desiredReplicas <= before.desiredReplicas, `replicas rose while stalled at ${p.t}s${story}`);
    });
    // Bounded: at most one step while stuck (a partly stuck poll may read as a slow replica), far from the
    // maximum a scaler reading the growing lag would reach. Catching up afterwards may take more.
    const whileStuck = s.timeline.filter(
      (p) => s.stuckSeconds && p.t >= s.stuckSeconds.from && p.t < s.stuckSeconds.to,
    );
    const peakWhileStuck = Math.max(0, ...whileStuck.map((p) => p.desiredReplicas));
    assert.ok(peakWhileStuck <= 2, `${peakWhileStuck} replicas while stuck${story}`);
  });
});

// After the three, not beside them: a fourth demo at once slows the others' Pods on a small machine.
describe("scale to zero end to end", { timeout: 240_000 }, () => {
  let summary: Promise<DemoSummary>;

  before(() => {
    summary = summaryOf(startDemo("scale-to-zero", ["--duration", "100"]));
    summary.catch(() => {});
  });

  after(async () => {
    await Promise.all(runs.map((run) => stopDemo(run)));
  });

  it("an idle group: scaled to zero, activated by new records, nothing lost, learned state kept across a restart", async (t) => {
    const s = await summary;
    const story = describeRun(s);
    t.diagnostic(`${s.scenario}: peak ${s.peakReplicas} replicas, final ${s.finalReplicas}${story}`);
    assertNothingLost(s);
    const atZero = s.timeline.find((p) => p.desiredReplicas === 0 && p.health === "ScaledToZero");
    assert.ok(atZero, `never scaled to zero (status ScaledToZero)${story}`);
    const activated = s.timeline.find((p) => p.t > atZero.t && p.desiredReplicas >= 1 && p.readyReplicas >= 1);
    assert.ok(activated, `never activated after ${atZero.t}s${story}`);

    const decisions = s.autoscaling?.decisions ?? [];
    const toZero = decisions.findIndex((d) => d.reason === "ScaledToZero" && d.toReplicas === 0);
    assert.ok(toZero >= 0, `no ScaledToZero entry in status.autoscaling.decisions${story}`);
    const activation = decisions.findIndex((d, i) => i > toZero && d.reason === "Activated" && d.fromReplicas === 0);
    assert.ok(activation > toZero, `no Activated entry after the ScaledToZero one${story}`);

    // Across the restart: the figure learned before it is what the decisions after it read, and the count of
    // readings it rests on goes on from where it was (a reset autoscaler would start from nothing).
    assert.ok(s.restart, "the operator was restarted");
    const before = s.restart.learnedBefore?.throughputPerReplica;
    assert.ok(before !== undefined && before > 0, `no throughput learned before the restart${story}`);
    // (The old operator may write once more between the demo's reading and its stop: close, not equal.)
    const restored = s.restart.restored?.throughputPerReplica;
    assert.ok(restored !== undefined, `the restarted operator restored no throughput${story}`);
    assert.ok(restored >= before * 0.8 && restored <= before * 1.25, `restored ${restored}/s, ${before}/s was learned`);
    const restartedAtMs = s.restart.atMs;
    const firstAfter = decisions.find((d) => Date.parse(d.time) >= restartedAtMs);
    assert.ok(firstAfter, `no decision after the restart${story}`);
    const cited = firstAfter.figures.throughputPerReplica;
    assert.ok(cited !== undefined, `the first decision after the restart read no throughput${story}`);
    assert.ok(cited >= before * 0.8 && cited <= before * 1.25, `it read ${cited}/s, ${before}/s was learned${story}`);
    assert.ok(
      (s.autoscaling?.learned?.throughputMeasurements ?? 0) >= (s.restart.learnedBefore?.throughputMeasurements ?? 0),
      `the learned throughput started over after the restart${story}`,
    );
  });
});
