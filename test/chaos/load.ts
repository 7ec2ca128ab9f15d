// Steady load: Kafka's own ProducerPerformance (kafka-producer-perf-test) at a fixed rate, a process apart
// from the harness so its timing does not bend the figures. Marker records (poison, slow) come from a small
// kafkajs producer.
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { join } from "node:path";
import { Kafka, logLevel } from "kafkajs";

export interface Load {
  /** Resolves when every record was sent (or the producer was stopped). */
  done: Promise<void>;
  stop(): Promise<void>;
  output(): string;
}

export interface LoadOptions {
  binDir: string;
  bootstrap: string;
  topic: string;
  records: number;
  ratePerSecond: number;
  recordBytes: number;
}

export function startLoad(options: LoadOptions): Load {
  const child: ChildProcess = spawn(
    join(options.binDir, "kafka-producer-perf-test"),
    [
      "--topic",
      options.topic,
      "--num-records",
      String(options.records),
      "--record-size",
      String(options.recordBytes),
      "--throughput",
      String(options.ratePerSecond),
      "--producer-props",
      `bootstrap.servers=${options.bootstrap}`,
      "acks=all",
      "linger.ms=5",
      // Through a 60 s broker freeze: records wait, they are not dropped after the default 2 minutes.
      "delivery.timeout.ms=300000",
      "max.block.ms=300000",
    ],
    { stdio: ["ignore", "pipe", "pipe"], detached: true },
  );
  let text = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    text = (text + chunk.toString("utf8")).slice(-20_000);
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    text = (text + chunk.toString("utf8")).slice(-20_000);
  });
  const exited = once(child, "exit").then(() => undefined);
  return {
    done: exited,
    output: () => text,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      // Bounded: a producer that ignores SIGTERM for 10 s is killed.
      const signal = (name: NodeJS.Signals) => {
        try {
          process.kill(-(child.pid as number), name);
        } catch {}
      };
      const within = (ms: number) =>
        Promise.race([exited.then(() => true), new Promise<boolean>((r) => setTimeout(r, ms, false).unref())]);
      signal("SIGTERM");
      if (await within(10_000)) return;
      signal("SIGKILL");
      await within(10_000);
    },
  };
}

/** Sends one record with the given value to one partition. */
export async function sendMarker(bootstrap: string, topic: string, partition: number, value: string): Promise<void> {
  const producer = new Kafka({ brokers: [bootstrap], logLevel: logLevel.NOTHING }).producer();
  await producer.connect();
  try {
    await producer.send({ topic, acks: -1, messages: [{ partition, value }] });
  } finally {
    await producer.disconnect();
  }
}

/** "partition/offset" of every record in the dead-letter topic, from the headers the runtime writes. */
export async function deadLetteredRecords(bootstrap: string, topic: string, expected: number): Promise<Set<string>> {
  const found = new Set<string>();
  if (expected === 0) return found;
  const kafka = new Kafka({ brokers: [bootstrap], logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `chaos-dlq-reader-${Date.now()}` });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  let seen = 0;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, 30_000);
    void consumer.run({
      eachMessage: async ({ message }) => {
        seen += 1;
        const h = message.headers ?? {};
        found.add(`${String(h["lagpilot.dlq.original.partition"])}/${String(h["lagpilot.dlq.original.offset"])}`);
        if (seen >= expected) {
          clearTimeout(timer);
          resolve();
        }
      },
    });
  });
  await consumer.disconnect();
  return found;
}
