// The benchmark's world model and its KEDA model must be right before their numbers mean anything.
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { kedaDefaults, kedaPolicy } from "../../bench/autoscaler-keda.ts";
import { lagpilotPolicy } from "../../bench/autoscaler-lagpilot.ts";
import { checkScenario, kedaThreshold, loadScenario } from "../../bench/autoscaler-scenario.ts";
import {
  type Arrival,
  arrivalAt,
  fixedReplicas,
  run,
  type Scenario,
  World,
  waterFill,
} from "../../bench/autoscaler-sim.ts";

function scenario(overrides: Partial<Scenario> = {}): Scenario {
  return {
    name: "test",
    description: "",
    durationSeconds: 600,
    partitions: 12,
    capacityPerReplica: 1000,
    arrival: { kind: "points", interpolate: "step", points: [{ at: 0, rate: 2000 }] },
    initialReplicas: 3,
    target: { lagMaxSeconds: 30, minReplicas: 1, maxReplicas: 12 },
    ...overrides,
  };
}

const scenarioDir = join(import.meta.dirname, "../../bench/scenarios");

/** The shipped scenario files: the folder's own and those of the folders in it. */
function scenarioFiles(): string[] {
  return readdirSync(scenarioDir, { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".json"))
    .map((f) => join(scenarioDir, f));
}

function steps(world: World, seconds: number): void {
  for (let i = 0; i < seconds; i++) world.step();
}

