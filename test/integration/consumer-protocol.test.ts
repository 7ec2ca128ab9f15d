// The consumer group protocol (KIP-848) on the real Kafka: a member joining a group under steady load takes some
// partitions, and those that stay with the first member are never stopped: no revoke-everything rebalance.
import assert from "node:assert/strict";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { Kafka, logLevel } from "kafkajs";
import type { RuntimeConfigInput } from "../../consumer-runtime/src/config.ts";
import { connectAdmin } from "../../operator/src/kafka/admin.ts";
import { analyzeEvent, type HandledRecord } from "../bench/rebalance-analysis.ts";
import {
  killAllRuntimes,
  parseLine,
  spawnRuntime,
  stopRuntime,
  waitFor,
  writeModule,
} from "../bench/runtime-harness.ts";
import { stackEnv, uniqueName } from "../support/stack-env.ts";

const recorderSource = `
import { appendFileSync } from "node:fs";
export async function handleBatch(messages) {
  const now = Date.now();
  let out = "";
  for (const m of messages) out += process.env.MEMBER + " " + m.partition + " " + m.offset + " " + m.value.toString() + " " + now + "\\n";
  appendFileSync(process.env.RECORD_FILE, out);
}
`;

function readRecords(file: string): HandledRecord[] {
  return readFileSync(file, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => {
      const [member, partition, offset, producedAt, handledAt] = line.split(" ");
      return {
        member: member as string,
        partition: Number(partition),
        offset: Number(offset),
        producedAtMs: Number(producedAt),
        handledAtMs: Number(handledAt),
      };
    });
}

describe("consumer group protocol (KIP-848)", () => {
  const env = stackEnv();
  const bootstrap = env.kafka.bootstrap;
  const handler = writeModule(recorderSource);
  const topic = uniqueName("kip848");

  after(async () => {
    await killAllRuntimes();
    const raw = new Kafka({ brokers: [bootstrap], logLevel: logLevel.NOTHING }).admin();
    await raw.connect();
    await raw.deleteTopics({ topics: [topic] }).catch(() => {});
    await raw.disconnect();
    rmSync(handler.dir, { recursive: true, force: true });
  });

  it("a joining member takes partitions without interrupting those that stay", async () => {
    const partitions = 6;
    const admin = await connectAdmin({ bootstrapServers: [bootstrap] });
    await admin.createTopic(topic, partitions);
    assert.equal(await admin.supportsConsumerProtocol(), true, "the local Kafka speaks KIP-848");
    const file = join(handler.dir, "records.txt");
    writeFileSync(file, "");
    const groupId = uniqueName("kip848-group");
    const config: RuntimeConfigInput = {
      groupId,
      topics: [topic],
      startFrom: "earliest",
      tier: "Standard",
      consumer: { groupProtocol: "consumer" },
      kafka: { bootstrapServers: [bootstrap] },
      processing: { handler: { module: { path: handler.path } } },
    };

    // Steady load: one record per partition every 20 ms, its value the time it was sent.
    const producer = new Kafka({ brokers: [bootstrap], logLevel: logLevel.NOTHING }).producer();
    await producer.connect();
    let producing = true;
    const load = (async () => {
      while (producing) {
        const sentAt = String(Date.now());
        await producer.send({
          topic,
          acks: 1,
          messages: Array.from({ length: partitions }, (_, partition) => ({ partition, value: sentAt })),
        });
        await sleep(20);
      }
    })();

    try {
      const first = await spawnRuntime(config, { env: { RECORD_FILE: file, MEMBER: "a", POD_NAME: `${groupId}-a` } });
      await waitFor(async () => (readRecords(file).length > 0 ? true : undefined), 30_000, "first member handles");
      await sleep(4000);
      const joinedAt = Date.now();
      const second = await spawnRuntime(config, { env: { RECORD_FILE: file, MEMBER: "b", POD_NAME: `${groupId}-b` } });
      await waitFor(
        async () => (readRecords(file).some((r) => r.member === "b") ? true : undefined),
        30_000,
        "second member handles",
      );
      await sleep(4000);
      producing = false;
      await load;
      await sleep(1000);
      const figures = analyzeEvent(readRecords(file), {
        name: "1 -> 2",
        startMs: joinedAt,
        endMs: Date.now() - 1000,
        started: [{ member: "b", atMs: joinedAt }],
      });
      assert.ok(figures.partitionsMoved > 0 && figures.partitionsStayed > 0, JSON.stringify(figures));
      // The broker revoked only the partitions that moved: the first member's assignment shrank once, from all
      // partitions to the ones it kept, with no empty assignment between.
      const assignments = first.lines
        .map(parseLine)
        .filter((l) => l?.msg === "partitions assigned")
        .map((l) => ((l?.partitions ?? []) as string[]).length);
      // (A member may first be confirmed with an empty assignment.)
      const sinceFirstPartitions = assignments.slice(assignments.findIndex((n) => n > 0));
      assert.deepEqual(sinceFirstPartitions, [partitions, figures.partitionsStayed], first.lines.join("\n"));
      // Staying partitions were never stopped for a rebalance: no record of theirs waited as long as one broker
      // heartbeat (1 s on the test broker), the least a stop-the-world rebalance of the classic protocol takes.
      assert.ok((figures.stayed.p99Ms ?? 0) < 1000, JSON.stringify(figures));
      assert.equal(figures.duplicates, 0, JSON.stringify(figures));
      assert.equal(await stopRuntime(second), 0);
      assert.equal(await stopRuntime(first), 0);
    } finally {
      producing = false;
      await load;
      await producer.disconnect();
      await admin.close();
    }
  });
});
