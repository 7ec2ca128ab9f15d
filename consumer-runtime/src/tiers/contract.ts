// A tier is a choice of where the Kafka client runs and how work reaches the handler. One module per tier.
import type { ConsumerClientOptions, KafkaConsumerClient } from "../client/contract.ts";
import type { ClientName, RuntimeConfig, Tier } from "../config.ts";

export interface TierModule {
  readonly name: Tier;
  /** The client library used when the config says `client: auto` (measured: docs/adr/0003). */
  readonly defaultClient: ClientName;
  createClient(client: ClientName, options: ConsumerClientOptions, config: RuntimeConfig): Promise<KafkaConsumerClient>;
  /** Messages per handler call and how long a partial batch may wait. */
  batching(config: RuntimeConfig): { batchSize: number; batchMaxWaitMs: number };
}
