import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { learnThroughput, type ThroughputEstimate } from "../../../operator/src/scaling/throughput.ts";
import { now, type SummarySpec, summary } from "./fixtures.ts";

describe("learnThroughput", () => {
  const cases: {
    name: string;
    previous?: ThroughputEstimate;
    observation: SummarySpec;
    perReplica: number | undefined;
    measurements?: number;
  }[] = [
    {
      name: "nothing known and nobody busy: what each member consumed starts a lower bound",
      observation: { produce: 2400, consume: 2400, members: 4 },
      perReplica: 600,
      measurements: 0,
    },
    {
      name: "nothing consumed and nobody busy: still unknown",
      observation: { produce: 2000, members: 4 },
      perReplica: undefined,
    },
    {
      name: "a group still rebalancing starts no bound",
      observation: { consume: 2000, members: 4, groupState: "PreparingRebalance" },
      perReplica: undefined,
    },
    {
      name: "one poll (no rate span yet) starts no bound",
      observation: { consume: 2000, members: 4, rateSpanSeconds: 0 },
      perReplica: undefined,
    },
    {
      name: "the first busy measurement is taken as is (mean of busy members)",
      observation: {
        members: 2,
        backlog: 120_000,
        busyMembers: [
          { member: "m-0", throughput: 900, spanSeconds: 60, saturated: true },
          { member: "m-1", throughput: 1100, spanSeconds: 45, saturated: true },
        ],
      },
      perReplica: 1000,
      measurements: 1,
    },
    {
      name: "later measurements move the estimate by 30%",
      previous: { perReplica: 1000, observedAtMs: now - 15_000, measurements: 3 },
      observation: {
        members: 1,
        backlog: 120_000,
        busyMembers: [{ member: "m-0", throughput: 2000, spanSeconds: 60, saturated: true }],
      },
      perReplica: 1300,
      measurements: 4,
    },
    {
      name: "a busy member with under 6 s of its own work waiting is no reading (it ran at the pace of a trickle)",
      observation: {
        partitions: 6,
        members: 1,
        backlog: 5 * 6 - 1,
        busyMembers: [{ member: "m-0", throughput: 5, spanSeconds: 60, saturated: true }],
      },
      perReplica: undefined,
    },
    {
      name: "with 6 s of its own work waiting, the same member is read",
      observation: {
        partitions: 6,
        members: 1,
        backlog: 5 * 6,
        busyMembers: [{ member: "m-0", throughput: 5, spanSeconds: 60, saturated: true }],
      },
      perReplica: 5,
      measurements: 1,
    },
    {
      name: "work waiting within maxMessagesPerPartition counts: whether a member ran flat out is physical, not a target",
      observation: {
        partitions: 6,
        members: 1,
        // 1,800 waiting beyond the commit slack (6 s of 300 msg/s), all of it within the allowed 1,000 per partition.
        overrides: Object.fromEntries([0, 1, 2, 3, 4, 5].map((i) => [i, { lag: 320, backlog: 0, waiting: 300 }])),
        busyMembers: [{ member: "m-0", throughput: 300, spanSeconds: 12, saturated: true }],
      },
      perReplica: 300,
      measurements: 1,
    },
    {
      name: "work waiting within the commit slack alone is no reading, whatever the lag",
      observation: {
        partitions: 6,
        members: 1,
        overrides: Object.fromEntries([0, 1, 2, 3, 4, 5].map((i) => [i, { lag: 320, backlog: 0, waiting: 299 }])),
        busyMembers: [{ member: "m-0", throughput: 300, spanSeconds: 12, saturated: true }],
      },
      perReplica: undefined,
    },
    {
      name: "only the member's own partitions' backlog counts",
      observation: {
        partitions: 2,
        members: 2,
        // 2,000 waiting on partition 1 (member m-1) would be 6 s of m-0's work; m-0's own partition has none.
        backlog: 4000,
        overrides: { 0: { backlog: 0 } },
        busyMembers: [{ member: "m-0", throughput: 300, spanSeconds: 60, saturated: true }],
      },
      perReplica: undefined,
    },
    {
      name: "busy runs under 6 s are ignored",
      previous: { perReplica: 1000, observedAtMs: now - 15_000, measurements: 3 },
      observation: {
        members: 1,
        backlog: 120_000,
        busyMembers: [{ member: "m-0", throughput: 2000, spanSeconds: 5, saturated: true }],
      },
      perReplica: 1000,
    },
    {
      name: "a faster observed rate raises the estimate (it is a lower bound)",
      previous: { perReplica: 500, observedAtMs: now - 15_000, measurements: 3 },
      observation: { consume: 1800, members: 3 },
      perReplica: 600,
    },
    {
      name: "a slower observed rate without a backlog says nothing",
      previous: { perReplica: 1000, observedAtMs: now - 15_000, measurements: 3 },
      observation: { consume: 300, members: 3 },
      perReplica: 1000,
    },
    {
      name: "no lower bound from a group that is rebalancing",
      previous: { perReplica: 500, observedAtMs: now - 15_000, measurements: 3 },
      observation: { consume: 3000, members: 3, groupState: "PreparingRebalance" },
      perReplica: 500,
    },
    {
      name: "an observation already folded in is not counted twice",
      previous: { perReplica: 1000, observedAtMs: now, measurements: 3 },
      observation: {
        members: 1,
        backlog: 120_000,
        busyMembers: [{ member: "m-0", throughput: 100, spanSeconds: 60, saturated: true }],
      },
      perReplica: 1000,
      measurements: 3,
    },
    {
      name: "before any saturated measurement, a busy member's rate is the estimate (a lower bound)",
      observation: {
        members: 1,
        backlog: 120_000,
        busyMembers: [{ member: "m-0", throughput: 850, spanSeconds: 60, saturated: false }],
      },
      perReplica: 850,
      measurements: 0,
    },
    {
      name: "a lower bound never lowers the estimate",
      previous: { perReplica: 1000, observedAtMs: now - 15_000, measurements: 3 },
      observation: {
        members: 1,
        backlog: 120_000,
        busyMembers: [{ member: "m-0", throughput: 850, spanSeconds: 60, saturated: false }],
      },
      perReplica: 1000,
      measurements: 3,
    },
    {
      name: "the first saturated measurement replaces a lower bound, unless lower",
      previous: { perReplica: 850, observedAtMs: now - 15_000, measurements: 0 },
      observation: {
        members: 1,
        backlog: 120_000,
        busyMembers: [{ member: "m-0", throughput: 1000, spanSeconds: 60, saturated: true }],
      },
      perReplica: 1000,
      measurements: 1,
    },
    {
      name: "the group's rate per member is only a lower bound (it is what the load is, not what a replica can do)",
      observation: { consume: 3000, members: 3 },
      perReplica: 1000,
      measurements: 0,
    },
    {
      name: "a busy member that consumed nothing is no measurement",
      observation: {
        members: 1,
        backlog: 120_000,
        busyMembers: [{ member: "m-0", throughput: 0, spanSeconds: 60, saturated: true }],
      },
      perReplica: undefined,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const estimate = learnThroughput(c.previous, summary(c.observation));
      assert.equal(estimate?.perReplica, c.perReplica);
      if (c.measurements !== undefined) assert.equal(estimate?.measurements, c.measurements);
    });
  }
});
