import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { decideScaling } from "../../../operator/src/scaling/decide.ts";
import {
  decidePartitionGrowth,
  type PartitionPressure,
  type PartitionSettings,
} from "../../../operator/src/scaling/partitions.ts";
import { knownThroughput, now, seconds, settings, summary } from "./fixtures.ts";

const growth = (overrides: Partial<PartitionSettings> = {}): PartitionSettings =>
  settings({
    partitions: { enabled: true, max: 24, stabilizationSeconds: 300, minIntervalSeconds: 300, ...overrides },
  }).autoscaling.partitions;

const heldSince = (s: number, need = 10): PartitionPressure => ({
  sinceMs: seconds(s),
  needs: [{ timeMs: seconds(-60), replicas: need }],
});

describe("decidePartitionGrowth", () => {
  const cases: {
    name: string;
    partitions?: PartitionSettings;
    topics?: [string, number][];
    need: number | undefined;
    maxReplicas?: number;
    pressure?: PartitionPressure;
    lastGrowthMs?: number;
    grow?: { from: number; to: number };
    limited?: string;
    recommendedPartitions?: number;
    pressureKept: boolean;
  }[] = [
    {
      name: "no need beyond the partitions: nothing, pressure cleared",
      need: 6,
      pressure: heldSince(-400),
      pressureKept: false,
    },
    { name: "unknown throughput: nothing", need: undefined, pressureKept: false },
    { name: "a new need starts the confirmation window", need: 10, pressureKept: true },
    { name: "the need must hold for the whole window", need: 10, pressure: heldSince(-200), pressureKept: true },
    {
      name: "held for the window: grow to the smallest count serving the need evenly (one partition each)",
      need: 10,
      pressure: heldSince(-300),
      grow: { from: 6, to: 10 },
      pressureKept: false,
    },
    {
      name: "the lowest need in the window decides (a brief peak does not)",
      need: 16,
      pressure: { sinceMs: seconds(-400), needs: [{ timeMs: seconds(-100), replicas: 9 }] },
      grow: { from: 6, to: 9 },
      pressureKept: false,
    },
    {
      name: "needs older than the window are forgotten",
      need: 12,
      pressure: {
        sinceMs: seconds(-900),
        needs: [
          { timeMs: seconds(-600), replicas: 7 },
          { timeMs: seconds(-60), replicas: 11 },
        ],
      },
      grow: { from: 6, to: 11 },
      pressureKept: false,
    },
    {
      name: "no more partitions than maxReplicas can use",
      need: 20,
      maxReplicas: 8,
      pressure: heldSince(-300, 20),
      grow: { from: 6, to: 8 },
      pressureKept: false,
    },
    {
      name: "maxReplicas at or under the partition count: a recommendation, no growth",
      need: 20,
      maxReplicas: 6,
      pressure: heldSince(-300, 20),
      limited: "MaxReplicas",
      pressureKept: true,
    },
    {
      name: "growth capped at partitions.max, and said so",
      partitions: growth({ max: 8 }),
      need: 10,
      pressure: heldSince(-300),
      grow: { from: 6, to: 8 },
      limited: "PartitionsMax",
      pressureKept: false,
    },
    {
      name: "partitions.max already reached: recommendation only",
      partitions: growth({ max: 6 }),
      need: 10,
      pressure: heldSince(-300),
      limited: "PartitionsMax",
      recommendedPartitions: 10,
      pressureKept: true,
    },
    {
      name: "disabled: recommendation only",
      partitions: growth({ enabled: false }),
      need: 10,
      pressure: heldSince(-300),
      limited: "PartitionsDisabled",
      recommendedPartitions: 10,
      pressureKept: true,
    },
    {
      name: "keyed topic under the default Recommend policy: recommendation only",
      partitions: growth({ keyedTopics: ["orders"] }),
      need: 10,
      pressure: heldSince(-300),
      limited: "KeyedTopic",
      recommendedPartitions: 10,
      pressureKept: true,
    },
    {
      name: "keyed topic with AcceptKeyMovement grows",
      partitions: growth({ keyedTopics: ["orders"], keyedTopicPolicy: "AcceptKeyMovement" }),
      need: 10,
      pressure: heldSince(-300),
      grow: { from: 6, to: 10 },
      pressureKept: false,
    },

    {
      name: "rate-limited after a recent growth",
      need: 10,
      pressure: heldSince(-300),
      lastGrowthMs: seconds(-100),
      limited: "GrowthRateLimited",
      pressureKept: true,
    },
    {
      name: "a growth mark from the future (clock went back) does not block forever",
      need: 10,
      pressure: heldSince(-300),
      lastGrowthMs: seconds(3600),
      grow: { from: 6, to: 10 },
      pressureKept: false,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const outcome = decidePartitionGrowth({
        settings: c.partitions ?? growth(),
        maxReplicas: c.maxReplicas ?? 24,
        topics: new Map(c.topics ?? [["orders", 6]]),
        need: c.need,
        incomingRate: 9000,
        pressure: c.pressure,
        lastGrowthMs: c.lastGrowthMs,
        nowMs: now,
      });
      assert.deepEqual(
        outcome.grow,
        c.grow === undefined ? undefined : [{ topic: c.topics?.[0]?.[0] ?? "orders", ...c.grow }],
      );
      assert.equal(outcome.limited?.reason, c.limited, outcome.limited?.message);
      if (c.recommendedPartitions !== undefined) {
        assert.equal(outcome.limited?.recommendedPartitions, c.recommendedPartitions);
      }
      assert.equal(outcome.pressure !== undefined, c.pressureKept);
    });
  }
});

