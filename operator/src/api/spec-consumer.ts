// spec.consumer and spec.batch: Kafka client tuning. No value here has a CRD default: an unset value comes from the
// profile, else from the built-in defaults (profiles.ts), and the result is reported in status.resolved.
import { z } from "zod";
import { builtinDefaults, groupProtocols } from "./profiles.ts";
import { withRules } from "./rules.ts";

const defaults = builtinDefaults.consumer;

export const consumerSpec = withRules(
  z
    .strictObject({
      groupProtocol: z
        .enum(groupProtocols)
        .optional()
        .describe(
          `Kafka group protocol. consumer: Kafka 4's consumer group protocol (KIP-848): the broker assigns ` +
            `partitions and a scale event stops only the partitions that move; the session timeout and heartbeat ` +
            `interval are then the broker's (group.consumer.*) and sessionTimeoutMs and heartbeatIntervalMs do not ` +
            `apply. classic: every membership change stops the whole group for a rebalance. Default: consumer when ` +
            `the broker supports it (ConsumerGroupHeartbeat in its API versions), else classic; status.resolved ` +
            `says which.`,
        ),
      sessionTimeoutMs: z
        .int()
        .min(6000)
        .max(1_800_000)
        .optional()
        .describe(
          `A member not heard from for this long is removed from the group (Kafka's session.timeout.ms; the ` +
            `broker allows 6 s to 30 min by default). Classic protocol only. Default ${defaults.sessionTimeoutMs}.`,
        ),
      heartbeatIntervalMs: z
        .int()
        .min(100)
        .max(60_000)
        .optional()
        .describe(
          `Time between heartbeats; at most a third of sessionTimeoutMs. Classic protocol only. Default ${defaults.heartbeatIntervalMs}.`,
        ),
      rebalanceTimeoutMs: z
        .int()
        .min(1000)
        .max(3_600_000)
        .optional()
        .describe(
          `Time a rebalance gives members to finish, commit what is done and rejoin (or, with Kafka 4's consumer ` +
            `group protocol, to release the partitions that move). It does not limit how long a handler runs. ` +
            `Default ${defaults.rebalanceTimeoutMs}.`,
        ),
      requestTimeoutMs: z
        .int()
        .min(1000)
        .max(600_000)
        .optional()
        .describe(`Time allowed for one request to a broker. Default ${defaults.requestTimeoutMs}.`),
      fetchMinBytes: z
        .int()
        .min(1)
        .max(52_428_800)
        .optional()
        .describe(
          `Bytes a fetch waits for before the broker answers (up to fetchMaxWaitMs): higher means fewer, ` +
            `larger fetches and more latency. Default ${defaults.fetchMinBytes}.`,
        ),
      fetchMaxWaitMs: z
        .int()
        .min(0)
        .max(60_000)
        .optional()
        .describe(
          `Longest time the broker holds a fetch waiting for fetchMinBytes. Default ${defaults.fetchMaxWaitMs}.`,
        ),
      maxBytesPerPartition: z
        .int()
        .min(1024)
        .max(104_857_600)
        .optional()
        .describe(
          `Most bytes one fetch returns per partition; raise it for large messages. ` +
            `Default ${defaults.maxBytesPerPartition}.`,
        ),
      maxPollRecords: z
        .int()
        .min(1)
        .max(100_000)
        .optional()
        .describe(
          `Most messages of one partition held by a consumer at once (waiting or being handled): at this count ` +
            `fetching from the partition pauses until half of them are done. Not Kafka's max.poll.records: how ` +
            `much one fetch returns is set by maxBytesPerPartition. Default ${defaults.maxPollRecords}.`,
        ),
    })
    .describe("Kafka consumer settings. Values set here win over the profile's."),
  [
    {
      cel: "!has(self.heartbeatIntervalMs) || !has(self.sessionTimeoutMs) || self.heartbeatIntervalMs * 3 <= self.sessionTimeoutMs",
      message: "consumer.heartbeatIntervalMs must be at most a third of consumer.sessionTimeoutMs",
      field: ["heartbeatIntervalMs"],
      holds: (c) =>
        c.heartbeatIntervalMs === undefined ||
        c.sessionTimeoutMs === undefined ||
        c.heartbeatIntervalMs * 3 <= c.sessionTimeoutMs,
    },
  ],
);

export const batchSpec = z
  .strictObject({
    size: z
      .int()
      .min(1)
      .max(10_000)
      .optional()
      .describe(
        `Messages handed to the handler at once. 16: lower latency; 32: balanced; 64-128: more throughput. ` +
          `Default ${builtinDefaults.batch.size}.`,
      ),
    maxWaitMs: z
      .int()
      .min(0)
      .max(60_000)
      .optional()
      .describe(
        `Longest wait for a batch to fill before handing over what arrived. Default ${builtinDefaults.batch.maxWaitMs}.`,
      ),
  })
  .describe("Batching, for the Buffered and Dedicated tiers only.");

export type ConsumerSpec = z.output<typeof consumerSpec>;
export type BatchSpec = z.output<typeof batchSpec>;
