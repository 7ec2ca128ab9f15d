import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { resolveSettings } from "../../../operator/src/api/resolve.ts";
import { specSchema } from "../../../operator/src/api/spec.ts";
import { computeStatus, type StatusInput } from "../../../operator/src/reconcile/status.ts";
import { summary } from "../scaling/fixtures.ts";

const spec = specSchema.parse({
  kafka: { bootstrapServers: ["kafka:9092"] },
  topics: ["orders"],
  processing: { handler: { builtin: { name: "noop" } } },
});

function input(overrides: Partial<StatusInput>): StatusInput {
  return {
    now: new Date("2026-01-01T00:00:00Z"),
    generation: 3,
    previous: undefined,
    paused: false,
    resolved: resolveSettings(spec, { namespace: "ns", name: "orders" }),
    desiredReplicas: 2,
    deployment: { replicas: 2, readyReplicas: 2, rolledOut: true },
    selector: "lagpilot.dev/consumer-group=orders",
    kafka: { reachable: true, message: "connected" },
    topics: new Map([["orders", 6]]),
    summary: undefined,
    lagTarget: { maxSeconds: 30, maxMessagesPerPartition: 1000, commitSlackSeconds: 2 },
    decision: undefined,
    ...overrides,
  };
}

describe("computeStatus: the Ready condition", () => {
  const cases: { name: string; overrides: Partial<StatusInput>; status: string; reason: string }[] = [
    { name: "all replicas ready", overrides: {}, status: "True", reason: "Consuming" },
    {
      name: "replicas not ready yet",
      overrides: { deployment: { replicas: 2, readyReplicas: 1, rolledOut: true } },
      status: "False",
      reason: "RollingOut",
    },
    { name: "scaled to zero", overrides: { desiredReplicas: 0 }, status: "True", reason: "ScaledToZero" },
    {
      name: "paused wins over everything",
      overrides: { paused: true, applyError: "boom" },
      status: "Unknown",
      reason: "Paused",
    },
    {
      name: "Kafka unreachable",
      overrides: { kafka: { reachable: false, reason: "KafkaUnreachable", message: "no route" } },
      status: "False",
      reason: "KafkaUnreachable",
    },
    {
      name: "a missing Secret",
      overrides: { kafka: { reachable: false, reason: "SecretMissing", message: "no Secret" } },
      status: "False",
      reason: "SecretMissing",
    },
    {
      name: "the apiserver refused an owned object",
      overrides: { applyError: "range is full" },
      status: "False",
      reason: "ApplyFailed",
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const ready = computeStatus(input(c.overrides)).conditions?.find((x) => x.type === "Ready");
      assert.equal(ready?.status, c.status);
      assert.equal(ready?.reason, c.reason);
      assert.equal(ready?.observedGeneration, 3);
    });
  }

  it("keeps lastTransitionTime when the status does not flip, so an unchanged world writes nothing", () => {
    const first = computeStatus(input({}));
    const later = computeStatus(input({ previous: first, now: new Date("2026-01-01T01:00:00Z") }));
    assert.deepEqual(later, first);
  });
});

const healthy = (overrides: Parameters<typeof summary>[0] = {}) =>
  summary({ partitions: 4, topic: "orders", lagSeconds: 2, backlog: 40, produce: 100, consume: 90, ...overrides });

function stuck(health: "STALL" | "STOP" | "REWIND" | "WARN", count = 1) {
  const overrides: Record<number, { health: "STALL" | "STOP" | "REWIND" | "WARN" }> = {};
  for (let i = 0; i < count; i++) overrides[i] = { health };
  return healthy({ overrides });
}

