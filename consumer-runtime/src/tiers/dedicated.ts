// Dedicated: the client runs in its own thread (fetching, decoding, heartbeats), passing packed batches to the
// handler's thread; a busy handler cannot starve heartbeats or fetches. Batches as in Buffered.
import { WorkerConsumerClient } from "../client/worker-client.ts";
import type { TierModule } from "./contract.ts";

export const dedicatedTier: TierModule = {
  name: "Dedicated",
  defaultClient: "kafkajs",
  createClient: async (client, options, config) =>
    new WorkerConsumerClient({ client, options, maxOutstandingBytes: Math.max(config.buffer.maxBytes / 4, 1 << 20) }),
  batching: (config) => ({ batchSize: config.batch.size, batchMaxWaitMs: config.batch.maxWaitMs }),
};
