// The client contract, served by a client running in a worker thread (see worker-entry.ts).
import { Worker } from "node:worker_threads";
import type { ConsumerListener, KafkaConsumerClient, OffsetToCommit, TopicPartition } from "./contract.ts";
import { unpackBatch } from "./pack.ts";
import type { FromWorker, ToWorker, WorkerSetup } from "./worker-protocol.ts";

type CallRequest = Extract<ToWorker, { type: "call" }>;
type CallBody = CallRequest extends infer R ? (R extends CallRequest ? Omit<R, "id" | "type"> : never) : never;

export class WorkerConsumerClient implements KafkaConsumerClient {
  readonly name: string;
  readonly #worker: Worker;
  readonly #pending = new Map<number, { resolve: () => void; reject: (error: Error) => void }>();
  #nextId = 1;
  #listener: ConsumerListener | undefined;
  #closing = false;

  constructor(setup: WorkerSetup) {
    this.name = `${setup.client}@worker`;
    this.#worker = new Worker(new URL("./worker-entry.ts", import.meta.url), { workerData: setup });
    this.#worker.on("message", (message: FromWorker) => this.#receive(message));
    this.#worker.on("error", (error) => this.#fail(error));
    this.#worker.on("exit", (code) => {
      if (!this.#closing) this.#fail(new Error(`the Kafka client thread exited (code ${code})`));
    });
  }

  #receive(message: FromWorker): void {
    switch (message.type) {
      case "batch": {
        const bytes = message.batch.buffer.byteLength;
        this.#listener?.onBatch(unpackBatch(message.batch));
        this.#post({ type: "credit", bytes });
        return;
      }
      case "assigned":
        this.#listener?.onAssigned(message.assignment);
        return;
      case "rebalancing":
        this.#listener?.onRebalancing();
        return;
      case "fatal":
        this.#fail(new Error(message.error));
        return;
      case "reconnecting":
        this.#listener?.onReconnecting(new Error(message.error), message.attempt, message.delayMs);
        return;
      case "reply": {
        const waiter = this.#pending.get(message.id);
        this.#pending.delete(message.id);
        if (message.error === undefined) waiter?.resolve();
        else waiter?.reject(new Error(message.error));
        return;
      }
    }
  }

  #fail(error: Error): void {
    for (const waiter of this.#pending.values()) waiter.reject(error);
    this.#pending.clear();
    this.#listener?.onFatal(error);
  }

  #post(message: ToWorker): void {
    this.#worker.postMessage(message);
  }

  #call(body: CallBody): Promise<void> {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#post({ ...body, type: "call", id } as CallRequest);
    });
  }

  connect(): Promise<void> {
    return this.#call({ method: "connect" });
  }

  subscribe(topics: string[], startFrom: "earliest" | "latest"): Promise<void> {
    return this.#call({ method: "subscribe", topics, startFrom });
  }

  run(listener: ConsumerListener): Promise<void> {
    this.#listener = listener;
    return this.#call({ method: "run" });
  }

  pause(partitions: TopicPartition[]): void {
    if (partitions.length) this.#post({ type: "pause", partitions: plain(partitions) });
  }

  resume(partitions: TopicPartition[]): void {
    if (partitions.length) this.#post({ type: "resume", partitions: plain(partitions) });
  }

  seek({ topic, partition, offset }: OffsetToCommit): void {
    this.#post({ type: "seek", partition: { topic, partition, offset } });
  }

  commit(offsets: OffsetToCommit[]): Promise<void> {
    return this.#call({ method: "commit", offsets });
  }

  async close(): Promise<void> {
    this.#closing = true;
    try {
      await this.#call({ method: "close" });
    } finally {
      await this.#worker.terminate();
    }
  }
}

/** Structured clone copies only own data; strip anything else (tracks carry private state). */
function plain(partitions: TopicPartition[]): TopicPartition[] {
  return partitions.map((p) => ({ topic: p.topic, partition: p.partition }));
}
