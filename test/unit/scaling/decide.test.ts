import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { GroupLagSummary } from "../../../operator/src/lag/types.ts";
import { decideScaling } from "../../../operator/src/scaling/decide.ts";
import { initialScalingState, type ScalingReason, type ScalingState } from "../../../operator/src/scaling/types.ts";
import { knownThroughput, now, type SummarySpec, seconds, settings, summary } from "./fixtures.ts";

interface Case {
  name: string;
  current: number;
  /** Undefined means no observation at all. */
  observation: SummarySpec | undefined;
  settings?: Parameters<typeof settings>[0];
  state?: ScalingState;
  nowMs?: number;
  pollError?: string;
  expect: {
    replicas: number;
    reason: ScalingReason;
    direction?: "up" | "down" | "none";
    message?: string | RegExp;
    recommendation?: number;
    limited?: string;
    throughputPerReplica?: number;
  };
}

// 12 partitions, 1k msg/s per replica measured, planned at 90%: 900 msg/s per replica.
const warm = knownThroughput(1000);

/** Nothing measured flat out yet; replicas were seen consuming at least `perReplica`. */
function lowerBound(perReplica: number): ScalingState {
  return { ...initialScalingState, throughput: { perReplica, observedAtMs: now - 1, measurements: 0 } };
}

/** Warm, 15 s after a change of replicas from `from` to `to` (recorded in the history). */
function afterScale(from: number, to: number, extra: Partial<ScalingState> = {}): ScalingState {
  const atMs = seconds(-15);
  return knownThroughput(1000, {
    lastScaleTimeMs: atMs,
    decisions: [
      {
        timeMs: atMs,
        from,
        to,
        kind: to > from ? "ScaledUp" : "ScaledDown",
        reason: "Throughput",
        message: "",
        figures: { lag: 0, lagSeconds: 0, arrivalRate: 2500, targetLagSeconds: 30, partitions: 12 },
      },
    ],
    ...extra,
  });
}

