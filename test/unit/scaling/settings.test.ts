import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { defaultScalingSettings, scalingSettings } from "../../../operator/src/scaling/settings.ts";

describe("scalingSettings", () => {
  it("an empty input gives the defaults", () => {
    assert.deepEqual(scalingSettings(), defaultScalingSettings);
  });

  const cases: {
    name: string;
    input: Parameters<typeof scalingSettings>[0];
    check: (s: ReturnType<typeof scalingSettings>) => void;
  }[] = [
    {
      name: "maxReplicas below minReplicas is raised to it",
      input: { minReplicas: 5, maxReplicas: 2 },
      check: (s) => assert.equal(s.maxReplicas, 5),
    },
    {
      name: "negative minReplicas becomes 0",
      input: { minReplicas: -3 },
      check: (s) => assert.equal(s.minReplicas, 0),
    },
    {
      name: "fractional replica counts are floored",
      input: { minReplicas: 1.7, maxReplicas: 6.9 },
      check: (s) => assert.deepEqual([s.minReplicas, s.maxReplicas], [1, 6]),
    },
    {
      name: "a non-positive lag target falls back to the default",
      input: { lagMaxSeconds: 0 },
      check: (s) => assert.equal(s.lagMaxSeconds, 60),
    },
    {
      name: "NaN falls back to the default",
      input: { lagMaxMessagesPerReplica: Number.NaN },
      check: (s) => assert.equal(s.lagMaxMessagesPerReplica, 1000),
    },
    {
      name: "utilization above 1 is capped at 1",
      input: { targetUtilization: 1.5 },
      check: (s) => assert.equal(s.targetUtilization, 1),
    },
    {
      name: "tolerance is kept within [0, 0.5]",
      input: { tolerance: 3 },
      check: (s) => assert.equal(s.tolerance, 0.5),
    },
    {
      name: "partial step and partition settings keep the other defaults",
      input: { scaleDown: { maxStep: 2 }, partitions: { enabled: true } },
      check: (s) => {
        assert.deepEqual(s.scaleDown, { stabilizationSeconds: 120, maxStep: 2 });
        assert.equal(s.partitions.enabled, true);
        assert.equal(s.partitions.keyedPolicy, "Forbid");
      },
    },
  ];
  for (const c of cases) it(c.name, () => c.check(scalingSettings(c.input)));
});
