// What every handler is to the runtime: something that completes a batch or throws. A per-message handler is
// a batch handler called with one message at a time, in order.
import type { ConsumedMessage, KafkaProducerClient } from "../client/contract.ts";
import type { Logger } from "../log.ts";

export interface Handler {
  /** Resolves when every message is done; rejects when the batch failed (it may be retried whole). */
  handle(messages: readonly ConsumedMessage[]): Promise<void>;
  close(): Promise<void>;
}

export interface HandlerContext {
  log: Logger;
  /** A connected producer, created on first use (forward-to-topic). */
  producer(): Promise<KafkaProducerClient>;
}
