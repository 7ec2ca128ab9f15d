// Model of KEDA's Apache Kafka scaler driving a Kubernetes HPA with default behaviour, as documented
// in KEDA's scaler and the HPA controller:
// - metric: per partition lag = log end - committed (no commit: 1 with latest, the log end with
//   earliest); total = sum; unless allowIdleConsumers, when floor(total / threshold) > partitions
//   the total is replaced by partitions * threshold (so ceil can still give partitions + 1);
//   excludePersistentLag leaves out partitions whose committed offset did not move since the last
//   poll; ensureEvenDistributionOfPartitions raises the count the total asks for to the next
//   divisor of the partition count (the total becomes that divisor * threshold);
// - HPA every 15 s on an AverageValue target: usage ratio = total / (threshold * current replicas);
//   inside the 10% tolerance keep the current count, else ceil(total / threshold); scale-up without
//   window, at most max(2x, +4) per period; scale-down to the highest recommendation of the last
//   300 s; clamped to [max(1, minReplicaCount), maxReplicaCount];
// - KEDA itself every 30 s: activate from 0 to 1 when lag > activationLagThreshold, and scale to 0
//   when inactive for cooldownPeriod (300 s) with minReplicaCount 0. The HPA does not act at 0.
import type { Policy, World } from "./autoscaler-sim.ts";

export interface KedaOptions {
  lagThreshold: number;
  activationLagThreshold: number;
  offsetResetPolicy: "latest" | "earliest";
  allowIdleConsumers: boolean;
  excludePersistentLag: boolean;
  ensureEvenDistributionOfPartitions: boolean;
  minReplicaCount: number;
  maxReplicaCount: number;
  pollingIntervalSeconds: number;
  cooldownPeriodSeconds: number;
  hpaSyncSeconds: number;
  hpaTolerance: number;
  scaleDownStabilizationSeconds: number;
}

export const kedaDefaults = {
  activationLagThreshold: 0,
  offsetResetPolicy: "latest",
  allowIdleConsumers: false,
  excludePersistentLag: false,
  ensureEvenDistributionOfPartitions: false,
  pollingIntervalSeconds: 30,
  cooldownPeriodSeconds: 300,
  hpaSyncSeconds: 15,
  hpaTolerance: 0.1,
  scaleDownStabilizationSeconds: 300,
} as const;

export function kedaPolicy(options: KedaOptions, name = "keda", initialReplicas = 0): Policy {
  // A warm HPA: it has been recommending the current count, so the run does not open with the
  // scale-down a freshly created HPA would make on its first sync.
  const recommendations: { t: number; replicas: number }[] = [];
  let warm = false;
  let previousCommitted = new Map<number, number>();
  let lastActive = 0;
  let reason = "";

  const metric = (world: World): { capped: number; uncapped: number } => {
    const poll = world.observe(0);
    let total = 0;
    let forActivation = 0;
    const committedNow = new Map<number, number>();
    for (const p of poll.partitions) {
      committedNow.set(p.partition, p.committedOffset);
      let lag: number;
      if (p.committedOffset < 0) lag = options.offsetResetPolicy === "latest" ? 1 : p.logEndOffset;
      else lag = p.logEndOffset - p.committedOffset;
      forActivation += lag;
      const persistent = options.excludePersistentLag && previousCommitted.get(p.partition) === p.committedOffset;
      total += persistent ? 0 : lag;
    }
    previousCommitted = committedNow;
    const partitions = poll.partitions.length;
    if (!options.allowIdleConsumers && Math.floor(total / options.lagThreshold) > partitions) {
      total = partitions * options.lagThreshold;
    }
    if (options.ensureEvenDistributionOfPartitions && total > 0) {
      total = nextDivisor(Math.ceil(total / options.lagThreshold), partitions) * options.lagThreshold;
    }
    return { capped: total, uncapped: forActivation };
  };

  return {
    name,
    lastReason: () => reason,
    tick(world: World, nowMs: number): void {
      const t = Math.round(nowMs / 1000);
      if (!warm) {
        recommendations.push({ t, replicas: initialReplicas });
        warm = true;
      }
      const current = world.replicas();
      if (t % options.pollingIntervalSeconds === 0) {
        const active = metric(world).uncapped > options.activationLagThreshold;
        if (active) lastActive = t;
        if (current === 0 && active) {
          world.setReplicas(Math.max(1, options.minReplicaCount));
          reason = "keda: activated";
          return;
        }
        if (
          !active &&
          current > 0 &&
          options.minReplicaCount === 0 &&
          t - lastActive >= options.cooldownPeriodSeconds
        ) {
          world.setReplicas(0);
          reason = "keda: cooldown -> 0";
          return;
        }
      }
      if (current === 0 || t % options.hpaSyncSeconds !== 0) return;

      const total = metric(world).capped;
      const ratio = total / (options.lagThreshold * current);
      const desired = Math.abs(1 - ratio) <= options.hpaTolerance ? current : Math.ceil(total / options.lagThreshold);
      recommendations.push({ t, replicas: desired });
      while ((recommendations[0]?.t ?? t) < t - options.scaleDownStabilizationSeconds) recommendations.shift();
      const downBound = Math.max(...recommendations.map((r) => r.replicas));
      let next = current;
      if (next < desired) next = desired;
      if (next > downBound) next = downBound;
      if (next > current) next = Math.min(next, Math.max(current * 2, current + 4));
      next = Math.min(options.maxReplicaCount, Math.max(Math.max(1, options.minReplicaCount), next));
      reason = `hpa: lag ${total} / ${options.lagThreshold} -> ${desired}, stabilized ${next}`;
      if (next !== current) world.setReplicas(next);
    },
  };
}

/** The smallest divisor of `partitions` that is at least `count` (the partition count itself past it). */
export function nextDivisor(count: number, partitions: number): number {
  for (let d = Math.max(1, count); d < partitions; d++) if (partitions % d === 0) return d;
  return partitions;
}