describe("simulated consumer group", () => {
  it("constant load under capacity keeps lag near zero and never rebalances", () => {
    const { metrics } = run(scenario(), fixedReplicas());
    assert.equal(metrics.secondsOverTarget, 0);
    assert.ok(metrics.peakLagSeconds <= 6, `peak ${metrics.peakLagSeconds}s is more than the commit interval`);
    assert.equal(metrics.rebalances, 0);
    assert.equal(metrics.replicaSeconds, 3 * 600);
  });

  it("load over capacity grows the lag by the difference every second", () => {
    const world = new World(
      scenario({ arrival: { kind: "points", interpolate: "step", points: [{ at: 0, rate: 5000 }] } }),
    );
    steps(world, 100);
    const before = world.totalLag();
    steps(world, 100);
    assert.ok(Math.abs(world.totalLag() - before - 100 * 2000) < 5000, `grew ${world.totalLag() - before}`);
  });

  it("new pods join after the start delay and every join stops the group for a rebalance", () => {
    const world = new World(scenario({ group: { podStartSeconds: 20, rebalanceSeconds: 8 } }));
    steps(world, 10);
    world.setReplicas(4);
    assert.equal(world.members(), 3);
    steps(world, 21);
    assert.equal(world.members(), 4);
    assert.ok(world.rebalancing());
    const lagAtJoin = world.totalLag();
    steps(world, 7);
    assert.ok(world.totalLag() - lagAtJoin >= 7 * 2000 - 100, "no consumption during the rebalance");
    steps(world, 60);
    assert.ok(!world.rebalancing());
    assert.equal(world.rebalances, 1);
  });

  it("removing pods takes not-yet-ready ones first, without a rebalance", () => {
    const world = new World(scenario());
    world.setReplicas(5);
    world.setReplicas(3);
    assert.equal(world.rebalances, 0);
    world.setReplicas(2);
    assert.equal(world.rebalances, 1);
  });

  it("a stuck partition makes no progress while its consumer serves the others", () => {
    const world = new World(scenario({ stuck: [{ partition: 5, fromSeconds: 0, toSeconds: 1000 }] }));
    steps(world, 120);
    const poll = world.observe(0);
    const stuck = poll.partitions.find((p) => p.partition === 5);
    const other = poll.partitions.find((p) => p.partition === 4);
    assert.equal(stuck?.committedOffset, 0);
    assert.ok((other?.logEndOffset ?? 0) - (other?.committedOffset ?? 0) < 1000);
    assert.ok(world.trueLagSeconds(5) >= 118);
    assert.ok(world.groupLagSeconds() <= 6, "stuck partitions are left out of the group's lag seconds");
  });

  it("partitions added to the topic are used after discovery", () => {
    const world = new World(scenario({ partitions: 2, group: { partitionDiscoverySeconds: 30 } }));
    world.growPartitions(4);
    assert.equal(world.partitions(), 4);
    steps(world, 29);
    assert.equal(world.observe(0).partitions[3]?.logEndOffset, 0);
    steps(world, 40);
    assert.ok((world.observe(0).partitions[3]?.logEndOffset ?? 0) > 0);
  });

  it("a caught-up partition leaves no record of lag, whatever fractions its shares summed to", () => {
    // 100 records/s over three partitions is 33.3 per partition per second: summed, the position
    // ends a hair under the whole log end.
    const partitions = [0, 1, 2].map(() => ({ end: 0, position: 0 }));
    for (let second = 0; second < 60; second++) {
      for (const p of partitions) p.end += 40;
      waterFill(partitions, 100);
    }
    for (let second = 0; second < 30; second++) waterFill(partitions, 100);
    assert.deepEqual(
      partitions.map((p) => p.end - p.position),
      [0, 0, 0],
    );
  });

  it("a trickle that ends drains to zero lag, zero lag seconds, and back to zero replicas", () => {
    // The case that once left one record per partition forever: lag seconds grew without bound and
    // the group never scaled back to zero.
    const trickle = scenario({
      durationSeconds: 3600,
      partitions: 6,
      capacityPerReplica: 100,
      initialReplicas: 0,
      arrival: {
        kind: "points",
        interpolate: "step",
        points: [
          { at: 0, rate: 0 },
          { at: 300, rate: 120 },
          { at: 330, rate: 0 },
          { at: 1500, rate: 120 },
          { at: 1520, rate: 0 },
        ],
      },
      target: { lagMaxSeconds: 30, minReplicas: 0, maxReplicas: 6 },
    });
    const { trace, events } = run(trickle, lagpilotPolicy(trickle), { traceEverySeconds: 10 });
    for (const point of trace.filter((p) => p.t >= 1700)) {
      assert.equal(point.totalLag, 0, `lag at ${point.t}s`);
      assert.equal(point.lagSeconds, 0, `lag seconds at ${point.t}s`);
    }
    for (const point of trace) if (point.totalLag === 0) assert.equal(point.lagSeconds, 0, `at ${point.t}s`);
    assert.equal(events.at(-1)?.to, 0);
  });

  it("the consumer protocol pauses only the partitions that move, and keeps the rest in place", () => {
    const world = new World(scenario({ group: { protocol: "consumer", podStartSeconds: 10, heartbeatSeconds: 5 } }));
    steps(world, 20);
    const owners = (w: World) => w.observe(0).partitions.map((p) => p.owner);
    const before = owners(world);
    world.setReplicas(4);
    steps(world, 11);
    assert.equal(world.members(), 4);
    assert.ok(!world.rebalancing(), "the group as a whole does not stop");
    const during = owners(world);
    const moved = during.filter((o) => o === undefined).length;
    // 12 partitions over 3 -> 4 members: 3 move to the newcomer, 9 stay where they were.
    assert.equal(moved, 3);
    during.forEach((owner, i) => {
      if (owner !== undefined) assert.equal(owner, before[i], `partition ${i} changed owner`);
    });
    steps(world, 8);
    assert.equal(owners(world).filter((o) => o === undefined).length, 0, "moved partitions are owned after the pause");
    assert.equal(new Set(owners(world)).size, 4);
  });

  const pauseCases: {
    name: string;
    group: Scenario["group"];
    /** Partition-seconds stopped by one scale-up from 3 to 4 replicas on 12 partitions. */
    paused: { atLeast: number; atMost: number };
  }[] = [
    {
      name: "classic: every partition stops for the rebalance",
      group: { protocol: "classic", podStartSeconds: 10, rebalanceSeconds: 8 },
      paused: { atLeast: 12 * 8, atMost: 12 * 8 },
    },
    {
      name: "consumer: only the 3 moved partitions stop, each until the newcomer's next heartbeat (5 s)",
      group: { protocol: "consumer", podStartSeconds: 10, rebalanceSeconds: 8, heartbeatSeconds: 5 },
      paused: { atLeast: 3 * 1, atMost: 3 * 5 },
    },
    {
      name: "consumer with 1 s heartbeats: the moved partitions wait about a second",
      group: { protocol: "consumer", podStartSeconds: 10, heartbeatSeconds: 1 },
      paused: { atLeast: 3 * 1, atMost: 3 * 2 },
    },
  ];
  for (const c of pauseCases) {
    it(`a membership change, ${c.name}`, () => {
      const world = new World(scenario({ group: c.group }));
      steps(world, 20);
      world.setReplicas(4);
      let paused = 0;
      for (let i = 0; i < 40; i++) {
        world.step();
        paused += world.pausedLastSecond;
      }
      assert.equal(world.members(), 4);
      assert.ok(paused >= c.paused.atLeast && paused <= c.paused.atMost, `paused ${paused} partition-s`);
    });
  }

  it("a group reading several topics sees each topic's partitions and its share of the records", () => {
    const world = new World(
      scenario({
        partitions: 6,
        topics: [
          { name: "orders", partitions: 4, share: 3 },
          { name: "audit", partitions: 2, share: 1 },
        ],
        initialReplicas: 0,
      }),
    );
    steps(world, 100);
    const poll = world.observe(0);
    assert.deepEqual(
      poll.partitions.map((p) => `${p.topic}-${p.partition}`),
      ["orders-0", "orders-1", "orders-2", "orders-3", "audit-0", "audit-1"],
    );
    // 2000 msg/s for 100 s: orders takes 3/4 (375 msg/s per partition), audit 1/4 (250 msg/s).
    assert.equal(poll.partitions[0]?.logEndOffset, 37_500);
    assert.equal(poll.partitions[5]?.logEndOffset, 25_000);
  });

  it("a random walk stays in its bounds, moves at most its step, and repeats from its seed", () => {
    const walk: Arrival = { kind: "walk", start: 500, min: 100, max: 1000, maxStep: 200, everySeconds: 60, seed: 9 };
    const rates = Array.from({ length: 200 }, (_, i) => arrivalAt(walk, i * 60));
    for (const rate of rates) assert.ok(rate >= 100 && rate <= 1000, `rate ${rate}`);
    for (let i = 1; i < rates.length; i++) assert.ok(Math.abs((rates[i] ?? 0) - (rates[i - 1] ?? 0)) <= 200);
    assert.ok(new Set(rates.map(Math.round)).size > 50, "it moves");
    const again: Arrival = { ...walk };
    assert.equal(arrivalAt(again, 7000), arrivalAt(walk, 7000));
    assert.equal(arrivalAt(walk, 30), ((rates[0] ?? 0) + (rates[1] ?? 0)) / 2);
  });

  it("the same scenario gives the same numbers (seeded noise)", () => {
    const noisy = scenario({ noise: 0.2, seed: 7 });
    assert.deepEqual(run(noisy, fixedReplicas()).metrics, run(noisy, fixedReplicas()).metrics);
  });
});

