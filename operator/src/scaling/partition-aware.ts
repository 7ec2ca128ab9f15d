// Replica counts that matter for a pool of partitions. A consumer group spreads its partitions over
// its members, so the busiest member holds ceil(P / R) of them; only counts that lower that number
// add relief. For 12 partitions those are 1, 2, 3, 4, 6 and 12: a 5th replica would still leave some
// member with 3 partitions, exactly as with 4.

/** Most partitions one of `replicas` consumers holds. */
export function maxPartitionsPerConsumer(partitions: number, replicas: number): number {
  return replicas <= 0 ? Number.POSITIVE_INFINITY : Math.ceil(partitions / replicas);
}

/** Every partition-aware replica count for a pool, ascending. */
export function partitionAwareCounts(partitions: number): number[] {
  const counts: number[] = [];
  for (let perConsumer = partitions; perConsumer >= 1; perConsumer--) {
    const replicas = Math.ceil(partitions / perConsumer);
    if (counts.at(-1) !== replicas) counts.push(replicas);
  }
  return counts;
}

/** Largest partition-aware count not above `replicas` (the same relief with the fewest consumers). */
export function awareAtMost(replicas: number, partitions: number): number {
  if (replicas <= 0 || partitions <= 0) return Math.max(0, Math.min(replicas, partitions));
  const capped = Math.min(replicas, partitions);
  return Math.ceil(partitions / Math.ceil(partitions / capped));
}

/** Smallest partition-aware count not below `replicas`, never above the partition count. */
export function awareAtLeast(replicas: number, partitions: number): number {
  if (replicas <= 0 || partitions <= 0) return Math.max(0, Math.min(replicas, partitions));
  if (replicas >= partitions) return partitions;
  const perConsumer = Math.ceil(partitions / replicas);
  const same = Math.ceil(partitions / perConsumer);
  return same === replicas ? replicas : Math.ceil(partitions / (perConsumer - 1));
}

/**
 * Load of the busiest consumer whatever the assignor does: the sum of the `perConsumer` largest
 * partition demands. When it fits one replica, every consumer fits.
 */
export function busiestConsumerLoad(demandsDescending: readonly number[], perConsumer: number): number {
  let load = 0;
  const n = Math.min(perConsumer, demandsDescending.length);
  for (let i = 0; i < n; i++) load += demandsDescending[i] ?? 0;
  return load;
}

/**
 * Smallest partition-aware count whose busiest consumer stays within `perReplica`. Undefined when
 * even one partition per consumer is not enough (some single partition needs more than a replica).
 */
export function smallestFittingCount(
  demandsDescending: readonly number[],
  partitions: number,
  perReplica: number,
): number | undefined {
  for (const replicas of partitionAwareCounts(partitions)) {
    const load = busiestConsumerLoad(demandsDescending, maxPartitionsPerConsumer(partitions, replicas));
    if (load <= perReplica) return replicas;
  }
  return undefined;
}
