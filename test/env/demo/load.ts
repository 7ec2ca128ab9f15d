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
  /** Fraction of the run at which the operator is stopped and started again, if any. */
  restartOperatorAt?: number;
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
  // A busy start (the throughput is learned), an idle gap long enough to scale to zero, records again (the
  // group is activated and consumes them), then quiet. The operator restarts in the gap: the activation
  // after it still knows the throughput learned before it.
  "scale-to-zero": {
    partitions: 4,
    partitionGrowth: false,
    minReplicas: 0,
    cooldownSeconds: 10,
    restartOperatorAt: 0.3,
    // Light loads: the first Pod's start leaves a backlog to learn from, and the gap (its idle time counts from
    // a minute after the last record, the rate window) must reach zero even on a slow machine.
    rate: (t, d) => (t < d * 0.12 ? perReplica * 1.2 : t >= d * 0.72 && t < d * 0.8 ? perReplica * 0.4 : 0),
  },
};