describe("arrival patterns", () => {
  const cases: { name: string; arrival: Arrival; t: number; rate: number }[] = [
    {
      name: "step holds the last point",
      arrival: {
        kind: "points",
        interpolate: "step",
        points: [
          { at: 0, rate: 10 },
          { at: 100, rate: 50 },
        ],
      },
      t: 99,
      rate: 10,
    },
    {
      name: "step after the last point",
      arrival: {
        kind: "points",
        interpolate: "step",
        points: [
          { at: 0, rate: 10 },
          { at: 100, rate: 50 },
        ],
      },
      t: 500,
      rate: 50,
    },
    {
      name: "linear between points",
      arrival: {
        kind: "points",
        interpolate: "linear",
        points: [
          { at: 0, rate: 0 },
          { at: 100, rate: 50 },
        ],
      },
      t: 40,
      rate: 20,
    },
    {
      name: "sine at a quarter period",
      arrival: { kind: "sine", mean: 100, amplitude: 50, periodSeconds: 400 },
      t: 100,
      rate: 150,
    },
  ];
  for (const c of cases) it(c.name, () => assert.ok(Math.abs(arrivalAt(c.arrival, c.t) - c.rate) < 1e-9));
});

describe("KEDA + HPA model", () => {
  const keda = (s: Scenario, extra: Partial<Parameters<typeof kedaPolicy>[0]> = {}) =>
    kedaPolicy(
      {
        ...kedaDefaults,
        lagThreshold: 1000,
        minReplicaCount: s.target.minReplicas,
        maxReplicaCount: s.target.maxReplicas,
        ...extra,
      },
      "keda",
      s.initialReplicas,
    );

  it("sizes to ceil(lag / lagThreshold)", () => {
    const s = scenario({
      durationSeconds: 16,
      initialBacklogPerPartition: 500,
      target: { lagMaxSeconds: 30, minReplicas: 1, maxReplicas: 50 },
    });
    const world = new World(s);
    const policy = keda(s);
    policy.tick(world, 15_000);
    // 12 * 500 = 6000 records at 1000 per replica.
    assert.equal(world.replicas(), 6);
  });

  it("scales up at most max(2x, +4) per sync", () => {
    const s = scenario({
      initialBacklogPerPartition: 5000,
      target: { lagMaxSeconds: 30, minReplicas: 1, maxReplicas: 50 },
    });
    const world = new World(s);
    keda(s).tick(world, 15_000);
    assert.equal(world.replicas(), 7);
  });

  it("caps at the partition count, except that floor/ceil can give partitions + 1", () => {
    const s = scenario({
      initialReplicas: 7,
      initialBacklogPerPartition: 1050,
      target: { lagMaxSeconds: 30, minReplicas: 1, maxReplicas: 50 },
    });
    const world = new World(s);
    keda(s).tick(world, 15_000);
    // 12,600 records: floor(12.6) = 12 is not over 12, so no cap, and ceil gives 13.
    assert.equal(world.replicas(), 13);
    const far = scenario({
      initialReplicas: 7,
      initialBacklogPerPartition: 5000,
      target: { lagMaxSeconds: 30, minReplicas: 1, maxReplicas: 50 },
    });
    const other = new World(far);
    keda(far).tick(other, 15_000);
    assert.equal(other.replicas(), 12);
  });

  it("keeps the count inside the 10% tolerance", () => {
    const s = scenario({ initialReplicas: 6, initialBacklogPerPartition: 530 });
    const world = new World(s);
    keda(s).tick(world, 15_000);
    // 6,360 / (1000 * 6) = 1.06: within tolerance.
    assert.equal(world.replicas(), 6);
  });

  it("scales down only to the highest recommendation of the last 300 s", () => {
    const s = scenario({
      initialReplicas: 8,
      arrival: { kind: "points", interpolate: "step", points: [{ at: 0, rate: 0 }] },
    });
    const world = new World(s);
    const policy = keda(s);
    for (let t = 0; t <= 330; t++) {
      policy.tick(world, t * 1000);
      world.step();
      if (t <= 300) assert.equal(world.replicas(), 8, `scaled down at ${t}s`);
    }
    assert.equal(world.replicas(), 1);
  });

  it("activates from zero and scales back to zero after the cooldown", () => {
    const s = scenario({
      initialReplicas: 0,
      target: { lagMaxSeconds: 30, minReplicas: 0, maxReplicas: 12 },
      arrival: {
        kind: "points",
        interpolate: "step",
        points: [
          { at: 0, rate: 0 },
          { at: 100, rate: 100 },
          { at: 160, rate: 0 },
        ],
      },
    });
    const { events } = run({ ...s, durationSeconds: 1200 }, keda(s));
    assert.equal(events[0]?.from, 0);
    assert.equal(events[0]?.to, 1);
    assert.equal(events.at(-1)?.to, 0);
    assert.ok((events.at(-1)?.t ?? 0) >= 160 + 300);
  });
});