describe("computeStatus: the other conditions", () => {
  const cases: {
    name: string;
    overrides: Partial<StatusInput>;
    type: string;
    status: string;
    reason: string;
    message?: RegExp;
  }[] = [
    {
      name: "KafkaReachable=True when connected",
      overrides: {},
      type: "KafkaReachable",
      status: "True",
      reason: "Connected",
    },
    {
      name: "KafkaReachable=False with the outcome's reason",
      overrides: { kafka: { reachable: false, reason: "SecretMissing", message: "no Secret" } },
      type: "KafkaReachable",
      status: "False",
      reason: "SecretMissing",
      message: /no Secret/,
    },
    {
      name: "Progressing=True while the Deployment rolls out",
      overrides: { deployment: { replicas: 2, readyReplicas: 2, rolledOut: false } },
      type: "Progressing",
      status: "True",
      reason: "RollingOut",
    },
    {
      name: "Progressing=False when rolled out",
      overrides: {},
      type: "Progressing",
      status: "False",
      reason: "Stable",
    },
    {
      name: "LagWithinTarget=Unknown without observations",
      overrides: {},
      type: "LagWithinTarget",
      status: "Unknown",
      reason: "NoObservations",
    },
    {
      name: "LagWithinTarget=True within both targets",
      overrides: { summary: healthy() },
      type: "LagWithinTarget",
      status: "True",
      reason: "WithinTarget",
      message: /lag 2s, 40 messages/,
    },
    {
      name: "LagWithinTarget=False when seconds exceed spec.lag.maxSeconds",
      overrides: { summary: healthy({ lagSeconds: 31 }) },
      type: "LagWithinTarget",
      status: "False",
      reason: "LagAboveTarget",
      message: /lag 31s exceeds the 30s target \(spec\.lag\.maxSeconds\)/,
    },
    {
      name: "LagWithinTarget=True exactly at the seconds target",
      overrides: { summary: healthy({ lagSeconds: 30 }) },
      type: "LagWithinTarget",
      status: "True",
      reason: "WithinTarget",
    },
    {
      name: "LagWithinTarget=False when one partition has more messages waiting than allowed",
      overrides: { summary: healthy({ backlog: 4 * 1001, consume: 0 }) },
      type: "LagWithinTarget",
      status: "False",
      reason: "LagAboveTarget",
      message: /a partition has 1001 messages waiting .*, above 1000 \(spec\.lag\.maxMessagesPerPartition\)/,
    },
    {
      name: "LagWithinTarget=True exactly at the messages target",
      overrides: { summary: healthy({ backlog: 4 * 1000, consume: 0 }) },
      type: "LagWithinTarget",
      status: "True",
      reason: "WithinTarget",
    },
    {
      // 3000 records/s per partition and 2 s of commit slack: 6000 records in flight between commits.
      name: "LagWithinTarget=True for a busy, healthy group whose lag is only records in flight between commits",
      overrides: { summary: healthy({ backlog: 4 * 6000, produce: 4 * 3000, consume: 4 * 3000 }) },
      type: "LagWithinTarget",
      status: "True",
      reason: "WithinTarget",
    },
    {
      name: "LagWithinTarget=False when the lag beyond the records in flight exceeds the messages target",
      overrides: { summary: healthy({ backlog: 4 * 7001, produce: 4 * 3000, consume: 4 * 3000 }) },
      type: "LagWithinTarget",
      status: "False",
      reason: "LagAboveTarget",
      message: /a partition has 1001 messages waiting/,
    },
    {
      name: "ScalingLimited=True with the decision's limit",
      overrides: {
        decision: {
          replicas: 6,
          direction: "none",
          reason: "LagTarget",
          message: "",
          state: { recommendations: [] },
          limited: { reason: "PartitionCount", message: "needs 9 replicas, 6 partitions" },
        },
      },
      type: "ScalingLimited",
      status: "True",
      reason: "PartitionCount",
      message: /needs 9 replicas/,
    },
    {
      name: "ScalingLimited=False otherwise",
      overrides: {},
      type: "ScalingLimited",
      status: "False",
      reason: "WithinLimits",
    },
    {
      name: "Degraded=False when every partition progresses",
      overrides: { summary: stuck("WARN") },
      type: "Degraded",
      status: "False",
      reason: "Healthy",
    },
    {
      name: "Degraded=True/PartitionsStalled for a STALL partition",
      overrides: { summary: stuck("STALL") },
      type: "Degraded",
      status: "True",
      reason: "PartitionsStalled",
      message: /1 partition\(s\) not progressing: orders-0 STALL/,
    },
    {
      name: "Degraded=True/PartitionsStopped for a STOP partition",
      overrides: { summary: stuck("STOP", 2) },
      type: "Degraded",
      status: "True",
      reason: "PartitionsStopped",
      message: /2 partition\(s\) not progressing: orders-0 STOP, orders-1 STOP/,
    },
    {
      name: "Degraded=True/OffsetsRewound for a REWIND partition",
      overrides: { summary: stuck("REWIND") },
      type: "Degraded",
      status: "True",
      reason: "OffsetsRewound",
    },
    {
      name: "STOP outranks STALL",
      overrides: {
        summary: healthy({ overrides: { 0: { health: "STALL" }, 1: { health: "STOP" } } }),
      },
      type: "Degraded",
      status: "True",
      reason: "PartitionsStopped",
    },
    {
      name: "STALL outranks REWIND",
      overrides: {
        summary: healthy({ overrides: { 0: { health: "REWIND" }, 1: { health: "STALL" } } }),
      },
      type: "Degraded",
      status: "True",
      reason: "PartitionsStalled",
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const condition = computeStatus(input(c.overrides)).conditions?.find((x) => x.type === c.type);
      assert.deepEqual([condition?.status, condition?.reason], [c.status, c.reason]);
      assert.equal(condition?.observedGeneration, 3);
      if (c.message) assert.match(condition?.message ?? "", c.message);
    });
  }
});

