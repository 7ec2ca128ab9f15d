import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  type ScaleEventSettings,
  scaleEventKinds,
  withZeroScaleEvents,
} from "../../../operator/src/scaling/scale-event-kinds.ts";

interface Case {
  name: string;
  autoscaling: ScaleEventSettings;
  kinds: string[];
}

const sized = ["LagTarget", "Throughput", "HotPartition", "Fallback"];

const cases: Case[] = [
  {
    name: "autoscaling off: only spec.replicas edits move replicas",
    autoscaling: { enabled: false, minReplicas: 0 },
    kinds: ["down/Manual", "up/Manual"],
  },
  {
    name: "autoscaling on: up and down for every sizing reason",
    autoscaling: { enabled: true, minReplicas: 1 },
    kinds: [...sized.map((r) => `up/${r}`), ...sized.map((r) => `down/${r}`)].sort(),
  },
  {
    name: "minReplicas 0 adds activation and scale to zero",
    autoscaling: { enabled: true, minReplicas: 0 },
    kinds: [
      ...sized.map((r) => `up/${r}`),
      ...sized.map((r) => `down/${r}`),
      "up/Activation",
      "down/ScaleToZero",
    ].sort(),
  },
];

describe("scaleEventKinds", () => {
  for (const c of cases) {
    it(c.name, () => {
      assert.deepEqual(scaleEventKinds(c.autoscaling).sort(), c.kinds);
    });
  }
});

describe("withZeroScaleEvents", () => {
  it("adds every kind not counted yet at 0 and keeps the counts there are, also of other kinds", () => {
    assert.deepEqual(
      withZeroScaleEvents({ "up/Manual": 2, "partitions/HotPartition": 1 }, { enabled: false, minReplicas: 1 }),
      { "up/Manual": 2, "down/Manual": 0, "partitions/HotPartition": 1 },
    );
  });
});
