import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { pruneRecommendations, type Recommendation, stabilize } from "../../../operator/src/scaling/stabilize.ts";
import { now, seconds } from "./fixtures.ts";

const recs = (...pairs: [number, number][]): Recommendation[] =>
  pairs.map(([s, replicas]) => ({ timeMs: seconds(s), replicas }));

describe("stabilize", () => {
  const cases: {
    name: string;
    current: number;
    recommendations: Recommendation[];
    up?: number;
    down?: number;
    coveredSince?: number;
    replicas: number;
  }[] = [
    { name: "up at once with no up window", current: 3, recommendations: recs([-60, 3], [0, 8]), replicas: 8 },
    {
      name: "down to the highest in the down window",
      current: 8,
      recommendations: recs([-200, 8], [-90, 5], [0, 3]),
      replicas: 5,
    },
    {
      name: "a dip inside the window keeps the count",
      current: 8,
      recommendations: recs([-60, 8], [0, 3]),
      replicas: 8,
    },
    {
      name: "an up window takes the lowest in it",
      current: 3,
      recommendations: recs([-30, 5], [0, 8]),
      up: 60,
      replicas: 5,
    },
    {
      name: "an up window never scales down",
      current: 6,
      recommendations: recs([-30, 2], [0, 8]),
      up: 60,
      replicas: 6,
    },
    {
      name: "no scale-down before the window is covered",
      current: 8,
      recommendations: recs([0, 3]),
      coveredSince: -60,
      replicas: 8,
    },
    { name: "a covered window allows it", current: 8, recommendations: recs([0, 3]), coveredSince: -120, replicas: 3 },
    {
      name: "a zero-length down window follows the recommendation",
      current: 8,
      recommendations: recs([-1, 8], [0, 3]),
      down: 0,
      replicas: 3,
    },
    {
      name: "clock going nowhere: conflicting recommendations at one instant keep the count",
      current: 4,
      recommendations: recs([0, 6], [0, 2]),
      replicas: 4,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const result = stabilize({
        current: c.current,
        recommendations: c.recommendations,
        nowMs: now,
        upWindowSeconds: c.up ?? 0,
        downWindowSeconds: c.down ?? 120,
        ...(c.coveredSince === undefined ? {} : { coveredSinceMs: seconds(c.coveredSince) }),
      });
      assert.equal(result.replicas, c.replicas);
    });
  }
});

describe("pruneRecommendations", () => {
  it("keeps what the longest window sees and drops the future", () => {
    assert.deepEqual(
      pruneRecommendations(recs([-500, 1], [-100, 2], [0, 3], [60, 4]), now, 120),
      recs([-100, 2], [0, 3]),
    );
  });
});
