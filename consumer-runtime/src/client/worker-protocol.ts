// Messages between the runtime's main thread and the worker thread that runs a Kafka client (Dedicated tier).
import type { ClientName } from "../config.ts";
import type { ConsumerClientOptions, OffsetToCommit, TopicPartition } from "./contract.ts";
import type { PackedBatch } from "./pack.ts";

export interface WorkerSetup {
  client: ClientName;
  options: ConsumerClientOptions;
  /** Bytes the worker may have handed over and not yet had credited back before it pauses fetching. */
  maxOutstandingBytes: number;
}

export type ToWorker =
  | { type: "call"; id: number; method: "connect" | "run" | "close" }
  | { type: "call"; id: number; method: "subscribe"; topics: string[]; startFrom: "earliest" | "latest" }
  | { type: "call"; id: number; method: "commit"; offsets: OffsetToCommit[] }
  | { type: "pause" | "resume"; partitions: TopicPartition[] }
  | { type: "seek"; partition: OffsetToCommit }
  | { type: "credit"; bytes: number };

export type FromWorker =
  | { type: "reply"; id: number; error?: string }
  | { type: "batch"; batch: PackedBatch }
  | { type: "assigned"; assignment: TopicPartition[] }
  | { type: "rebalancing" }
  | { type: "fatal"; error: string }
  | { type: "reconnecting"; error: string; attempt: number; delayMs: number };
