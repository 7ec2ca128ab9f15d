// Runs a Kafka client in a worker thread: fetching, decoding and heartbeats happen here, so a handler that keeps
// the main thread busy never delays them. Batches cross over packed, by transfer. Fetching pauses when the main
// thread falls behind by more than maxOutstandingBytes.
import { parentPort, workerData } from "node:worker_threads";
import { partitionId, type TopicPartition } from "./contract.ts";
import { createConsumerClient } from "./index.ts";
import { packBatch } from "./pack.ts";
import type { FromWorker, ToWorker, WorkerSetup } from "./worker-protocol.ts";

const setup = workerData as WorkerSetup;
const port = parentPort;
if (!port) throw new Error("worker-entry.ts must run as a worker thread");
const client = await createConsumerClient(setup.client, setup.options);
const post = (message: FromWorker, transfer?: ArrayBuffer[]) => port.postMessage(message, transfer ?? []);

let assignment: TopicPartition[] = [];
const pausedByMain = new Set<string>();
let outstanding = 0;
let throttled = false;

function throttle(): void {
  if (!throttled && outstanding > setup.maxOutstandingBytes) {
    throttled = true;
    client.pause(assignment);
  } else if (throttled && outstanding <= setup.maxOutstandingBytes / 2) {
    throttled = false;
    client.resume(assignment.filter((p) => !pausedByMain.has(partitionId(p.topic, p.partition))));
  }
}

async function call(message: Extract<ToWorker, { type: "call" }>): Promise<void> {
  switch (message.method) {
    case "connect":
      return client.connect();
    case "subscribe":
      return client.subscribe(message.topics, message.startFrom);
    case "commit":
      return client.commit(message.offsets);
    case "close":
      return client.close();
    case "run":
      return client.run({
        onBatch(batch) {
          const packed = packBatch(batch);
          outstanding += packed.buffer.byteLength;
          post({ type: "batch", batch: packed }, [packed.buffer]);
          throttle();
        },
        onAssigned(next) {
          assignment = next;
          if (throttled) client.pause(assignment);
          post({ type: "assigned", assignment: next });
        },
        onRebalancing: () => post({ type: "rebalancing" }),
        onFatal: (error) => post({ type: "fatal", error: error.message }),
        onReconnecting: (error, attempt, delayMs) =>
          post({ type: "reconnecting", error: error.message, attempt, delayMs }),
      });
  }
}

port.on("message", (message: ToWorker) => {
  switch (message.type) {
    case "call":
      call(message).then(
        () => post({ type: "reply", id: message.id }),
        (error: Error) => post({ type: "reply", id: message.id, error: error.message }),
      );
      return;
    case "pause":
      for (const p of message.partitions) pausedByMain.add(partitionId(p.topic, p.partition));
      if (!throttled) client.pause(message.partitions);
      return;
    case "resume":
      for (const p of message.partitions) pausedByMain.delete(partitionId(p.topic, p.partition));
      if (!throttled) client.resume(message.partitions);
      return;
    case "seek":
      client.seek(message.partition);
      return;
    case "credit":
      outstanding -= message.bytes;
      throttle();
      return;
  }
});