const holds: Case[] = [
  {
    name: "no observation yet: hold",
    current: 3,
    observation: undefined,
    state: warm,
    expect: { replicas: 3, reason: "NoObservations" },
  },
  {
    name: "the last poll failed: hold, whatever the old observation says",
    current: 3,
    observation: { produce: 50_000, backlog: 1e6, members: 3 },
    pollError: "broker 1 timed out",
    state: warm,
    expect: { replicas: 3, reason: "PollFailed", message: /broker 1 timed out/ },
  },
  {
    name: "an observation older than staleAfterSeconds: hold",
    current: 3,
    observation: { produce: 50_000, members: 3, timeMs: seconds(-46) },
    state: warm,
    expect: { replicas: 3, reason: "StaleObservations", message: /46s old \(limit 45s\)/ },
  },
  {
    name: "an observation exactly at the stale limit is still used",
    current: 3,
    observation: { produce: 2500, members: 3, timeMs: seconds(-45) },
    state: warm,
    expect: { replicas: 3, reason: "Steady" },
  },
  {
    name: "clock going nowhere: now equals the observation time",
    current: 3,
    observation: { produce: 2500, members: 3, timeMs: now },
    state: warm,
    expect: { replicas: 3, reason: "Steady" },
  },
  {
    name: "a clock behind the observation (negative age) is not stale",
    current: 3,
    observation: { produce: 2500, members: 3, timeMs: seconds(10) },
    state: warm,
    expect: { replicas: 3, reason: "Steady" },
  },
  {
    name: "rebalancing: hold",
    current: 3,
    observation: { produce: 50_000, members: 3, groupState: "PreparingRebalance" },
    state: warm,
    expect: { replicas: 3, reason: "Rebalancing" },
  },
  {
    name: "completing a rebalance: hold",
    current: 3,
    observation: { produce: 50_000, members: 3, groupState: "CompletingRebalance" },
    state: warm,
    expect: { replicas: 3, reason: "Rebalancing" },
  },
  {
    name: "the last scale has not settled (members short of replicas): hold",
    current: 3,
    observation: { produce: 50_000, members: 2 },
    state: { ...warm, lastScaleTimeMs: seconds(-20) },
    expect: { replicas: 3, reason: "Settling", message: /2\/3 members/ },
  },
  {
    name: "a scale-up cut short by maxStep climbs on before the new members join",
    current: 6,
    observation: { produce: 9000, members: 2 },
    state: afterScale(2, 6, { recommendations: [{ timeMs: seconds(-15), replicas: 12 }] }),
    expect: { replicas: 12, reason: "Throughput", direction: "up" },
  },
  {
    name: "a scale-up that reached what was recommended waits for its members",
    current: 6,
    observation: { produce: 9000, members: 2 },
    state: afterScale(2, 6, { recommendations: [{ timeMs: seconds(-15), replicas: 6 }] }),
    expect: { replicas: 6, reason: "Settling" },
  },
  {
    name: "after a scale-down, members short of replicas is settling, not a climb",
    current: 6,
    observation: { produce: 9000, members: 8 },
    state: afterScale(8, 6, { recommendations: [{ timeMs: seconds(-15), replicas: 12 }] }),
    expect: { replicas: 6, reason: "Settling" },
  },
  {
    name: "after settleTimeoutSeconds the decision goes ahead",
    current: 3,
    observation: { produce: 2500, members: 2 },
    state: { ...warm, lastScaleTimeMs: seconds(-200) },
    expect: { replicas: 3, reason: "Steady" },
  },
  {
    name: "no member at all although replicas are set: hold, this is not a capacity problem",
    current: 3,
    observation: { produce: 50_000, backlog: 1e6, members: 0, groupState: "Empty" },
    state: warm,
    expect: { replicas: 3, reason: "NoMembers" },
  },
  {
    name: "a single poll has no rates: hold",
    current: 3,
    observation: { produce: 0, backlog: 50_000, members: 3, rateSpanSeconds: 0 },
    state: warm,
    expect: { replicas: 3, reason: "WarmingUp" },
  },
  {
    name: "every partition stuck: hold, replicas cannot help",
    current: 3,
    observation: {
      partitions: 2,
      produce: 2000,
      backlog: 1e6,
      members: 3,
      overrides: { 0: { health: "STALL" }, 1: { health: "STOP" } },
    },
    state: warm,
    expect: { replicas: 3, reason: "PartitionsStuck", message: /all 2 partitions are stuck/ },
  },
];

