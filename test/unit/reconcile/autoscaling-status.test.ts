import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { statusSchema } from "../../../operator/src/api/status.ts";
import { autoscalingStatus } from "../../../operator/src/reconcile/autoscaling-status.ts";
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
