import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { decideScaling } from "../../../operator/src/scaling/decide.ts";
import { decisionKind, recordDecision } from "../../../operator/src/scaling/decision-history.ts";
import {
  type DecisionKind,
  type DecisionRecord,
  initialScalingState,
  maxDecisionHistory,
  type ScalingDecision,
  type ScalingReason,
} from "../../../operator/src/scaling/types.ts";
import { knownThroughput, now, seconds, settings, summary } from "./fixtures.ts";

const decisionOf = (
  replicas: number,
  reason: ScalingReason,
  extra: Partial<ScalingDecision> = {},
): ScalingDecision => ({
  replicas,
  direction: "none",
  reason,
  message: `${reason} -> ${replicas}`,
  state: initialScalingState,
  ...extra,
});

const entry = (kind: DecisionKind, reason: ScalingReason, from: number, to: number): DecisionRecord => ({
  timeMs: now - 60_000,
  from,
  to,
  kind,
  reason,
  message: "earlier",
  figures: { lag: 0, lagSeconds: 0, arrivalRate: 0, targetLagSeconds: 30, partitions: 12 },
});

interface KindCase {
  name: string;
  current: number;
  decision: ScalingDecision;
  last?: DecisionRecord;
  /** Undefined: nothing is recorded. */
  expect: DecisionKind | undefined;
}

const kinds: KindCase[] = [
  { name: "more replicas: ScaledUp", current: 2, decision: decisionOf(4, "LagTarget"), expect: "ScaledUp" },
  { name: "from zero: Activated", current: 0, decision: decisionOf(1, "Activation"), expect: "Activated" },
  { name: "fewer replicas: ScaledDown", current: 4, decision: decisionOf(2, "Throughput"), expect: "ScaledDown" },
  { name: "to zero: ScaledToZero", current: 2, decision: decisionOf(0, "ScaleToZero"), expect: "ScaledToZero" },
  { name: "a steady hold: nothing", current: 3, decision: decisionOf(3, "Steady"), expect: undefined },
  { name: "a settling hold: nothing", current: 3, decision: decisionOf(3, "Settling"), expect: undefined },
  { name: "a stabilized hold: nothing", current: 3, decision: decisionOf(3, "Stabilized"), expect: undefined },
  {
    name: "partitions grow, replicas stay: PartitionsGrown",
    current: 3,
    decision: decisionOf(3, "LagTarget", { partitions: [{ topic: "orders", from: 3, to: 6 }] }),
    expect: "PartitionsGrown",
  },
  {
    name: "a saturation hold starts: DownstreamSaturated",
    current: 3,
    decision: decisionOf(3, "DownstreamSaturated"),
    last: entry("ScaledUp", "LagTarget", 2, 3),
    expect: "DownstreamSaturated",
  },
  {
    name: "the same saturation hold goes on: nothing",
    current: 3,
    decision: decisionOf(3, "DownstreamSaturated"),
    last: entry("DownstreamSaturated", "DownstreamSaturated", 3, 3),
    expect: undefined,
  },
  {
    name: "every partition stuck: Held",
    current: 3,
    decision: decisionOf(3, "PartitionsStuck"),
    expect: "Held",
  },
  {
    name: "stuck again after a scale in between: Held again",
    current: 2,
    decision: decisionOf(2, "PartitionsStuck"),
    last: entry("Held", "PartitionsStuck", 3, 3),
    expect: "Held",
  },
];

describe("decisionKind", () => {
  for (const c of kinds) {
    it(c.name, () => assert.equal(decisionKind(c.current, c.decision, c.last), c.expect));
  }
});