const zero: Case[] = [
  {
    name: "at zero, lag over activationLag activates to one replica",
    current: 0,
    observation: { backlog: 500, members: 0, groupState: "Empty" },
    settings: { minReplicas: 0, activationLag: 100 },
    expect: {
      replicas: 1,
      reason: "Activation",
      direction: "up",
      message: "lag 500 > activation threshold 100 -> 1 replica",
    },
  },
  {
    name: "at zero, lag within activationLag stays at zero",
    current: 0,
    observation: { backlog: 96, members: 0, groupState: "Empty" },
    settings: { minReplicas: 0, activationLag: 100 },
    expect: { replicas: 0, reason: "Idle", direction: "none" },
  },
  {
    name: "at zero, records arriving on never-committed partitions (start from latest) activate",
    current: 0,
    observation: { members: 0, groupState: "Dead", uncommittedArrivals: true },
    settings: { minReplicas: 0 },
    expect: { replicas: 1, reason: "Activation" },
  },
  {
    name: "activation does not wait for rates",
    current: 0,
    observation: { backlog: 5000, members: 0, groupState: "Empty", rateSpanSeconds: 0 },
    settings: { minReplicas: 0 },
    expect: { replicas: 1, reason: "Activation" },
  },
  {
    name: "at zero with minReplicas 2: back to the minimum",
    current: 0,
    observation: { members: 0, groupState: "Empty" },
    settings: { minReplicas: 2 },
    expect: { replicas: 2, reason: "MinReplicas" },
  },
  {
    name: "idle for idleSeconds with minReplicas 0: scale to zero",
    current: 3,
    observation: { produce: 0, members: 3 },
    settings: { minReplicas: 0, cooldownSeconds: 300 },
    state: { ...warm, idleSinceMs: seconds(-300) },
    expect: { replicas: 0, reason: "ScaleToZero", direction: "down", message: /idle for 300s/ },
  },
  {
    name: "idle, but not for long enough: not zero yet (one replica at least)",
    current: 3,
    observation: { produce: 0, members: 3 },
    settings: { minReplicas: 0, cooldownSeconds: 300 },
    state: { ...warm, idleSinceMs: seconds(-100) },
    expect: { replicas: 1, reason: "Throughput", direction: "down" },
  },
  {
    name: "idle with minReplicas 1 never goes to zero",
    current: 1,
    observation: { produce: 0, members: 1 },
    settings: { minReplicas: 1 },
    state: { ...warm, idleSinceMs: seconds(-3600) },
    expect: { replicas: 1, reason: "Steady" },
  },
  {
    name: "lag within activationLag but records still arriving is not idle",
    current: 2,
    observation: { produce: 600, members: 2 },
    settings: { minReplicas: 0 },
    state: { ...warm, idleSinceMs: seconds(-3600) },
    expect: { replicas: 1, reason: "Throughput" },
  },
];