describe("decidePartitionGrowth: a group reading several topics grows each to its share of the arrivals", () => {
  const cases: {
    name: string;
    partitions?: PartitionSettings;
    topics: [string, number, number][];
    need: number;
    grow?: { topic: string; from: number; to: number }[];
    limited?: string;
    message?: RegExp;
  }[] = [
    {
      name: "two thirds of the arrivals on a: a gets two thirds of the needed partitions",
      topics: [
        ["a", 3, 600],
        ["b", 3, 300],
      ],
      need: 12,
      grow: [
        { topic: "a", from: 3, to: 8 },
        { topic: "b", from: 3, to: 4 },
      ],
    },
    {
      name: "a topic that already has its share stays",
      topics: [
        ["a", 2, 900],
        ["b", 6, 100],
      ],
      need: 10,
      grow: [{ topic: "a", from: 2, to: 9 }],
    },
    {
      name: "a keyed topic under Recommend stays and is named; the other grows",
      partitions: growth({ keyedTopics: ["a"] }),
      topics: [
        ["a", 3, 500],
        ["b", 3, 500],
      ],
      need: 10,
      grow: [{ topic: "b", from: 3, to: 5 }],
      limited: "KeyedTopic",
      message: /growing a to 5 moves keys/,
    },
    {
      name: "every topic keyed: a recommendation only",
      partitions: growth({ keyedTopics: ["a", "b"] }),
      topics: [
        ["a", 3, 500],
        ["b", 3, 500],
      ],
      need: 10,
      limited: "KeyedTopic",
    },
    {
      name: "partitions.max caps each topic, and is said",
      partitions: growth({ max: 6 }),
      topics: [
        ["a", 3, 900],
        ["b", 3, 100],
      ],
      need: 10,
      grow: [{ topic: "a", from: 3, to: 6 }],
      limited: "PartitionsMax",
      message: /a to 9 would need more/,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const outcome = decidePartitionGrowth({
        settings: c.partitions ?? growth(),
        maxReplicas: 24,
        topics: new Map(c.topics.map(([topic, count]) => [topic, count])),
        topicRates: new Map(c.topics.map(([topic, , rate]) => [topic, rate])),
        need: c.need,
        incomingRate: c.topics.reduce((sum, [, , rate]) => sum + rate, 0),
        pressure: heldSince(-300, c.need),
        lastGrowthMs: undefined,
        nowMs: now,
      });
      assert.deepEqual(outcome.grow, c.grow);
      assert.equal(outcome.limited?.reason, c.limited, outcome.limited?.message);
      if (c.message) assert.match(outcome.limited?.message ?? "", c.message);
    });
  }
});