describe("recordDecision", () => {
  const observation = summary({
    partitions: 4,
    produce: 400,
    backlog: 2000,
    lagSeconds: 42,
    overrides: { 3: { produceRate: 900, recentProduceRate: 1000 } },
  });

  it("records the figures read: lag, lag seconds, arrivals on the driving partitions, throughput, target", () => {
    const decision = decisionOf(4, "LagTarget", { state: knownThroughput(123.456) });
    const history = recordDecision({
      nowMs: now,
      current: 2,
      decision,
      observation,
      included: observation.partitions.slice(0, 3),
      targetLagSeconds: 30,
      history: undefined,
    });
    assert.deepEqual(history, [
      {
        timeMs: now,
        from: 2,
        to: 4,
        kind: "ScaledUp",
        reason: "LagTarget",
        message: "LagTarget -> 4",
        figures: {
          lag: 2000,
          lagSeconds: 42,
          arrivalRate: 300,
          throughputPerReplica: 123.5,
          targetLagSeconds: 30,
          partitions: 4,
        },
      },
    ]);
  });

  it("leaves throughput out while none is learned", () => {
    const history = recordDecision({
      nowMs: now,
      current: 1,
      decision: decisionOf(2, "Fallback"),
      observation,
      included: observation.partitions,
      targetLagSeconds: 10,
      history: undefined,
    });
    assert.equal(history?.[0]?.figures.throughputPerReplica, undefined);
    assert.equal(history?.[0]?.figures.arrivalRate, 1300);
  });

  it("returns the same history when there is nothing to record", () => {
    const before = [entry("ScaledUp", "LagTarget", 1, 2)];
    const history = recordDecision({
      nowMs: now,
      current: 2,
      decision: decisionOf(2, "Steady"),
      observation,
      included: observation.partitions,
      targetLagSeconds: 30,
      history: before,
    });
    assert.equal(history, before);
  });

  it(`keeps the newest ${maxDecisionHistory}, oldest first`, () => {
    let history: readonly DecisionRecord[] | undefined;
    for (let i = 0; i < maxDecisionHistory + 3; i++) {
      history = recordDecision({
        nowMs: now + i,
        current: i + 1,
        decision: decisionOf(i + 2, "LagTarget"),
        observation,
        included: observation.partitions,
        targetLagSeconds: 30,
        history,
      });
    }
    assert.equal(history?.length, maxDecisionHistory);
    assert.equal(history?.[0]?.from, 4);
    assert.equal(history?.at(-1)?.from, maxDecisionHistory + 3);
  });
});

describe("the decision keeps its history", () => {
  it("a scale-up adds an entry with the learned throughput; a steady decision after it adds none", () => {
    const up = decideScaling({
      nowMs: now,
      settings: settings(),
      observation: summary({ produce: 5000, backlog: 100_000, lagSeconds: 60, members: 2, consume: 2000 }),
      currentReplicas: 2,
      state: knownThroughput(1000),
    });
    assert.equal(up.direction, "up", up.message);
    const recorded = up.state.decisions?.at(-1);
    assert.equal(recorded?.kind, "ScaledUp");
    assert.equal(recorded?.from, 2);
    assert.equal(recorded?.to, up.replicas);
    assert.equal(recorded?.message, up.message);
    assert.equal(recorded?.figures.throughputPerReplica, 1000);
    assert.equal(recorded?.figures.targetLagSeconds, 30);

    const steady = decideScaling({
      nowMs: seconds(60),
      settings: settings(),
      observation: summary({ produce: 100, members: up.replicas, timeMs: seconds(60) }),
      currentReplicas: up.replicas,
      state: up.state,
    });
    assert.equal(steady.direction, "none", steady.message);
    assert.deepEqual(steady.state.decisions, up.state.decisions);
  });

  it("every partition stuck: one Held entry, not one per poll", () => {
    const stuck = (t: number) =>
      summary({
        partitions: 2,
        produce: 100,
        members: 2,
        timeMs: seconds(t),
        overrides: {
          0: { health: "STALL", lag: 5000, backlog: 5000, lagSeconds: 300 },
          1: { health: "STOP", lag: 5000, backlog: 5000, lagSeconds: 300 },
        },
      });
    const first = decideScaling({
      nowMs: now,
      settings: settings(),
      observation: stuck(0),
      currentReplicas: 2,
      state: knownThroughput(1000),
    });
    const second = decideScaling({
      nowMs: seconds(10),
      settings: settings(),
      observation: stuck(10),
      currentReplicas: 2,
      state: first.state,
    });
    assert.equal(second.reason, "PartitionsStuck", second.message);
    assert.deepEqual(
      second.state.decisions?.map((d) => [d.kind, d.reason]),
      [["Held", "PartitionsStuck"]],
    );
  });
});
