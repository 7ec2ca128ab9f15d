// Both lag targets drive scaling: records under maxMessagesPerPartition but older than maxSeconds are a
// backlog, in the fallback (lagPerReplica) and in the capacity model alike.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { PartitionLagSummary } from "../../../operator/src/lag/types.ts";
import { backlogToDrain } from "../../../operator/src/scaling/backlog.ts";
import { decideScaling } from "../../../operator/src/scaling/decide.ts";
import { initialScalingState, type ScalingReason, type ScalingState } from "../../../operator/src/scaling/types.ts";
import { knownThroughput, now, settings, summary } from "./fixtures.ts";

interface BacklogCase {
  name: string;
  /** Age of the oldest waiting record; undefined without a timeline. */
  lagSeconds: number | undefined;
  /** Beyond the commit slack and maxMessagesPerPartition. */
  backlog: number;
  /** Beyond the commit slack alone. */
  waiting: number;
  maxSeconds: number;
  expect: number;
}

const backlogCases: BacklogCase[] = [
  {
    name: "within the age target: only what the count does not forgive",
    lagSeconds: 20,
    backlog: 0,
    waiting: 150,
    maxSeconds: 30,
    expect: 0,
  },
  {
    name: "at the age target exactly: still within it",
    lagSeconds: 30,
    backlog: 5,
    waiting: 150,
    maxSeconds: 30,
    expect: 5,
  },
  {
    name: "older than the age target: every record beyond the commit slack",
    lagSeconds: 31,
    backlog: 0,
    waiting: 150,
    maxSeconds: 30,
    expect: 150,
  },
  {
    name: "no timeline yet: the count alone decides",
    lagSeconds: undefined,
    backlog: 40,
    waiting: 150,
    maxSeconds: 30,
    expect: 40,
  },
  {
    name: "over both targets: the larger, never less than the backlog",
    lagSeconds: 90,
    backlog: 1200,
    waiting: 1200,
    maxSeconds: 30,
    expect: 1200,
  },
];

describe("backlogToDrain", () => {
  for (const c of backlogCases) {
    it(c.name, () => {
      const p = { lagSeconds: c.lagSeconds, backlog: c.backlog, waiting: c.waiting } as PartitionLagSummary;
      assert.equal(backlogToDrain(p, c.maxSeconds), c.expect);
    });
  }
});

interface DecisionCase {
  name: string;
  current: number;
  members: number;
  /** Per partition, 3 partitions, no records arriving (a burst produced earlier). */
  lag: number;
  backlog: number;
  waiting: number;
  lagSeconds: number;
  /** False when the committed offsets stayed put while records waited (a hung handler). */
  progressing?: boolean;
  state: ScalingState;
  expect: { replicas: number; reason: ScalingReason; message?: RegExp };
}

/** Nothing measured flat out yet; replicas were seen consuming at least `perReplica`. */
const lowerBound = (perReplica: number): ScalingState => ({
  ...initialScalingState,
  throughput: { perReplica, observedAtMs: now - 1, measurements: 0 },
});

// maxReplicas 3, lagPerReplica 50, maxMessagesPerPartition left at its default (1000), maxSeconds 30.
const decisionCases: DecisionCase[] = [
  {
    name: "fallback: 465 records minutes old, each partition under maxMessagesPerPartition -> maxReplicas",
    current: 1,
    members: 2,
    lag: 158,
    backlog: 0,
    waiting: 155,
    lagSeconds: 116,
    state: initialScalingState,
    expect: { replicas: 3, reason: "Fallback", message: /lag 465 at 50 per replica -> 3 replicas/ },
  },
  {
    name: "fallback: a lower bound of 1 msg/s per replica does not block it",
    current: 1,
    members: 2,
    lag: 158,
    backlog: 0,
    waiting: 155,
    lagSeconds: 116,
    state: lowerBound(1),
    expect: { replicas: 3, reason: "Fallback", message: /at least 1 msg\/s per replica seen\): lag 465/ },
  },
  {
    name: "fallback: the same records within the age target are no reason to add replicas",
    current: 1,
    members: 1,
    lag: 158,
    backlog: 0,
    waiting: 155,
    lagSeconds: 20,
    state: lowerBound(1),
    expect: { replicas: 1, reason: "Steady", message: /lag 0 at 50 per replica/ },
  },
  {
    name: "fallback: records older than the target on partitions whose offsets stayed put add no replicas",
    current: 1,
    members: 1,
    lag: 370,
    backlog: 0,
    waiting: 370,
    lagSeconds: 18,
    progressing: false,
    state: initialScalingState,
    expect: { replicas: 1, reason: "Steady", message: /lag 0 at 50 per replica/ },
  },
  {
    name: "measured 10 msg/s per replica: records older than the target are drained within it",
    current: 1,
    members: 1,
    lag: 158,
    backlog: 0,
    waiting: 150,
    lagSeconds: 116,
    // 150 records / 30 s = 5 msg/s per partition; one replica plans 9: one partition each.
    state: knownThroughput(10),
    expect: { replicas: 3, reason: "LagTarget", message: /lag 116s > 30s target .*backlog drains in 37s with 3/ },
  },
  {
    name: "measured 10 msg/s per replica: within the age target, nothing to drain",
    current: 1,
    members: 1,
    lag: 158,
    backlog: 0,
    waiting: 150,
    lagSeconds: 20,
    state: knownThroughput(10),
    expect: { replicas: 1, reason: "Steady" },
  },
];

describe("decideScaling on both lag targets", () => {
  for (const c of decisionCases) {
    it(c.name, () => {
      const partition: Partial<PartitionLagSummary> = {
        lag: c.lag,
        backlog: c.backlog,
        waiting: c.waiting,
        progressing: c.progressing ?? true,
      };
      const decision = decideScaling({
        nowMs: now,
        settings: settings({ maxReplicas: 3, lagPerReplica: 50 }),
        observation: summary({
          partitions: 3,
          members: c.members,
          lagSeconds: c.lagSeconds,
          consume: 2,
          overrides: { 0: partition, 1: partition, 2: partition },
        }),
        currentReplicas: c.current,
        state: c.state,
      });
      assert.equal(decision.replicas, c.expect.replicas, decision.message);
      assert.equal(decision.reason, c.expect.reason, decision.message);
      if (c.expect.message) assert.match(decision.message, c.expect.message);
    });
  }
});
