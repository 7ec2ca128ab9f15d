// Producer load patterns for the demo: messages per second as a function of elapsed time.
export type Scenario = "steady" | "burst" | "partition-growth" | "stuck-partition" | "scale-to-zero";
export const scenarios: readonly Scenario[] = [
  "steady",
  "burst",
  "partition-growth",
  "stuck-partition",
  "scale-to-zero",
];

export interface ScenarioPlan {
  partitions: number;
  /** Messages per second at `elapsed` seconds of a run lasting `duration` seconds. */
  rate(elapsed: number, duration: number): number;
  /** Seconds into the run during which partition 0 is stuck, if any. */
  stuck?: { from: number; to: number };
  partitionGrowth: boolean;
  /** autoscaling.minReplicas (default 1) and, with 0, autoscaling.cooldownSeconds. */
  minReplicas?: number;
  cooldownSeconds?: number;
  /**
   * From this fraction of the run on, the operator is stopped and started again as soon as status shows a
   * learned throughput (at the latest at 0.7 of the run), if set.
   */
  restartOperatorAt?: number;
  /** Once the group has gone to zero replicas (and not before this fraction of the run): `rate` for `seconds`. */
  afterZero?: { notBefore: number; rate: number; seconds: number };
}

/** Capacity of one replica in the demo: 1000 / DEMO_WORK_MS messages per second. */
export const workMs = 4;
const perReplica = 1000 / workMs;

export const plans: Record<Scenario, ScenarioPlan> = {
  steady: { partitions: 6, partitionGrowth: false, rate: () => perReplica * 1.5 },
  // Steady, then a burst needing several replicas, then quiet so replicas come back down.
  burst: {
    partitions: 6,
    partitionGrowth: false,
    rate: (t, d) =>
      t < d * 0.2 ? perReplica * 0.6 : t < d * 0.5 ? perReplica * 3.5 : t < d * 0.85 ? perReplica * 0.3 : 0,
  },
  // Two partitions cap the group at two replicas; the load needs about four, so partitions must grow.
  "partition-growth": { partitions: 2, partitionGrowth: true, rate: (t, d) => (t < d * 0.75 ? perReplica * 3.2 : 0) },
  // One replica nearly busy; partition 0's handler hangs for most of the run, which stalls whichever
  // replica holds it (its one worker waits). The stalled partitions pass the allowed lag (1000 messages)
  // and turn STALL; a lag-driven scaler would add replicas all along.
  "stuck-partition": {
    partitions: 6,
    partitionGrowth: false,
    rate: (t, d) => (t < d * 0.8 ? perReplica * 0.9 : 0),
    stuck: { from: 0.1, to: 0.75 },
  },
  // A busy start (the first Pod's start leaves a backlog: a throughput is learned), quiet until the group is
  // at zero replicas, records again (the group is activated and consumes them), then quiet. The operator
  // restarts once the throughput is learned: the decisions after it still know it. Waiting for the states
  // rather than for fixed times keeps it right on a slow machine, where a Pod may take a minute to start.
  "scale-to-zero": {
    partitions: 4,
    partitionGrowth: false,
    minReplicas: 0,
    cooldownSeconds: 10,
    restartOperatorAt: 0.2,
    rate: (t, d) => (t < d * 0.12 ? perReplica * 1.6 : 0),
    afterZero: { notBefore: 0.3, rate: perReplica * 0.6, seconds: 12 },
  },
};
