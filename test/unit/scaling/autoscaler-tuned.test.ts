// The tuned KEDA rival: the even-distribution option as KEDA applies it, and a sweep that really
// picks its best run by the benchmark's score.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { kedaDefaults, kedaPolicy, nextDivisor } from "../../bench/autoscaler-keda.ts";
import { runScore } from "../../bench/autoscaler-score.ts";
import { run, type Scenario, World } from "../../bench/autoscaler-sim.ts";
import { bestKeda, kedaDefaultPolicy, kedaOptionsFor, kedaVariants } from "../../bench/autoscaler-tuned.ts";

function scenario(overrides: Partial<Scenario> = {}): Scenario {
  return {
    name: "test",
    description: "",
    durationSeconds: 1200,
    partitions: 12,
    capacityPerReplica: 1000,
    arrival: {
      kind: "points",
      interpolate: "step",
      points: [
        { at: 0, rate: 2000 },
        { at: 300, rate: 7000 },
        { at: 800, rate: 2000 },
      ],
    },
    initialReplicas: 2,
    target: { lagMaxSeconds: 30, minReplicas: 1, maxReplicas: 12 },
    ...overrides,
  };
}

describe("next divisor of the partition count", () => {
  const cases: { name: string; count: number; partitions: number; divisor: number }[] = [
    { name: "a divisor stays", count: 4, partitions: 12, divisor: 4 },
    { name: "between divisors goes up", count: 5, partitions: 12, divisor: 6 },
    { name: "past half goes to all", count: 7, partitions: 12, divisor: 12 },
    { name: "zero asks for one", count: 0, partitions: 12, divisor: 1 },
    { name: "a prime count has only 1 and itself", count: 2, partitions: 7, divisor: 7 },
    { name: "more than partitions stays at partitions", count: 20, partitions: 12, divisor: 12 },
  ];
  for (const c of cases) it(c.name, () => assert.equal(nextDivisor(c.count, c.partitions), c.divisor));
});

describe("KEDA with ensureEvenDistributionOfPartitions", () => {
  /** Replicas after KEDA's first HPA sync, from 4 replicas, 12 partitions, lagThreshold 1000. */
  const firstSync = (backlogPerPartition: number, even: boolean) => {
    const s = scenario({ initialBacklogPerPartition: backlogPerPartition, initialReplicas: 4 });
    const world = new World(s);
    const options = { ...kedaDefaults, lagThreshold: 1000, minReplicaCount: 1, maxReplicaCount: 12 };
    kedaPolicy({ ...options, ensureEvenDistributionOfPartitions: even }, "keda", 4).tick(world, 15_000);
    return world.replicas();
  };
  const cases: { name: string; backlogPerPartition: number; even: boolean; replicas: number }[] = [
    { name: "without it: ceil(4560 / 1000)", backlogPerPartition: 380, even: false, replicas: 5 },
    { name: "with it: 5 does not divide 12, so 6", backlogPerPartition: 380, even: true, replicas: 6 },
    { name: "with it: 6 divides 12 and stays", backlogPerPartition: 420, even: true, replicas: 6 },
    { name: "with it: 7 asks for 12, the step limit (2x) allows 8", backlogPerPartition: 560, even: true, replicas: 8 },
  ];
  for (const c of cases) it(c.name, () => assert.equal(firstSync(c.backlogPerPartition, c.even), c.replicas));
});

describe("KEDA tuned", () => {
  it("the sweep covers thresholds, even distribution and persistent-lag exclusion, the default among them", () => {
    const variants = kedaVariants();
    assert.equal(new Set(variants.map((v) => JSON.stringify(v))).size, variants.length);
    assert.ok(
      variants.some(
        (v) => v.lagThresholdFactor === 1 && !v.ensureEvenDistributionOfPartitions && !v.excludePersistentLag,
      ),
    );
    assert.ok(variants.some((v) => v.ensureEvenDistributionOfPartitions));
    assert.ok(variants.some((v) => v.excludePersistentLag));
    assert.ok(new Set(variants.map((v) => v.lagThresholdFactor)).size >= 3);
  });

  it("picks the lowest score of the sweep, never worse than the default options", () => {
    const s = scenario();
    const best = bestKeda(s);
    const defaultScore = runScore(run(s, kedaDefaultPolicy(s)).metrics, s);
    assert.ok(best.score <= defaultScore, `tuned ${best.score} > default ${defaultScore}`);
    for (const variant of kedaVariants()) {
      const other = run(s, kedaPolicy(kedaOptionsFor(s, variant), "v", s.initialReplicas)).metrics;
      assert.ok(best.score <= runScore(other, s), `a variant scored better than the chosen one`);
    }
  });

  it("the score charges a second over target as every replica allowed for that second", () => {
    const s = scenario();
    const base = run(s, kedaDefaultPolicy(s)).metrics;
    const later = { ...base, secondsOverTarget: base.secondsOverTarget + 1 };
    assert.equal(runScore(later, s) - runScore(base, s), s.target.maxReplicas);
  });
});
