// The autoscaler's settings are the spec's lag and autoscaling sections, resolved by the schema: the same
// names, the same defaults, the same refusals.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { validateKafkaConsumerGroup } from "../../../operator/src/api/validate.ts";
import { toScalingSettings } from "../../../operator/src/reconcile/scaling-settings.ts";
import {
  defaultScalingSettings,
  type ScalingSettings,
  type ScalingSettingsInput,
  scalingSettings,
  staleAfterSeconds,
  tolerance,
} from "../../../operator/src/scaling/settings.ts";
import { validBase } from "../api/invalid-objects.ts";

describe("scalingSettings", () => {
  it("the defaults are what a valid group that leaves lag and autoscaling out resolves to", () => {
    const result = validateKafkaConsumerGroup(validBase());
    if (!result.valid) throw new Error(result.message);
    assert.deepEqual(defaultScalingSettings, toScalingSettings(result.object.spec));
  });

  const cases: {
    name: string;
    input: ScalingSettingsInput;
    /** Fields read from the resolved settings, and what they must be. */
    expect?: (s: ScalingSettings) => unknown[];
    is?: unknown[];
    /** The schema refuses the input; the message names the field. */
    refused?: RegExp;
  }[] = [
    {
      name: "a partial step keeps the schema's default for the rest of it",
      input: { autoscaling: { scaleDown: { maxStep: 4 } } },
      expect: (s) => [s.autoscaling.scaleDown.maxStep, s.autoscaling.scaleDown.stabilizationSeconds],
      is: [4, defaultScalingSettings.autoscaling.scaleDown.stabilizationSeconds],
    },
    {
      name: "tolerancePercent is read as a fraction",
      input: { autoscaling: { tolerancePercent: 20 } },
      expect: (s) => [tolerance(s)],
      is: [0.2],
    },
    {
      name: "observations go stale after three poll intervals",
      input: { autoscaling: { pollIntervalSeconds: 10 } },
      expect: (s) => [staleAfterSeconds(s)],
      is: [30],
    },
    {
      name: "the lag target is lag.maxSeconds",
      input: { lag: { maxSeconds: 45 } },
      expect: (s) => [s.lag.maxSeconds, s.autoscaling.maxReplicas],
      is: [45, defaultScalingSettings.autoscaling.maxReplicas],
    },
    {
      name: "maxReplicas below minReplicas is refused, not repaired",
      input: { autoscaling: { minReplicas: 5, maxReplicas: 2 } },
      refused: /minReplicas/,
    },
    {
      name: "a fractional replica count is refused",
      input: { autoscaling: { maxReplicas: 6.5 } },
      refused: /maxReplicas/,
    },
    {
      name: "tolerancePercent above 50 is refused, not clamped",
      input: { autoscaling: { tolerancePercent: 60 } },
      refused: /tolerancePercent/,
    },
    {
      name: "a zero lag target is refused",
      input: { lag: { maxSeconds: 0 } },
      refused: /maxSeconds/,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      if (c.refused !== undefined) {
        assert.throws(() => scalingSettings(c.input), c.refused);
        return;
      }
      assert.deepEqual(c.expect?.(scalingSettings(c.input)), c.is);
    });
  }
});