const sizing: Case[] = [
  {
    name: "the issue's example: lag over target, measured throughput, partition-aware count",
    current: 3,
    // 816.7 msg/s per partition plus 100 msg/s to drain the backlog beyond half the target.
    observation: { produce: 9800, backlog: 12 * 15_250, lagSeconds: 48, members: 3 },
    state: knownThroughput(2100),
    // The drain note counts the backlog growing during the default 30 s lead time: 6 need 134s.
    expect: {
      replicas: 6,
      reason: "LagTarget",
      direction: "up",
      message:
        "lag 48s > 30s target at 9.8k msg/s in, 2.1k msg/s per replica; backlog needs 134s even with 6 -> 6 replicas",
    },
  },
  {
    name: "fast scale-up: as far as the default scaleUp.maxStep (8) allows, on a partition-aware count",
    current: 2,
    observation: { produce: 9000, members: 2 },
    state: warm,
    expect: { replicas: 6, reason: "Throughput", direction: "up" },
  },
  {
    name: "fast scale-up: with a step that reaches it, one decision goes all the way",
    current: 2,
    observation: { produce: 9000, members: 2 },
    settings: { scaleUp: { maxStep: 10 } },
    state: warm,
    expect: { replicas: 12, reason: "Throughput", direction: "up" },
  },
  {
    name: "partition-aware: 4.4 replicas of load on 12 partitions means 6, not 5",
    current: 3,
    observation: { produce: 4000, members: 3 },
    state: warm,
    expect: { replicas: 6, reason: "Throughput" },
  },
  {
    name: "a backlog younger than half the target needs no extra capacity",
    current: 3,
    observation: { produce: 2500, backlog: 2500 * 14, lagSeconds: 14, members: 3 },
    state: warm,
    expect: { replicas: 3, reason: "Steady" },
  },
  {
    name: "never more consumers than partitions; the limit is reported",
    current: 3,
    observation: { partitions: 6, produce: 20_000, members: 3 },
    settings: { maxReplicas: 20 },
    state: warm,
    expect: {
      replicas: 6,
      reason: "Throughput",
      limited: "PartitionsDisabled",
      message: /capped at 6 \(partition count\)/,
    },
  },
  {
    name: "maxReplicas caps and ScalingLimited says so",
    current: 3,
    observation: { partitions: 24, produce: 9000, members: 3 },
    settings: { maxReplicas: 6 },
    state: warm,
    expect: { replicas: 6, reason: "Throughput", limited: "MaxReplicas", message: /capped at 6 \(maxReplicas\)/ },
  },
  {
    name: "a maxReplicas between partition-aware counts uses the lower count (5 -> 4 for 12 partitions)",
    current: 3,
    observation: { produce: 9000, members: 3 },
    settings: { maxReplicas: 5 },
    state: warm,
    expect: { replicas: 4, reason: "Throughput", limited: "MaxReplicas" },
  },
  {
    name: "minReplicas is a floor",
    current: 4,
    observation: { produce: 100, members: 4 },
    settings: { minReplicas: 4 },
    state: warm,
    expect: { replicas: 4, reason: "Steady" },
  },
  {
    name: "tolerance: the busiest consumer at 105% of plan keeps the count",
    current: 3,
    observation: { produce: 2835, members: 3 },
    state: warm,
    expect: { replicas: 3, reason: "Steady", recommendation: 3 },
  },
  {
    name: "beyond tolerance (111% of plan): scale up",
    current: 3,
    observation: { produce: 3000, members: 3 },
    state: warm,
    expect: { replicas: 4, reason: "Throughput", direction: "up" },
  },
  {
    name: "the busiest consumer decides: a warm partition plus two others overloads a replica",
    current: 4,
    observation: {
      // 218 msg/s on each of the 11 others: the consumer holding partition 0 and two of them gets 1,036.
      produce: (2400 * 12) / 11,
      members: 4,
      overrides: { 0: { produceRate: 600, recentProduceRate: 600 } },
    },
    state: warm,
    expect: { replicas: 6, reason: "Throughput", direction: "up" },
  },
  {
    name: "a hot partition needing more than a replica: one partition per replica, reported",
    current: 3,
    observation: {
      produce: 1800,
      members: 3,
      overrides: { 0: { produceRate: 1200, recentProduceRate: 1200 } },
    },
    state: warm,
    settings: { scaleUp: { maxStep: 9 } },
    expect: {
      replicas: 12,
      reason: "HotPartition",
      limited: "HotPartition",
      message: /partition orders-0 needs 1\.2k msg\/s/,
    },
  },
  {
    name: "the newest interval's rate scales up before the window average catches up",
    current: 3,
    observation: {
      produce: 2500,
      members: 3,
      overrides: Object.fromEntries(Array.from({ length: 12 }, (_, i) => [i, { recentProduceRate: 700 }])),
    },
    state: warm,
    expect: { replicas: 6, reason: "Throughput", message: /at 8\.4k msg\/s in/ },
  },
  {
    name: "a STALL partition's lag does not drive scale-up, and the reason names it",
    current: 3,
    observation: {
      produce: 2500,
      members: 3,
      overrides: { 3: { health: "STALL", lag: 1e6, backlog: 1e6, lagSeconds: 900 } },
    },
    state: warm,
    expect: { replicas: 3, reason: "Steady", message: /not scaling for 1 stuck partition: orders-3 STALL/ },
  },
  {
    name: "a partition seen stuck stays out of sizing after it moves to another member, until its offset moves",
    current: 3,
    observation: {
      produce: 2500,
      members: 3,
      // Handed to another member: its health window restarted (OK), its offset is where it stuck.
      overrides: { 0: { committedOffset: 500, lag: 1e6, backlog: 1e6, lagSeconds: 900, owner: "m-1" } },
    },
    state: knownThroughput(1000, { stuckPartitions: { "orders/0": 500 } }),
    expect: { replicas: 3, reason: "Steady", message: /not scaling for 1 stuck partition: orders-0 stuck/ },
  },
  {
    name: "a remembered stuck partition whose committed offset moved drives sizing again",
    current: 3,
    observation: {
      produce: 2500,
      members: 3,
      overrides: { 0: { committedOffset: 900, lag: 1e6, backlog: 1e6, lagSeconds: 900 } },
    },
    state: knownThroughput(1000, { stuckPartitions: { "orders/0": 500 } }),
    expect: { replicas: 6, reason: "LagTarget", message: /lag 15m > 30s target/ },
  },
  {
    name: "every partition remembered stuck: hold, replicas cannot help",
    current: 2,
    observation: {
      partitions: 2,
      produce: 200,
      members: 2,
      overrides: { 0: { committedOffset: 7, lag: 5000 }, 1: { health: "STALL", lag: 5000 } },
    },
    state: knownThroughput(1000, { stuckPartitions: { "orders/0": 7 } }),
    expect: { replicas: 2, reason: "PartitionsStuck", message: /all 2 partitions are stuck/ },
  },
  {
    name: "a STOP partition's lag does not drive scale-up either",
    current: 3,
    observation: {
      produce: 2500,
      members: 3,
      overrides: { 5: { health: "STOP", lag: 1e6, backlog: 1e6 } },
    },
    state: warm,
    expect: { replicas: 3, reason: "Steady" },
  },
  {
    name: "a WARN partition (lag never falling) does drive scaling",
    current: 3,
    observation: {
      produce: 2500,
      members: 3,
      overrides: { 5: { health: "WARN", lag: 1e6, backlog: 1e6, lagSeconds: 400 } },
    },
    state: warm,
    expect: { replicas: 6, reason: "LagTarget" },
  },
  {
    name: "a partition that did not move since the last poll gets no drain term",
    current: 3,
    observation: { produce: 2500, members: 3, overrides: { 0: { progressing: false, lag: 5e5, backlog: 5e5 } } },
    state: warm,
    expect: { replicas: 3, reason: "Steady" },
  },
  {
    name: "fallback before any throughput is measured: lag per replica, partition-aware",
    current: 2,
    observation: { backlog: 4500, produce: 1000, members: 2 },
    state: initialScalingState,
    expect: {
      replicas: 6,
      reason: "Fallback",
      message: /no per-replica throughput measured yet: lag 4\.5k at 1k per replica/,
    },
  },
  {
    name: "fallback: a backlog that did not move since the last poll adds no replicas",
    current: 1,
    observation: {
      partitions: 2,
      members: 1,
      overrides: {
        0: { progressing: false, lag: 3000, backlog: 2000 },
        1: { progressing: false, lag: 3000, backlog: 2000 },
      },
    },
    state: initialScalingState,
    expect: { replicas: 1, reason: "Steady", message: /lag 0 at 1k per replica/ },
  },
  {
    name: "fallback never scales down on a guess",
    current: 4,
    observation: { backlog: 100, produce: 1000, members: 4 },
    state: { ...initialScalingState, recommendingSinceMs: seconds(-3600) },
    expect: { replicas: 4, reason: "Steady" },
  },
  {
    name: "fallback with a lower bound: down towards the count the bound covers, within maxStep",
    current: 12,
    observation: { produce: 2000, consume: 2000, members: 12 },
    state: { ...lowerBound(700), recommendingSinceMs: seconds(-3600) },
    expect: {
      replicas: 10,
      reason: "Fallback",
      // 167 msg/s per partition: 3 replicas of 4 partitions need 667, within the 700 seen (a bound needs no headroom).
      recommendation: 3,
      message: /no per-replica throughput measured yet \(at least 700 msg\/s per replica seen\)/,
    },
  },
  {
    name: "fallback with a lower bound and a step that reaches it: down to the covered count",
    current: 12,
    observation: { produce: 2000, consume: 2000, members: 12 },
    settings: { scaleDown: { maxStep: 9 } },
    state: { ...lowerBound(700), recommendingSinceMs: seconds(-3600) },
    expect: { replicas: 3, reason: "Fallback" },
  },
  {
    name: "fallback with a lower bound just under the busiest replica's load: no further down",
    current: 12,
    observation: { produce: 2000, consume: 2000, members: 12 },
    settings: { scaleDown: { maxStep: 9 } },
    state: { ...lowerBound(660), recommendingSinceMs: seconds(-3600) },
    expect: { replicas: 4, reason: "Fallback" },
  },
  {
    name: "a lower bound never drives a scale-up (a trickle read as 5 msg/s per replica)",
    current: 1,
    observation: { partitions: 6, produce: 50, consume: 45, backlog: 30, lagSeconds: 12, members: 1 },
    state: lowerBound(4.8),
    expect: { replicas: 1, reason: "Steady" },
  },
];

