// The CRD's lag and autoscaling sections, as the decision function and the lag module receive them.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { KafkaConsumerGroupSpec } from "../../../operator/src/api/spec.ts";
import { validateKafkaConsumerGroup } from "../../../operator/src/api/validate.ts";
import type { LagOptions } from "../../../operator/src/lag/options.ts";
import { toLagOptions, toScalingSettings } from "../../../operator/src/reconcile/scaling-settings.ts";
import { type ScalingSettings, tolerance } from "../../../operator/src/scaling/settings.ts";
import { type Json, mergePatch, validBase } from "../api/invalid-objects.ts";

function specWith(patch: { [key: string]: Json }): KafkaConsumerGroupSpec {
  const result = validateKafkaConsumerGroup(mergePatch(validBase(), { spec: patch }));
  if (!result.valid) throw new Error(result.message);
  return result.object.spec;
}

describe("toScalingSettings", () => {
  const cases: { name: string; spec: { [key: string]: Json }; check: (s: ScalingSettings) => void }[] = [
    {
      name: "partition growth waits five minutes of need by default",
      spec: {},
      check: (s) => assert.equal(s.autoscaling.partitions.stabilizationSeconds, 300),
    },
    {
      name: "partitions.stabilizationSeconds sets how long the need must hold",
      spec: { autoscaling: { partitions: { enabled: true, max: 12, stabilizationSeconds: 20 } } },
      check: (s) =>
        assert.deepEqual(
          [
            s.autoscaling.partitions.enabled,
            s.autoscaling.partitions.max,
            s.autoscaling.partitions.stabilizationSeconds,
          ],
          [true, 12, 20],
        ),
    },
    {
      name: "0 grows as soon as the need is seen",
      spec: { autoscaling: { partitions: { stabilizationSeconds: 0 } } },
      check: (s) => assert.equal(s.autoscaling.partitions.stabilizationSeconds, 0),
    },
    {
      name: "the scale windows pass through",
      spec: { autoscaling: { scaleUp: { stabilizationSeconds: 5 }, scaleDown: { stabilizationSeconds: 30 } } },
      check: (s) =>
        assert.deepEqual(
          [s.autoscaling.scaleUp.stabilizationSeconds, s.autoscaling.scaleDown.stabilizationSeconds],
          [5, 30],
        ),
    },
    {
      name: "tolerancePercent is a percentage: 20 is a fraction of 0.2",
      spec: { autoscaling: { tolerancePercent: 20 } },
      check: (s) => assert.equal(tolerance(s), 0.2),
    },
    {
      name: "keyed topics default to Recommend: a keyed topic is never grown",
      spec: { autoscaling: { partitions: { enabled: true, max: 12, keyedTopics: ["orders"] } } },
      check: (s) =>
        assert.deepEqual(
          [s.autoscaling.partitions.keyedTopics, s.autoscaling.partitions.keyedTopicPolicy],
          [["orders"], "Recommend"],
        ),
    },
    {
      name: "keyedTopicPolicy AcceptKeyMovement lets a keyed topic grow",
      spec: {
        autoscaling: {
          partitions: { enabled: true, max: 12, keyedTopics: ["orders"], keyedTopicPolicy: "AcceptKeyMovement" },
        },
      },
      check: (s) =>
        assert.deepEqual(
          [s.autoscaling.partitions.keyedTopics, s.autoscaling.partitions.keyedTopicPolicy],
          [["orders"], "AcceptKeyMovement"],
        ),
    },
    {
      name: "without keyed topics nothing is keyed",
      spec: { autoscaling: { partitions: { enabled: true, max: 12 } } },
      check: (s) => assert.equal(s.autoscaling.partitions.keyedTopics, undefined),
    },
  ];
  for (const c of cases) it(c.name, () => c.check(toScalingSettings(specWith(c.spec))));
});

describe("toLagOptions", () => {
  const cases: {
    name: string;
    spec: { [key: string]: Json };
    commitIntervalMs: number;
    expect: Partial<LagOptions>;
  }[] = [
    {
      name: "the commit slack follows the consumers' commit interval, not the poll interval",
      spec: { autoscaling: { pollIntervalSeconds: 15 } },
      commitIntervalMs: 1000,
      expect: { commitSlackSeconds: 2 },
    },
    {
      name: "slow commits widen it",
      spec: { autoscaling: { pollIntervalSeconds: 3 } },
      commitIntervalMs: 10_000,
      expect: { commitSlackSeconds: 11 },
    },
    {
      name: "the allowed lag is the per-partition message target",
      spec: { lag: { maxMessagesPerPartition: 500 }, startFrom: "earliest" },
      commitIntervalMs: 1000,
      expect: { allowedLag: 500, startFrom: "earliest" },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const options = toLagOptions(specWith(c.spec), c.commitIntervalMs);
      for (const [key, value] of Object.entries(c.expect)) assert.equal(options[key as keyof LagOptions], value, key);
    });
  }
});
