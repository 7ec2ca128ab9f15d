// Reporting a bad object: one condition naming the fields, one Event, and nothing more on a second pass.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { findCondition, setCondition } from "../../../operator/src/api/conditions.ts";
import { planInvalidSpecReport, type ReportedObject } from "../../../operator/src/api/invalid-report.ts";

const now = new Date("2025-03-01T10:00:00.123Z");
const later = new Date("2025-03-01T10:05:00Z");

function object(generation: number, status?: ReportedObject["status"]): ReportedObject {
  const result: ReportedObject = {
    apiVersion: "lagpilot.dev/v1alpha1",
    kind: "KafkaConsumerGroup",
    metadata: { name: "orders", namespace: "shop", uid: "u-1", generation, resourceVersion: "42" },
  };
  if (status) result.status = status;
  return result;
}

describe("planInvalidSpecReport", () => {
  it("sets Ready=False/InvalidSpec with the message and generation, and emits a Warning Event", () => {
    const report = planInvalidSpecReport(object(3), "spec.autoscaling.minReplicas: must not exceed maxReplicas", now);
    const ready = findCondition(report.statusPatch?.status.conditions, "Ready");
    assert.deepEqual(ready, {
      type: "Ready",
      status: "False",
      reason: "InvalidSpec",
      message: "invalid spec: spec.autoscaling.minReplicas: must not exceed maxReplicas",
      lastTransitionTime: "2025-03-01T10:00:00Z",
      observedGeneration: 3,
    });
    assert.equal(report.statusPatch?.status.observedGeneration, 3);
    assert.equal(report.event?.type, "Warning");
    assert.equal(report.event?.reason, "InvalidSpec");
    assert.match(report.event?.message ?? "", /spec\.autoscaling\.minReplicas/);
    assert.deepEqual(report.event?.involvedObject, {
      apiVersion: "lagpilot.dev/v1alpha1",
      kind: "KafkaConsumerGroup",
      name: "orders",
      namespace: "shop",
      uid: "u-1",
      resourceVersion: "42",
    });
  });

  it("writes nothing when the status already says the same for this generation", () => {
    const first = planInvalidSpecReport(object(3), "spec.tier: bad", now);
    const second = planInvalidSpecReport(object(3, first.statusPatch?.status), "spec.tier: bad", later);
    assert.deepEqual(second, { statusPatch: null, event: null });
  });

  it("reports again after an edit, keeping lastTransitionTime while Ready stays False", () => {
    const first = planInvalidSpecReport(object(3), "spec.tier: bad", now);
    const edited = planInvalidSpecReport(object(4, first.statusPatch?.status), "spec.replicas: bad", later);
    const ready = findCondition(edited.statusPatch?.status.conditions, "Ready");
    assert.equal(ready?.observedGeneration, 4);
    assert.equal(ready?.lastTransitionTime, "2025-03-01T10:00:00Z");
    assert.ok(edited.event);
  });

  it("keeps the other conditions as they are", () => {
    const conditions = setCondition(
      undefined,
      { type: "KafkaReachable", status: "True", reason: "Connected", message: "ok" },
      now,
    );
    const report = planInvalidSpecReport(object(1, { conditions }), "spec.tier: bad", later);
    assert.deepEqual(
      report.statusPatch?.status.conditions.map((c) => [c.type, c.status]),
      [
        ["KafkaReachable", "True"],
        ["Ready", "False"],
      ],
    );
  });

  it("keeps the Event message within what the apiserver accepts", () => {
    const report = planInvalidSpecReport(object(1), "x".repeat(5000), now);
    assert.ok((report.event?.message.length ?? 0) <= 1024);
  });
});

describe("setCondition", () => {
  it("moves lastTransitionTime only when status changes", () => {
    const a = setCondition(undefined, { type: "Ready", status: "True", reason: "Consuming", message: "" }, now);
    const b = setCondition(a, { type: "Ready", status: "True", reason: "Consuming", message: "still" }, later);
    const c = setCondition(b, { type: "Ready", status: "False", reason: "KafkaUnreachable", message: "" }, later);
    assert.equal(b[0]?.lastTransitionTime, "2025-03-01T10:00:00Z");
    assert.equal(c[0]?.lastTransitionTime, "2025-03-01T10:05:00Z");
    assert.equal(a.length, 1);
  });
});
