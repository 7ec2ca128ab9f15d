import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type AutoscalingStatus, statusSchema } from "../../../operator/src/api/status.ts";
import {
  autoscalingStatus,
  learnedMaxAgeSeconds,
  learnedStatus,
  observedAtGrainSeconds,
  restoreScalingState,
} from "../../../operator/src/reconcile/autoscaling-status.ts";
import { initialScalingState, type ScalingState } from "../../../operator/src/scaling/types.ts";

const at = Date.UTC(2026, 0, 2, 3, 4, 5);

describe("status.autoscaling", () => {
  it("says nothing before the first entry", () => {
    assert.equal(autoscalingStatus(initialScalingState), undefined);
  });

  it("shows each entry in status's words, and the schema accepts it", () => {
    const state: ScalingState = {
      ...initialScalingState,
      decisions: [
        {
          timeMs: at,
          from: 0,
          to: 1,
          kind: "Activated",
          reason: "Activation",
          message: "lag 20 > activation threshold 0 -> 1 replica",
          figures: { lag: 20, lagSeconds: 3.5, arrivalRate: 2, targetLagSeconds: 10, partitions: 4 },
        },
        {
          timeMs: at + 30_000,
          from: 1,
          to: 3,
          kind: "ScaledUp",
          reason: "LagTarget",
          message: "x".repeat(2000),
          figures: {
            lag: 9000,
            lagSeconds: 14.2,
            arrivalRate: 450.5,
            throughputPerReplica: 180.2,
            targetLagSeconds: 10,
            partitions: 4,
          },
        },
      ],
    };
    const status = autoscalingStatus(state);
    assert.deepEqual(status?.decisions?.[0], {
      time: "2026-01-02T03:04:05.000Z",
      fromReplicas: 0,
      toReplicas: 1,
      reason: "Activated",
      cause: "Activation",
      message: "lag 20 > activation threshold 0 -> 1 replica",
      figures: { lag: 20, lagSeconds: 3.5, arrivalRate: 2, targetLagSeconds: 10, partitions: 4 },
    });
    assert.equal(status?.decisions?.[1]?.message.length, 1024, "a long message is cut to the schema's bound");
    assert.equal(status?.decisions?.[1]?.figures.throughputPerReplica, 180.2);
    const parsed = statusSchema.safeParse({ autoscaling: status });
    assert.ok(parsed.success, parsed.error?.message);
  });
});

describe("learned state in status", () => {
  it("is left out until something is learned", () => {
    assert.equal(learnedStatus({ ...initialScalingState, throughput: undefined }), undefined);
  });

  it("says the throughput, lead time and stuck partitions, stamped with the latest reading", () => {
    const state: ScalingState = {
      ...initialScalingState,
      throughput: { perReplica: 251.26, observedAtMs: at, measurements: 3 },
      leadTime: { seconds: 18.04, measurements: 2 },
      stuckPartitions: { "orders.v2/0": 500, "orders.v2/11": -1 },
    };
    assert.deepEqual(learnedStatus(state), {
      throughputPerReplica: 251.3,
      throughputMeasurements: 3,
      leadSeconds: 18,
      leadMeasurements: 2,
      stuckPartitions: [
        { topic: "orders.v2", partition: 0, committedOffset: 500 },
        { topic: "orders.v2", partition: 11, committedOffset: -1 },
      ],
      observedAt: "2026-01-02T03:00:00.000Z",
    });
  });

  it("re-stamped by a later poll with the same figures: the same status, so no write", () => {
    const stamped = (observedAtMs: number) =>
      learnedStatus({ ...initialScalingState, throughput: { perReplica: 250, observedAtMs, measurements: 3 } });
    assert.deepEqual(stamped(at + 60_000), stamped(at));
    assert.notDeepEqual(stamped(at + observedAtGrainSeconds * 1000), stamped(at));
  });
});

interface RestoreCase {
  name: string;
  status: AutoscalingStatus | undefined;
  /** Seconds after `at` the operator starts. */
  startsAfterSeconds: number;
  expect: {
    perReplica?: number;
    measurements?: number;
    leadSeconds?: number;
    stuck?: Record<string, number>;
    decisions: number;
    lastScaleTimeMs?: number;
  };
}

const learnedAt = (seconds: number, extra: AutoscalingStatus["learned"] = {}): AutoscalingStatus => ({
  learned: {
    throughputPerReplica: 250,
    throughputMeasurements: 4,
    leadSeconds: 21,
    leadMeasurements: 2,
    observedAt: new Date(at + seconds * 1000).toISOString(),
    ...extra,
  },
});

