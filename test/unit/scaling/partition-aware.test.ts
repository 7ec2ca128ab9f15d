import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  awareAtLeast,
  awareAtMost,
  busiestConsumerLoad,
  maxPartitionsPerConsumer,
  partitionAwareCounts,
  smallestFittingCount,
} from "../../../operator/src/scaling/partition-aware.ts";

describe("partitionAwareCounts", () => {
  const cases: { name: string; partitions: number; counts: number[] }[] = [
    { name: "12 partitions", partitions: 12, counts: [1, 2, 3, 4, 6, 12] },
    { name: "a prime count", partitions: 7, counts: [1, 2, 3, 4, 7] },
    { name: "24 partitions", partitions: 24, counts: [1, 2, 3, 4, 5, 6, 8, 12, 24] },
    { name: "one partition", partitions: 1, counts: [1] },
    { name: "no partitions", partitions: 0, counts: [] },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(partitionAwareCounts(c.partitions), c.counts));

  it("every count lowers the most partitions per consumer", () => {
    const counts = partitionAwareCounts(100);
    const perConsumer = counts.map((r) => maxPartitionsPerConsumer(100, r));
    for (let i = 1; i < perConsumer.length; i++) assert.ok((perConsumer[i] ?? 0) < (perConsumer[i - 1] ?? 0));
  });
});

describe("rounding to partition-aware counts", () => {
  const cases: { name: string; replicas: number; partitions: number; atMost: number; atLeast: number }[] = [
    { name: "an aware count stays", replicas: 4, partitions: 12, atMost: 4, atLeast: 4 },
    { name: "5 of 12 rounds to 4 or 6", replicas: 5, partitions: 12, atMost: 4, atLeast: 6 },
    { name: "7 of 12 rounds to 6 or 12", replicas: 7, partitions: 12, atMost: 6, atLeast: 12 },
    { name: "11 of 12 rounds to 6 or 12", replicas: 11, partitions: 12, atMost: 6, atLeast: 12 },
    {
      name: "beyond the partition count: the partition count (ceil, never P+1)",
      replicas: 13,
      partitions: 12,
      atMost: 12,
      atLeast: 12,
    },
    { name: "zero stays zero", replicas: 0, partitions: 12, atMost: 0, atLeast: 0 },
    { name: "no partitions: zero", replicas: 3, partitions: 0, atMost: 0, atLeast: 0 },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.equal(awareAtMost(c.replicas, c.partitions), c.atMost);
      assert.equal(awareAtLeast(c.replicas, c.partitions), c.atLeast);
    });
  }
});

describe("busiest consumer", () => {
  const demands = [600, 218, 218, 218, 100];
  const cases: { name: string; perConsumer: number; load: number }[] = [
    { name: "one partition each: the hottest", perConsumer: 1, load: 600 },
    { name: "three each: the hottest three", perConsumer: 3, load: 1036 },
    { name: "more than there are partitions: everything", perConsumer: 9, load: 1354 },
    { name: "none", perConsumer: 0, load: 0 },
  ];
  for (const c of cases) it(c.name, () => assert.equal(busiestConsumerLoad(demands, c.perConsumer), c.load));
});

describe("smallestFittingCount", () => {
  const uniform = (n: number, each: number) => Array.from({ length: n }, () => each);
  const cases: {
    name: string;
    demands: number[];
    partitions: number;
    perReplica: number;
    count: number | undefined;
  }[] = [
    { name: "no demand: one replica", demands: uniform(12, 0), partitions: 12, perReplica: 900, count: 1 },
    {
      name: "uniform 4k over 12 partitions at 900: 6 (5 would not lower the busiest)",
      demands: uniform(12, 333),
      partitions: 12,
      perReplica: 900,
      count: 6,
    },
    {
      name: "a warm partition needs its consumer to hold only one other",
      demands: [600, ...uniform(11, 218)],
      partitions: 12,
      perReplica: 900,
      count: 6,
    },
    {
      name: "a partition over one replica fits no count",
      demands: [950, ...uniform(11, 10)],
      partitions: 12,
      perReplica: 900,
      count: undefined,
    },
    {
      name: "stuck partitions count in the pool with no demand",
      demands: uniform(6, 450),
      partitions: 12,
      perReplica: 900,
      count: 6,
    },
  ];
  for (const c of cases) {
    it(c.name, () => assert.equal(smallestFittingCount(c.demands, c.partitions, c.perReplica), c.count));
  }
});