describe("computeStatus: figures", () => {
  it("reports lag, rates and health per group and per topic", () => {
    const twoTopics = summary({
      partitions: 4,
      backlog: 400,
      lagSeconds: 2.26,
      produce: 100.123,
      consume: 90.456,
      overrides: { 2: { topic: "payments", lagSeconds: 7.04 }, 3: { topic: "payments", health: "WARN" } },
    });
    const status = computeStatus(
      input({
        summary: twoTopics,
        topics: new Map([
          ["orders", 2],
          ["payments", 2],
        ]),
      }),
    );
    assert.equal(status.totalLag, 400);
    assert.equal(status.lagSeconds, 7);
    assert.equal(status.produceRate, 100.12);
    assert.equal(status.consumeRate, 90.46);
    assert.equal(status.partitions, 4);
    assert.deepEqual(status.partitionHealth, { ok: 3, warn: 1, stall: 0, stop: 0, rewind: 0 });
    assert.deepEqual(status.topics, [
      { name: "orders", partitions: 2, lag: 200, lagSeconds: 2.3 },
      { name: "payments", partitions: 2, lag: 200, lagSeconds: 7 },
    ]);
  });

  it("keeps the last known partitions and topics while Kafka cannot be asked", () => {
    const first = computeStatus(input({ summary: healthy() }));
    const offline = computeStatus(
      input({
        previous: first,
        topics: undefined,
        summary: undefined,
        kafka: { reachable: false, reason: "KafkaUnreachable", message: "down" },
      }),
    );
    assert.equal(offline.partitions, 6);
    assert.deepEqual(offline.topics, first.topics);
    assert.equal(offline.totalLag, undefined);
  });

  it("records a scale with its time and reason, and keeps them until the next", () => {
    const scaled = computeStatus(input({ scaled: { message: "lag 48s -> 4 replicas" } }));
    assert.equal(scaled.lastScaleTime, "2026-01-01T00:00:00.000Z");
    assert.equal(scaled.lastScaleReason, "lag 48s -> 4 replicas");
    const later = computeStatus(input({ previous: scaled, now: new Date("2026-01-01T00:10:00Z") }));
    assert.equal(later.lastScaleTime, scaled.lastScaleTime);
    assert.equal(later.lastScaleReason, scaled.lastScaleReason);
  });

  it("recommends what the operator may not do itself, only while limited", () => {
    const limited = computeStatus(
      input({
        decision: {
          replicas: 6,
          direction: "none",
          reason: "LagTarget",
          message: "",
          state: { recommendations: [] },
          limited: { reason: "PartitionCount", message: "raise partitions of orders to 12" },
        },
      }),
    );
    assert.deepEqual(limited.recommendations, [
      { type: "PartitionCount", message: "raise partitions of orders to 12" },
    ]);
    assert.equal(computeStatus(input({ previous: limited })).recommendations, undefined);
  });

  it("reports replicas, desired replicas, selector and the resolved settings", () => {
    const status = computeStatus(
      input({ desiredReplicas: 3, deployment: { replicas: 4, readyReplicas: 1, rolledOut: false } }),
    );
    assert.equal(status.replicas, 4);
    assert.equal(status.readyReplicas, 1);
    assert.equal(status.desiredReplicas, 3);
    assert.equal(status.selector, "lagpilot.dev/consumer-group=orders");
    assert.equal(status.resolved?.groupId, "ns.orders");
    assert.equal(status.observedGeneration, 3);
  });

  it("without a Deployment: zero replicas", () => {
    const status = computeStatus(input({ deployment: undefined }));
    assert.equal(status.replicas, 0);
    assert.equal(status.readyReplicas, 0);
  });
});
