// Shapes of what one poll observes and of what the lag module concludes from a window of polls.

/** Consumer group states as Kafka reports them (DescribeGroups). */
export type GroupState = "Unknown" | "PreparingRebalance" | "CompletingRebalance" | "Stable" | "Dead" | "Empty";

/** Where a consumer starts on a partition it has never committed on. */
export type StartFrom = "earliest" | "latest";

/**
 * Health of one partition, after Burrow's evaluation rules:
 * OK, WARN (lag never went down across the window), STALL (committed offset did not move while
 * lagging and a member owns the partition), STOP (commits stopped and nobody owns the partition
 * while records keep arriving), REWIND (the committed offset went backwards).
 */
export type PartitionHealth = "OK" | "WARN" | "STALL" | "STOP" | "REWIND";

export const partitionHealthStates: readonly PartitionHealth[] = ["OK", "WARN", "STALL", "STOP", "REWIND"];

/** One partition as seen by one poll. Offsets are Kafka offsets (numbers, safe up to 2^53). */
export interface PartitionObservation {
  topic: string;
  partition: number;
  /** First offset still in the log; records below it were removed by retention. */
  logStartOffset: number;
  /** Offset the next produced record will get. */
  logEndOffset: number;
  /** The group's committed offset, or -1 when it has none on this partition. */
  committedOffset: number;
  /** Member id that owns the partition in the current assignment; undefined when unassigned or unknown. */
  owner?: string;
}

/** Everything one poll observed about a group, stamped with the time it was taken. */
export interface Poll {
  /** Milliseconds since the epoch when the offsets were read (the caller's clock). */
  timeMs: number;
  groupState: GroupState;
  /** Members currently in the group. */
  members: number;
  partitions: PartitionObservation[];
}

/** One partition's reading kept in the history window. */
export interface PartitionSample {
  timeMs: number;
  logStartOffset: number;
  logEndOffset: number;
  committedOffset: number;
  /** Lag in records at this sample (see partitionLag). */
  lag: number;
  owner?: string;
}

export interface PartitionHistory {
  topic: string;
  partition: number;
  /** Oldest first; bounded by LagOptions.maxSamples and maxAgeSeconds. */
  samples: PartitionSample[];
  /** When the committed offset last changed (or was first seen); may be older than the window. */
  committedChangedAtMs: number;
}

export interface GroupHistory {
  /** Sorted by topic, then partition. */
  partitions: PartitionHistory[];
  /** The last poll's group-level reading; undefined before the first poll. */
  last?: { timeMs: number; groupState: GroupState; members: number };
  /** Start of the current assignment: since then owners did not change and the group stayed Stable. */
  assignmentSinceMs: number;
  /**
   * Whether the assignment started while the operator watched (false when it predates the first poll,
   * as after an operator restart): only then are its members known to be new and warming up.
   */
  assignmentStartSeen: boolean;
}

export interface PartitionLagSummary {
  topic: string;
  partition: number;
  logStartOffset: number;
  logEndOffset: number;
  committedOffset: number;
  lag: number;
  /**
   * Lag beyond what the partition may have waiting and still be on target by count: beyond the records
   * a healthy consumer holds uncommitted (commit slack) and beyond allowedLag.
   */
  backlog: number;
  /** Lag beyond the commit slack alone: records waiting, whatever allowedLag forgives (>= backlog). */
  waiting: number;
  /** Age of the oldest unconsumed record, interpolated on the log-end timeline; undefined without a timeline. */
  lagSeconds: number | undefined;
  /** Records produced per second over the rate window. */
  produceRate: number;
  /** Records produced per second since the previous poll: the newest reading, for fast scale-up. */
  recentProduceRate: number;
  /** Records committed per second over the rate window (forward moves only). */
  consumeRate: number;
  health: PartitionHealth;
  owner?: string;
  /**
   * False when records waited at both of the last two polls and the committed offset did not move
   * between them: whatever holds the partition is not draining it, so more replicas cannot either.
   */
  progressing: boolean;
}

/** Throughput of a member that had work waiting throughout a span. */
export interface BusyMember {
  member: string;
  /** Records per second committed across all partitions the member owns, over the busy span. */
  throughput: number;
  spanSeconds: number;
  /**
   * True when the member provably never ran dry during the span: the throughput measures its
   * capacity. False when it had a backlog at every poll but might have caught up in between: the
   * throughput is then only a lower bound of its capacity.
   */
  saturated: boolean;
}

export interface GroupLagSummary {
  timeMs: number;
  groupState: GroupState;
  members: number;
  partitions: PartitionLagSummary[];
  totalLag: number;
  /** Highest lagSeconds over partitions (known values only). */
  maxLagSeconds: number;
  produceRate: number;
  consumeRate: number;
  /** Seconds covered by the rates; 0 when there is only one poll (rates unknown). */
  rateSpanSeconds: number;
  healthCounts: Record<PartitionHealth, number>;
  /** Worst partition health: STOP, STALL and REWIND outrank WARN, which outranks OK. */
  worstHealth: PartitionHealth;
  busyMembers: BusyMember[];
  /** Records arrived on partitions with no committed offset while the group starts from latest (lag 0 by rule). */
  uncommittedArrivals: boolean;
}