const windows: Case[] = [
  {
    name: "scale-down waits for the highest recommendation in the window",
    current: 6,
    observation: { produce: 2500, members: 6 },
    state: { ...warm, recommendations: [{ timeMs: seconds(-60), replicas: 6 }] },
    expect: {
      replicas: 6,
      reason: "Stabilized",
      recommendation: 3,
      message: /3 recommended; keeping 6, the highest in the last 300s/,
    },
  },
  {
    name: "scale down to the highest recommendation still in the window",
    current: 6,
    observation: { produce: 2500, members: 6 },
    state: {
      ...warm,
      recommendations: [
        { timeMs: seconds(-400), replicas: 6 },
        { timeMs: seconds(-200), replicas: 4 },
      ],
    },
    expect: { replicas: 4, reason: "Throughput", direction: "down" },
  },
  {
    name: "no scale-down before recommendations cover the window (after a restart)",
    current: 6,
    observation: { produce: 2500, members: 6 },
    state: { ...initialScalingState, throughput: { perReplica: 1000, observedAtMs: now - 1, measurements: 3 } },
    expect: { replicas: 6, reason: "Stabilized" },
  },
  {
    name: "a scale-down held to maxStep goes on at the next poll: removing replicas restarts no window",
    current: 10,
    observation: { produce: 2500, members: 10 },
    state: afterScale(12, 10, { recommendations: [{ timeMs: seconds(-200), replicas: 4 }] }),
    expect: { replicas: 8, reason: "Throughput", direction: "down" },
  },
  {
    name: "after a scale-up the window restarts: no scale-down until it is covered again",
    current: 10,
    observation: { produce: 2500, members: 10 },
    state: afterScale(8, 10, { recommendations: [{ timeMs: seconds(-200), replicas: 4 }] }),
    expect: { replicas: 10, reason: "Stabilized" },
  },
  {
    name: "no scale-down while records older than half the target are draining",
    current: 12,
    observation: { produce: 2500, lagSeconds: 20, members: 12 },
    state: warm,
    expect: { replicas: 12, reason: "Stabilized", message: /keeping 12 until the backlog is within half the target/ },
  },
  {
    name: "records within half the target do not stop a scale-down",
    current: 12,
    observation: { produce: 2500, lagSeconds: 14, members: 12 },
    state: warm,
    expect: { replicas: 10, reason: "Throughput", direction: "down" },
  },
  {
    name: "no scale-down within a window of the last scale",
    current: 6,
    observation: { produce: 2500, members: 6 },
    state: { ...warm, lastScaleTimeMs: seconds(-60) },
    expect: { replicas: 6, reason: "Stabilized" },
  },
  {
    name: "scale-up has no window by default",
    current: 3,
    observation: { produce: 9000, members: 3 },
    state: { ...warm, lastScaleTimeMs: seconds(-200), recommendations: [{ timeMs: seconds(-15), replicas: 3 }] },
    expect: { replicas: 6, reason: "Throughput" },
  },
  {
    name: "a scale-up window takes the lowest recommendation in it",
    current: 3,
    observation: { produce: 9000, members: 3 },
    settings: { scaleUp: { stabilizationSeconds: 60 } },
    state: { ...warm, recommendations: [{ timeMs: seconds(-30), replicas: 4 }] },
    expect: { replicas: 4, reason: "Throughput" },
  },
  {
    name: "scale-up maxStep lands on a partition-aware count",
    current: 2,
    observation: { produce: 9000, members: 2 },
    settings: { scaleUp: { maxStep: 2 } },
    state: warm,
    expect: { replicas: 4, reason: "Throughput" },
  },
  {
    name: "a maxStep too small to reach the next useful count is still never exceeded",
    current: 6,
    observation: { produce: 9000, members: 6 },
    settings: { scaleUp: { maxStep: 1 } },
    state: warm,
    expect: { replicas: 7, reason: "Throughput" },
  },
  {
    name: "scale-down maxStep is never exceeded either",
    current: 12,
    observation: { produce: 2500, members: 12 },
    settings: { scaleDown: { maxStep: 1 } },
    state: warm,
    expect: { replicas: 11, reason: "Throughput", direction: "down" },
  },
  {
    name: "scale-down maxStep: no partition-aware count within the step, so the full step and no more",
    current: 12,
    observation: { produce: 2500, members: 12 },
    settings: { scaleDown: { maxStep: 2 } },
    state: warm,
    expect: { replicas: 10, reason: "Throughput", direction: "down" },
  },
  {
    name: "scale-down maxStep lands on a partition-aware count when one is within the step",
    current: 12,
    observation: { produce: 2500, members: 12 },
    settings: { scaleDown: { maxStep: 6 } },
    state: warm,
    expect: { replicas: 6, reason: "Throughput", direction: "down" },
  },
];