describe("partition growth through the decision", () => {
  const capped = summary({ partitions: 6, produce: 9000, members: 6 });

  it("a group reading two topics grows both and lets replicas follow (no silent recommendation)", () => {
    const twoTopics = summary({
      partitions: 6,
      produce: 9000,
      members: 6,
      overrides: { 3: { topic: "payments" }, 4: { topic: "payments" }, 5: { topic: "payments" } },
    });
    const decision = decideScaling({
      nowMs: now,
      settings: settings({ maxReplicas: 24, partitions: { enabled: true, max: 24 } }),
      observation: twoTopics,
      currentReplicas: 6,
      state: knownThroughput(1000, { partitionPressure: heldSince(-300) }),
    });
    assert.deepEqual(decision.partitions, [
      { topic: "orders", from: 3, to: 5 },
      { topic: "payments", from: 3, to: 5 },
    ]);
    assert.equal(decision.replicas, 10);
    assert.equal(decision.limited, undefined);
  });

  it("grows the topic and lets replicas follow up to the new count", () => {
    const decision = decideScaling({
      nowMs: now,
      settings: settings({ maxReplicas: 24, partitions: { enabled: true, max: 24 } }),
      observation: capped,
      currentReplicas: 6,
      state: knownThroughput(1000, { partitionPressure: heldSince(-300) }),
    });
    assert.deepEqual(decision.partitions, [{ topic: "orders", from: 6, to: 10 }]);
    assert.equal(decision.replicas, 10);
    assert.match(decision.message, /growing orders from 6 to 10 partitions/);
    assert.equal(decision.state.lastPartitionGrowthMs, now);
    assert.equal(decision.state.partitionPressure, undefined);
  });

  it("while the need is being confirmed, replicas stay capped and the limit is reported", () => {
    const decision = decideScaling({
      nowMs: now,
      settings: settings({ maxReplicas: 24, partitions: { enabled: true, max: 24 } }),
      observation: capped,
      currentReplicas: 6,
      state: knownThroughput(1000),
    });
    assert.equal(decision.partitions, undefined);
    assert.equal(decision.replicas, 6);
    assert.equal(decision.limited?.reason, "PartitionCount");
    assert.equal(decision.state.partitionPressure?.sinceMs, now);
  });

  it("a keyed topic gets a recommendation and ScalingLimited instead of growth", () => {
    const decision = decideScaling({
      nowMs: now,
      settings: settings({ maxReplicas: 24, partitions: { enabled: true, max: 24, keyedTopics: ["orders"] } }),
      observation: capped,
      currentReplicas: 6,
      state: knownThroughput(1000, { partitionPressure: heldSince(-300) }),
    });
    assert.equal(decision.partitions, undefined);
    assert.equal(decision.limited?.reason, "KeyedTopic");
    assert.equal(decision.limited?.recommendedPartitions, 10);
    assert.match(decision.limited?.message ?? "", /9k msg\/s in needs 10 partitions \(has 6\)/);
  });

  it("never grows before any throughput is measured", () => {
    const decision = decideScaling({
      nowMs: now,
      settings: settings({ maxReplicas: 24, partitions: { enabled: true, max: 24 } }),
      observation: summary({ partitions: 6, produce: 9000, backlog: 1e6, members: 6 }),
      currentReplicas: 6,
      state: { recommendations: [], partitionPressure: heldSince(-3600) },
    });
    assert.equal(decision.partitions, undefined);
    assert.match(decision.message, /no per-replica throughput measured yet/);
  });
});
