// Tuned consumer settings: the built-in defaults, and one preset per workload kind. A spec names a profile and
// overrides any single value; resolve.ts merges the three layers (explicit > profile > default).

export const tierNames = ["Standard", "Buffered", "Dedicated"] as const;
export type Tier = (typeof tierNames)[number];

/** Tiers whose handler receives batches, so `spec.batch` means something for them. */
export const batchingTiers: readonly Tier[] = ["Buffered", "Dedicated"];

export const commitModes = ["batch", "interval"] as const;
export type CommitMode = (typeof commitModes)[number];

/** consumer: Kafka 4's group protocol (KIP-848); classic: the eager protocol every Kafka speaks. */
export const groupProtocols = ["consumer", "classic"] as const;
export type GroupProtocol = (typeof groupProtocols)[number];

export const profileNames = ["realtime", "analytics", "high-volume", "ai-inference", "io-bound", "db-writer"] as const;
export type ProfileName = (typeof profileNames)[number];

export interface ConsumerSettings {
  groupProtocol: GroupProtocol;
  sessionTimeoutMs: number;
  heartbeatIntervalMs: number;
  rebalanceTimeoutMs: number;
  requestTimeoutMs: number;
  fetchMinBytes: number;
  fetchMaxWaitMs: number;
  maxBytesPerPartition: number;
  maxPollRecords: number;
}

export interface BatchSettings {
  size: number;
  maxWaitMs: number;
}

export interface CommitSettings {
  mode: CommitMode;
  intervalMs: number;
}

/** Every value a profile can set; the resolved form of these is reported in status.resolved. */
export interface TunableSettings {
  tier: Tier;
  batch: BatchSettings;
  consumer: ConsumerSettings;
  commit: CommitSettings;
}

export interface Profile {
  /** One line for documentation and `kubectl explain`. */
  summary: string;
  tier?: Tier;
  batch?: Partial<BatchSettings>;
  consumer?: Partial<ConsumerSettings>;
  commit?: Partial<CommitSettings>;
  /** Deadline of one module handler call (processing.handler.module.timeoutMs). */
  moduleTimeoutMs?: number;
}

export const builtinDefaults: TunableSettings = {
  tier: "Standard",
  batch: { size: 32, maxWaitMs: 50 },
  consumer: {
    groupProtocol: "consumer",
    sessionTimeoutMs: 30_000,
    heartbeatIntervalMs: 3000,
    rebalanceTimeoutMs: 60_000,
    requestTimeoutMs: 30_000,
    fetchMinBytes: 1,
    fetchMaxWaitMs: 100,
    maxBytesPerPartition: 1_048_576,
    maxPollRecords: 500,
  },
  commit: { mode: "interval", intervalMs: 1000 },
};

export const profiles: Record<ProfileName, Profile> = {
  realtime: {
    summary: "Per-message, lowest latency: fetches return as soon as one byte is there; failures detected in 10 s.",
    tier: "Standard",
    consumer: { fetchMinBytes: 1, sessionTimeoutMs: 10_000, heartbeatIntervalMs: 3000 },
  },
  analytics: {
    summary: "Throughput over latency: batches of 64, fetches wait for 10 KiB or 500 ms.",
    tier: "Buffered",
    batch: { size: 64 },
    consumer: { fetchMinBytes: 10_240, fetchMaxWaitMs: 500, sessionTimeoutMs: 30_000 },
  },
  "high-volume": {
    summary: "Maximum throughput: Dedicated tier, fetches of 50 KiB or 100 ms, a longer session for busy handlers.",
    tier: "Dedicated",
    consumer: { fetchMinBytes: 51_200, fetchMaxWaitMs: 100, sessionTimeoutMs: 45_000 },
  },
  "ai-inference": {
    summary:
      "Slow, heavy handlers (model inference): one message per partition held at a time, 15 minutes per module " +
      "handler call and to finish during a rebalance, a 60 s session.",
    consumer: { maxPollRecords: 1, rebalanceTimeoutMs: 900_000, sessionTimeoutMs: 60_000 },
    moduleTimeoutMs: 900_000,
  },
  "io-bound": {
    summary:
      "Handlers waiting on remote calls: at most 20 messages per partition held at a time, a 60 s request timeout.",
    consumer: { maxPollRecords: 20, requestTimeoutMs: 60_000 },
  },
  "db-writer": {
    summary: "Database writers: batches of 1000 records, offsets committed after each written batch.",
    tier: "Buffered",
    batch: { size: 1000 },
    consumer: { maxPollRecords: 1000 },
    commit: { mode: "batch" },
  },
};

/** Profiles that choose a batching tier when the spec names no tier. */
export function profilesWithBatchingTier(): ProfileName[] {
  return profileNames.filter((name) => {
    const tier = profiles[name].tier;
    return tier !== undefined && batchingTiers.includes(tier);
  });
}