describe("decideScaling", () => {
  for (const [group, cases] of Object.entries({ holds, zero, sizing, windows })) {
    describe(group, () => {
      for (const c of cases) {
        it(c.name, () => {
          const decision = decideScaling({
            nowMs: c.nowMs ?? now,
            settings: settings(c.settings),
            observation: c.observation === undefined ? undefined : summary(c.observation),
            currentReplicas: c.current,
            state: c.state ?? initialScalingState,
            ...(c.pollError === undefined ? {} : { pollError: c.pollError }),
          });
          const e = c.expect;
          assert.equal(decision.replicas, e.replicas, decision.message);
          assert.equal(decision.reason, e.reason, decision.message);
          const direction = e.direction ?? (e.replicas > c.current ? "up" : e.replicas < c.current ? "down" : "none");
          assert.equal(decision.direction, direction);
          if (typeof e.message === "string") assert.equal(decision.message, e.message);
          else if (e.message) assert.match(decision.message, e.message);
          if (e.recommendation !== undefined) assert.equal(decision.recommendation, e.recommendation);
          if (e.limited !== undefined) assert.equal(decision.limited?.reason, e.limited, decision.limited?.message);
          if (e.throughputPerReplica !== undefined) assert.equal(decision.throughputPerReplica, e.throughputPerReplica);
          if (decision.direction !== "none") assert.equal(decision.state.lastScaleTimeMs, c.nowMs ?? now);
        });
      }
    });
  }
});

