// Standard: the client on the main thread, one message per handler call, handed over the moment it arrives.
import { createConsumerClient } from "../client/index.ts";
import type { TierModule } from "./contract.ts";

export const standardTier: TierModule = {
  name: "Standard",
  defaultClient: "kafkajs",
  createClient: (client, options) => createConsumerClient(client, options),
  batching: () => ({ batchSize: 1, batchMaxWaitMs: 0 }),
};
