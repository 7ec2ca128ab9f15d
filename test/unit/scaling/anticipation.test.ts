// Anticipation and the saturation guard: the arrival trend, the learned lead time, the drain plan and
// the check that added replicas raised throughput. Pure functions, table tests.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { drainPlan, drainSeconds } from "../../../operator/src/scaling/drain.ts";
import { learnLeadTime } from "../../../operator/src/scaling/lead-time.ts";
import { checkSaturation, type ScaleUpCheck, startCheck } from "../../../operator/src/scaling/saturation.ts";
import { type ArrivalSample, forecastGrowth } from "../../../operator/src/scaling/trend.ts";
import { now, seconds } from "./fixtures.ts";

const series = (rates: number[], everySeconds = 15): ArrivalSample[] =>
  rates.map((rate, i) => ({ timeMs: seconds(i * everySeconds - (rates.length - 1) * everySeconds), rate }));

describe("arrival trend", () => {
  const cases: { name: string; samples: ArrivalSample[]; incoming: number; lead: number; growth: number }[] = [
    {
      name: "flat: no growth",
      samples: series([1000, 1000, 1000, 1000, 1000, 1000]),
      incoming: 1000,
      lead: 30,
      growth: 1,
    },
    // +15 msg/s per 15 s is 1 msg/s per second: 30 s ahead, 1030 of 1000.
    {
      name: "rising: sized one lead time ahead",
      samples: series([925, 940, 955, 970, 985, 1000]),
      incoming: 1000,
      lead: 30,
      growth: 1.03,
    },
    {
      name: "falling: never below today",
      samples: series([1500, 1400, 1300, 1200, 1100, 1000]),
      incoming: 1000,
      lead: 30,
      growth: 1,
    },
    { name: "too few samples: no trend", samples: series([100, 1000, 2000]), incoming: 2000, lead: 30, growth: 1 },
    {
      name: "steep: capped at 1.5x",
      samples: series([0, 2000, 4000, 6000, 8000, 10000]),
      incoming: 10000,
      lead: 120,
      growth: 1.5,
    },
  ];
  for (const c of cases) {
    it(c.name, () => assert.ok(Math.abs(forecastGrowth(c.samples, c.incoming, c.lead) - c.growth) < 1e-9));
  }
});

describe("lead time", () => {
  const cases: {
    name: string;
    input: Parameters<typeof learnLeadTime>[0];
    seconds: number | undefined;
    pending: boolean;
  }[] = [
    {
      name: "first scale-up seen through: its time is the lead",
      input: { lead: undefined, pending: { atMs: seconds(-45), to: 6 }, nowMs: now, groupStable: true, members: 6 },
      seconds: 45,
      pending: false,
    },
    {
      name: "not all members yet: still pending",
      input: { lead: undefined, pending: { atMs: seconds(-45), to: 6 }, nowMs: now, groupStable: true, members: 4 },
      seconds: undefined,
      pending: true,
    },
    {
      name: "a later one moves the estimate by the learning rate",
      input: {
        lead: { seconds: 30, measurements: 2 },
        pending: { atMs: seconds(-130), to: 6 },
        nowMs: now,
        groupStable: true,
        members: 6,
      },
      seconds: 60,
      pending: false,
    },
    {
      name: "one never seen through is dropped after the timeout",
      input: { lead: undefined, pending: { atMs: seconds(-601), to: 6 }, nowMs: now, groupStable: false, members: 2 },
      seconds: undefined,
      pending: false,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const out = learnLeadTime(c.input);
      assert.equal(out.lead?.seconds, c.seconds);
      assert.equal(out.pending !== undefined, c.pending);
    });
  }
});

describe("drain plan", () => {
  const input = { backlog: 160_000, incoming: 9800, planned: 1890, current: 3, leadSeconds: 30 };
  it("counts the backlog that grows until added replicas join", () => {
    // 3 replicas fall 4130 msg/s behind for 30 s: 284k left, drained at 1540 msg/s by 6.
    assert.ok(Math.abs(drainSeconds(input, 6) - (30 + (160_000 + 4130 * 30) / 1540)) < 1e-6);
  });
  it("today's replicas that outpace the arrivals may clear it before the lead time", () => {
    assert.equal(drainSeconds({ ...input, incoming: 1000, backlog: 10_000 }, 12), 10_000 / (3 * 1890 - 1000));
  });
  it("picks the fewest counts that drain within the horizon", () => {
    assert.equal(drainPlan(input, [1, 2, 3, 4, 6, 12], 60)?.replicas, 12);
    assert.equal(drainPlan(input, [1, 2, 3, 4, 6, 12], 220)?.replicas, 6);
  });
  it("says so when even the most allowed miss the horizon", () => {
    const plan = drainPlan(input, [1, 2, 3, 4, 6], 60);
    assert.deepEqual(plan?.withinHorizon, false);
    assert.equal(plan?.replicas, 6);
  });
  it("no backlog, no plan", () => assert.equal(drainPlan({ ...input, backlog: 0 }, [1, 2], 60), undefined));
});

describe("downstream saturation", () => {
  const check: ScaleUpCheck = {
    atMs: seconds(-200),
    from: 4,
    to: 8,
    replicas: 8,
    partitions: 12,
    throughputBefore: 4000,
    settledAtMs: seconds(-90),
  };
  const base = {
    check,
    saturation: undefined,
    nowMs: now,
    current: 8,
    partitions: 12,
    groupStable: true,
    members: 8,
    consumeRate: 4200,
    rateSpanSeconds: 60,
    backlogged: true,
  };
  const cases: { name: string; input: Parameters<typeof checkSaturation>[0]; saturated: boolean; checking: boolean }[] =
    [
      {
        name: "4 -> 8 replicas, 4k -> 4.2k msg/s with records waiting: saturated",
        input: base,
        saturated: true,
        checking: false,
      },
      {
        name: "4 -> 8 replicas, 4k -> 7k msg/s: not saturated",
        input: { ...base, consumeRate: 7000 },
        saturated: false,
        checking: false,
      },
      {
        name: "the backlog ran out: nothing concluded",
        input: { ...base, backlogged: false },
        saturated: false,
        checking: false,
      },
      {
        name: "a rebalance in the window restarts the wait",
        input: { ...base, groupStable: false },
        saturated: false,
        checking: true,
      },
      {
        name: "the window has not passed since the group settled: wait",
        input: { ...base, check: { ...check, settledAtMs: seconds(-30) } },
        saturated: false,
        checking: true,
      },
      {
        name: "partitions grew since: the check ends",
        input: { ...base, partitions: 24 },
        saturated: false,
        checking: false,
      },
    ];
  for (const c of cases) {
    it(c.name, () => {
      const out = checkSaturation(c.input);
      assert.equal(out.saturation !== undefined, c.saturated);
      assert.equal(out.check !== undefined, c.checking);
      if (c.saturated) {
        assert.equal(out.saturation?.replicas, 8);
        assert.match(
          out.saturation?.message ?? "",
          /from 4 to 8 replicas moved the group's throughput from 4k msg\/s to 4.2k msg\/s/,
        );
      }
    });
  }

  it("a check starts only for replicas the partitions keep busy, with records waiting", () => {
    const start = { current: 4, replicas: 8, partitions: 12, nowMs: now, consumeRate: 4000, backlogged: true };
    assert.equal(startCheck(start)?.to, 8);
    assert.equal(startCheck({ ...start, partitions: 4 }), undefined);
    assert.equal(startCheck({ ...start, backlogged: false }), undefined);
  });
});