describe("decideScaling state", () => {
  const observe = (spec: SummarySpec): GroupLagSummary => summary(spec);

  it("learns per-replica throughput from busy members and reports it", () => {
    const decision = decideScaling({
      nowMs: now,
      settings: settings(),
      observation: observe({
        produce: 2500,
        backlog: 1e5,
        members: 3,
        busyMembers: [
          { member: "m-0", throughput: 800, spanSeconds: 45, saturated: true },
          { member: "m-1", throughput: 1200, spanSeconds: 45, saturated: true },
        ],
      }),
      currentReplicas: 3,
      state: initialScalingState,
    });
    assert.equal(decision.throughputPerReplica, 1000);
    assert.equal(decision.state.throughput?.measurements, 1);
  });

  it("ignores busy spans under 6 s (two fast polls at least)", () => {
    const decision = decideScaling({
      nowMs: now,
      settings: settings(),
      observation: observe({
        produce: 2500,
        members: 3,
        busyMembers: [{ member: "m-0", throughput: 900, spanSeconds: 5, saturated: true }],
      }),
      currentReplicas: 3,
      state: initialScalingState,
    });
    assert.equal(decision.throughputPerReplica, undefined);
  });

  it("folds each observation in once, however often it is decided on", () => {
    const state = knownThroughput(1000, { throughput: { perReplica: 1000, observedAtMs: now, measurements: 4 } });
    const decision = decideScaling({
      nowMs: now + 5000,
      settings: settings(),
      observation: observe({
        produce: 2500,
        members: 3,
        busyMembers: [{ member: "m-0", throughput: 500, spanSeconds: 60, saturated: true }],
      }),
      currentReplicas: 3,
      state,
    });
    assert.equal(decision.throughputPerReplica, 1000);
  });

  it("pulls marks left in the future by a clock that went back to now", () => {
    const decision = decideScaling({
      nowMs: now,
      settings: settings(),
      observation: observe({ produce: 2500, members: 2 }),
      currentReplicas: 3,
      state: { ...warm, lastScaleTimeMs: seconds(3600), recommendations: [{ timeMs: seconds(600), replicas: 12 }] },
    });
    assert.equal(decision.reason, "Settling");
    assert.equal(decision.state.lastScaleTimeMs, now);
    assert.deepEqual(decision.state.recommendations, []);
  });

  it("records the idle start and forgets it when records arrive", () => {
    const idle = decideScaling({
      nowMs: now,
      settings: settings({ minReplicas: 0 }),
      observation: observe({ produce: 0, members: 1 }),
      currentReplicas: 1,
      state: warm,
    });
    assert.equal(idle.state.idleSinceMs, now);
    const busy = decideScaling({
      nowMs: now + 15_000,
      settings: settings({ minReplicas: 0 }),
      observation: observe({ produce: 100, members: 1, timeMs: now + 15_000 }),
      currentReplicas: 1,
      state: idle.state,
    });
    assert.equal(busy.state.idleSinceMs, undefined);
  });

  it("keeps only recommendations the longest window can see", () => {
    const decision = decideScaling({
      nowMs: now,
      settings: settings(),
      observation: observe({ produce: 2500, members: 3 }),
      currentReplicas: 3,
      state: {
        ...warm,
        recommendations: [
          { timeMs: seconds(-500), replicas: 9 },
          { timeMs: seconds(-30), replicas: 3 },
        ],
      },
    });
    assert.deepEqual(
      decision.state.recommendations.map((r) => r.timeMs),
      [seconds(-30), now],
    );
  });
});

