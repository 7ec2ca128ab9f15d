import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { resolveSettings } from "../../../operator/src/api/resolve.ts";
import { specSchema } from "../../../operator/src/api/spec.ts";
import { apiErrorMessage } from "../../../operator/src/kube-errors.ts";
import { computeStatus, type StatusInput } from "../../../operator/src/reconcile/status.ts";

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
    lagTarget: { maxSeconds: 30, maxMessagesPerPartition: 1000 },
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

describe("apiErrorMessage", () => {
  const cases = [
    {
      name: "takes the apiserver's message out of client-node's error text",
      error: new Error(
        'HTTP-Code: 500\nBody: "{\\"kind\\":\\"Status\\",\\"message\\":\\"failed to allocate a serviceIP: range is full\\",\\"code\\":500}"',
      ),
      expected: "failed to allocate a serviceIP: range is full",
    },
    { name: "falls back to the whole text", error: new Error("socket hang up"), expected: "socket hang up" },
  ];
  for (const c of cases) it(c.name, () => assert.equal(apiErrorMessage(c.error), c.expected));
});
