// Buffered: the client on the main thread; the handler gets batch.size messages, or what arrived within
// batch.maxWaitMs.
import { createConsumerClient } from "../client/index.ts";
import type { TierModule } from "./contract.ts";

export const bufferedTier: TierModule = {
  name: "Buffered",
  defaultClient: "kafkajs",
  createClient: (client, options) => createConsumerClient(client, options),
  batching: (config) => ({ batchSize: config.batch.size, batchMaxWaitMs: config.batch.maxWaitMs }),
};