describe("stuck partitions across decisions", () => {
  const stuckOnZero = (health: "STALL" | "OK", committedOffset: number, owner: string) =>
    summary({
      produce: 2500,
      members: 3,
      overrides: { 0: { health, committedOffset, lag: 1e6, backlog: 1e6, lagSeconds: 900, owner } },
    });

  it("a STALL partition is remembered at its offset, and stays remembered when handed to another member", () => {
    const first = decideScaling({
      nowMs: now,
      settings: settings(),
      observation: stuckOnZero("STALL", 500, "m-0"),
      currentReplicas: 3,
      state: warm,
    });
    assert.deepEqual(first.state.stuckPartitions, { "orders/0": 500 });
    const second = decideScaling({
      nowMs: seconds(15),
      settings: settings(),
      observation: { ...stuckOnZero("OK", 500, "m-1"), timeMs: seconds(15) },
      currentReplicas: 3,
      state: first.state,
    });
    assert.equal(second.replicas, 3, second.message);
    assert.deepEqual(second.state.stuckPartitions, { "orders/0": 500 });
    const moved = decideScaling({
      nowMs: seconds(30),
      settings: settings(),
      observation: { ...stuckOnZero("OK", 800, "m-1"), timeMs: seconds(30) },
      currentReplicas: 3,
      state: second.state,
    });
    assert.equal(moved.state.stuckPartitions, undefined);
  });
});