describe("Lagpilot in the simulator", () => {
  it("follows a step up and back down without flapping", () => {
    const s = scenario({
      durationSeconds: 2400,
      arrival: {
        kind: "points",
        interpolate: "step",
        points: [
          { at: 0, rate: 2500 },
          { at: 600, rate: 8000 },
          { at: 1500, rate: 2500 },
        ],
      },
    });
    const { metrics } = run(s, lagpilotPolicy(s));
    assert.equal(metrics.maxReplicas, 12);
    assert.equal(metrics.flaps, 0);
    assert.ok(metrics.replicaSeconds < 12 * 2400);
  });
});

describe("scenario files", () => {
  it("a valid scenario has no problems", () => assert.deepEqual(checkScenario(scenario()), []));

  it("problems name the field", () => {
    const problems = checkScenario({
      ...scenario(),
      partitions: 0,
      arrival: { kind: "wave" },
      target: { minReplicas: -1 },
    });
    assert.ok(problems.includes("partitions must be a number > 0"));
    assert.ok(problems.some((p) => p.startsWith("arrival.kind")));
    assert.ok(problems.includes("target.minReplicas must be >= 0"));
  });

  it("topics must add up to the partitions, and the protocol is one the simulator knows", () => {
    const problems = checkScenario({
      ...scenario(),
      partitions: 10,
      topics: [
        { name: "a", partitions: 4, share: 1 },
        { name: "", partitions: 4, share: 1 },
      ],
      group: { protocol: "cooperative" },
    });
    assert.ok(problems.includes("partitions must be the sum of the topics' partitions (8)"));
    assert.ok(problems.includes("topics[1].name must be a string"));
    assert.ok(
      problems.includes('group.protocol must be "classic" or "consumer" (older files: "eager" or "incremental")'),
    );
  });

  it("the protocols' former names still load, as the protocols they were", () => {
    const protocols = ["eager", "incremental", "classic", "consumer"].map((protocol) => {
      assert.deepEqual(checkScenario({ ...scenario(), group: { protocol } }), [], protocol);
      return new World(scenario({ group: { protocol: protocol as never } })).protocol;
    });
    assert.deepEqual(protocols, ["classic", "consumer", "classic", "consumer"]);
  });

  it("every shipped scenario file loads", () => {
    for (const file of scenarioFiles()) assert.doesNotThrow(() => loadScenario(file), file);
    assert.ok(
      scenarioFiles().some((f) => f.includes("varied")),
      "the scenario folders are read too",
    );
  });

  it("KEDA's lagThreshold defaults to what one replica consumes in half the target", () => {
    assert.equal(kedaThreshold(scenario()), 15_000);
    assert.equal(kedaThreshold(scenario({ keda: { lagThreshold: 42 } })), 42);
  });
});