const history: AutoscalingStatus["decisions"] = [
  {
    time: new Date(at - 120_000).toISOString(),
    fromReplicas: 1,
    toReplicas: 3,
    reason: "ScaledUp",
    cause: "LagTarget",
    message: "up",
    figures: {},
  },
  {
    time: new Date(at - 60_000).toISOString(),
    fromReplicas: 3,
    toReplicas: 3,
    reason: "DownstreamSaturated",
    cause: "DownstreamSaturated",
    message: "saturated",
    figures: { lag: 10 },
  },
  { time: "not a time", fromReplicas: 3, toReplicas: 2, reason: "ScaledDown", message: "garbled", figures: {} },
];

const restores: RestoreCase[] = [
  { name: "no status: the initial state", status: undefined, startsAfterSeconds: 0, expect: { decisions: 0 } },
  {
    name: "fresh figures: throughput (with its measurements) and lead time come back",
    status: learnedAt(0),
    startsAfterSeconds: 30,
    expect: { perReplica: 250, measurements: 4, leadSeconds: 21, decisions: 0 },
  },
  {
    name: "exactly an hour old: still restored",
    status: learnedAt(0),
    startsAfterSeconds: learnedMaxAgeSeconds,
    expect: { perReplica: 250, measurements: 4, leadSeconds: 21, decisions: 0 },
  },
  {
    name: "older than an hour: nothing learned is restored",
    status: learnedAt(0),
    startsAfterSeconds: learnedMaxAgeSeconds + 1,
    expect: { decisions: 0 },
  },
  {
    name: "no observedAt: nothing learned is restored (its age is unknown)",
    status: { learned: { throughputPerReplica: 250 } },
    startsAfterSeconds: 0,
    expect: { decisions: 0 },
  },
  {
    name: "a time ahead of our clock (another replica's) counts as now",
    status: learnedAt(90),
    startsAfterSeconds: 0,
    expect: { perReplica: 250, measurements: 4, leadSeconds: 21, decisions: 0 },
  },
  {
    name: "a zero throughput is no figure",
    status: learnedAt(0, { throughputPerReplica: 0 }),
    startsAfterSeconds: 0,
    expect: { leadSeconds: 21, decisions: 0 },
  },
  {
    name: "stuck partitions come back keyed topic/partition, at the offset they stuck at",
    status: learnedAt(0, { stuckPartitions: [{ topic: "a.b", partition: 3, committedOffset: 77 }] }),
    startsAfterSeconds: 10,
    expect: { perReplica: 250, measurements: 4, leadSeconds: 21, stuck: { "a.b/3": 77 }, decisions: 0 },
  },
  {
    name: "the history comes back (unreadable entries dropped) and the last change of replicas is the last scale",
    status: { decisions: history },
    startsAfterSeconds: 7200,
    expect: { decisions: 2, lastScaleTimeMs: at - 120_000 },
  },
];

describe("restoreScalingState", () => {
  for (const c of restores) {
    it(c.name, () => {
      const state = restoreScalingState({ status: c.status, nowMs: at + c.startsAfterSeconds * 1000 });
      assert.equal(state.throughput?.perReplica, c.expect.perReplica, "throughput");
      assert.equal(state.throughput?.measurements, c.expect.measurements, "measurements");
      assert.equal(state.leadTime?.seconds, c.expect.leadSeconds, "lead time");
      assert.deepEqual(state.stuckPartitions, c.expect.stuck, "stuck partitions");
      assert.equal(state.decisions?.length ?? 0, c.expect.decisions, "decisions");
      assert.equal(state.lastScaleTimeMs, c.expect.lastScaleTimeMs, "last scale");
      if (state.throughput) assert.ok(state.throughput.observedAtMs <= at + c.startsAfterSeconds * 1000);
    });
  }

  it("round trip: what status says comes back as the state it was written from", () => {
    const state: ScalingState = {
      ...initialScalingState,
      throughput: { perReplica: 250, observedAtMs: at, measurements: 3 },
      leadTime: { seconds: 18, measurements: 2 },
      stuckPartitions: { "orders/0": 500 },
      decisions: [
        {
          timeMs: at,
          from: 1,
          to: 2,
          kind: "ScaledUp",
          reason: "Throughput",
          message: "up",
          figures: {
            lag: 1,
            lagSeconds: 2,
            arrivalRate: 3,
            throughputPerReplica: 250,
            targetLagSeconds: 10,
            partitions: 6,
          },
        },
      ],
    };
    const restored = restoreScalingState({ status: autoscalingStatus(state), nowMs: at + 5000 });
    const stampedAt = Date.parse("2026-01-02T03:00:00.000Z");
    assert.deepEqual(restored, {
      ...state,
      throughput: { perReplica: 250, observedAtMs: stampedAt, measurements: 3 },
      lastScaleTimeMs: at,
    });
  });
});
