// The consumer runtime as a real process against the local stack's real Kafka: ordering, no loss across SIGKILL
// and rebalances, dead letters with their headers, a clean SIGTERM, and SASL/SCRAM.
import assert from "node:assert/strict";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { after, afterEach, before, describe, it } from "node:test";
import { Kafka, logLevel } from "kafkajs";
import type { RuntimeConfigInput } from "../../consumer-runtime/src/config.ts";
import { connectAdmin, type KafkaAdmin } from "../../operator/src/kafka/admin.ts";
import { muteKafkajsTimerWarning } from "../../operator/src/kafka/kafkajs-timer-warning.ts";
import {
  killAllRuntimes,
  parseLine,
  produce,
  type RuntimeProcess,
  scrapeMetric,
  spawnRuntime,
  stopRuntime,
  waitFor,
  writeModule,
} from "../bench/runtime-harness.ts";
import { OwnKafka } from "../support/own-kafka.ts";
import { runTool, stackEnv, uniqueName } from "../support/stack-env.ts";

// This process talks to Kafka with kafkajs; its one known timer warning is noise (see the module).
muteKafkajsTimerWarning();

// Records "partition key offset sequence" per handled message, after an optional delay; throws on poison.
const recorderSource = `
import { appendFileSync } from "node:fs";
const file = process.env.RECORD_FILE;
const delayMs = Number(process.env.DELAY_MS ?? 0);
const poison = process.env.POISON;
export async function handleBatch(messages) {
  let out = "";
  for (const m of messages) {
    const value = m.value.toString();
    if (poison && value.startsWith(poison)) throw new Error("poison message " + value.slice(0, 12));
    out += m.partition + " " + (m.key ? m.key.toString() : "-") + " " + m.offset + " " + value.split(":")[0] + "\\n";
  }
  if (delayMs) await new Promise((resolve) => setTimeout(resolve, delayMs * messages.length));
  appendFileSync(file, out);
}
`;

interface Record {
  partition: number;
  key: string;
  offset: number;
  seq: number;
}

function readRecords(file: string): Record[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => {
      const [partition, key, offset, seq] = line.split(" ");
      return { partition: Number(partition), key: key as string, offset: Number(offset), seq: Number(seq) };
    });
}

describe("consumer runtime against real Kafka", () => {
  const env = stackEnv();
  const bootstrap = env.kafka.bootstrap;
  const handler = writeModule(recorderSource);
  const topics: string[] = [];
  const cleanup: string[] = [handler.dir];
  let admin: KafkaAdmin;

  const newTopic = async (partitions: number) => {
    const topic = uniqueName("rt");
    await admin.createTopic(topic, partitions);
    topics.push(topic);
    return topic;
  };
  const recordFile = () => {
    const file = `${handler.dir}/${uniqueName("records")}.txt`;
    writeFileSync(file, "");
    return file;
  };
  const config = (over: Partial<RuntimeConfigInput> & { topics: string[] }): RuntimeConfigInput => {
    const cfg: RuntimeConfigInput = {
      groupId: uniqueName("rt-group"),
      startFrom: "earliest",
      kafka: { bootstrapServers: [bootstrap] },
      processing: { handler: { module: { path: handler.path } }, commit: { mode: "interval", intervalMs: 100 } },
      consumer: { sessionTimeoutMs: 10_000, heartbeatIntervalMs: 1000, rebalanceTimeoutMs: 20_000 },
      shutdown: { gracePeriodMs: 10_000 },
      ...over,
    };
    // kafkajs speaks only the classic group protocol.
    if (cfg.client === "kafkajs") cfg.consumer = { ...cfg.consumer, groupProtocol: "classic" };
    return cfg;
  };
  const committedTotal = async (groupId: string, topic: string) =>
    (await admin.committedOffsets(groupId, [topic])).reduce((sum, p) => sum + Math.max(0, p.offset), 0);
  // What "everything committed" means: the log's end, not the count sent. A producer retrying a send whose
  // acknowledgement timed out on a busy machine writes some records twice.
  const logEndTotal = async (topic: string) =>
    (await admin.logOffsets([topic])).reduce((sum, p) => sum + p.logEndOffset, 0);

  before(async () => {
    admin = await connectAdmin({ bootstrapServers: [bootstrap] });
  });
  afterEach(async () => {
    await killAllRuntimes();
  });
  after(async () => {
    await killAllRuntimes();
    const kafka = new Kafka({ brokers: [bootstrap], logLevel: logLevel.NOTHING });
    const raw = kafka.admin();
    await raw.connect();
    await raw.deleteTopics({ topics }).catch(() => {});
    await raw.disconnect();
    await admin?.close();
    for (const path of cleanup) rmSync(path, { recursive: true, force: true });
  });

  const orderingCases: {
    name: string;
    tier: "Standard" | "Buffered" | "Dedicated";
    client: "kafkajs" | "platformatic";
    ordering: "partition" | "key";
    concurrency: number;
  }[] = [
    {
      name: "Standard/kafkajs keeps order per partition",
      tier: "Standard",
      client: "kafkajs",
      ordering: "partition",
      concurrency: 3,
    },
    {
      name: "Buffered/platformatic keeps order per key with 4 workers",
      tier: "Buffered",
      client: "platformatic",
      ordering: "key",
      concurrency: 4,
    },
    {
      name: "Dedicated/kafkajs keeps order per key with 4 workers",
      tier: "Dedicated",
      client: "kafkajs",
      ordering: "key",
      concurrency: 4,
    },
  ];
  for (const c of orderingCases) {
    it(c.name, async () => {
      const topic = await newTopic(3);
      const total = 3000;
      await produce({ bootstrap, topic, count: total, keys: 24 });
      const file = recordFile();
      const runtime = await spawnRuntime(
        config({
          topics: [topic],
          tier: c.tier,
          client: c.client,
          batch: { size: 16, maxWaitMs: 20 },
          processing: {
            handler: { module: { path: handler.path } },
            ordering: c.ordering,
            concurrency: c.concurrency,
            commit: { mode: "batch", intervalMs: 100 },
          },
        }),
        { env: { RECORD_FILE: file } },
      );
      await waitFor(async () => (readRecords(file).length >= total ? true : undefined), 60_000, "all messages handled");
      await stopRuntime(runtime);
      const records = readRecords(file);
      assert.equal(new Set(records.map((r) => r.seq)).size, total);
      const lane = (r: Record) => (c.ordering === "partition" ? String(r.partition) : `${r.partition}/${r.key}`);
      const last = new Map<string, number>();
      for (const r of records) {
        const previous = last.get(lane(r)) ?? -1;
        assert.ok(r.offset > previous, `lane ${lane(r)}: offset ${r.offset} handled after ${previous}`);
        last.set(lane(r), r.offset);
      }
    });
  }

  it("loses nothing when killed with SIGKILL mid-batch and restarted", async () => {
    const topic = await newTopic(4);
    const total = 4000;
    await produce({ bootstrap, topic, count: total });
    const file = recordFile();
    const cfg = config({ topics: [topic], tier: "Buffered", batch: { size: 50, maxWaitMs: 10 } });
    const runtimeEnv = { RECORD_FILE: file, DELAY_MS: "0.5" };
    const first = await spawnRuntime(cfg, { env: runtimeEnv });
    await waitFor(async () => (readRecords(file).length >= 1000 ? true : undefined), 60_000, "first thousand handled");
    assert.equal(await stopRuntime(first, "SIGKILL"), null);
    const beforeKill = readRecords(file).length;
    assert.ok(beforeKill < total, "killed before the end");

    const second = await spawnRuntime(cfg, { env: runtimeEnv });
    await waitFor(
      async () => (new Set(readRecords(file).map((r) => r.seq)).size >= total ? true : undefined),
      90_000,
      "every message handled after the restart",
    );
    await waitFor(
      async () => ((await committedTotal(cfg.groupId, topic)) === (await logEndTotal(topic)) ? true : undefined),
      30_000,
      "all committed",
    );
    await stopRuntime(second);
    const records = readRecords(file);
    const seen = new Set(records.map((r) => r.seq));
    for (let i = 0; i < total; i++) assert.ok(seen.has(i), `message ${i} was lost`);
    // Duplicates come only from work handled but not yet committed at the kill. The handler sleeps DELAY_MS
    // per message with one batch at a time, so it handles at most 1000 / DELAY_MS messages a second; a commit
    // goes out every commit interval, and the last one may not be acknowledged before the kill: at most two
    // intervals of work at that rate, plus the batch that finished between the last tick and the kill.
    const kills = 1;
    const maxRatePerSecond = 1000 / Number(runtimeEnv.DELAY_MS);
    const intervalMs = cfg.processing?.commit?.intervalMs ?? 0;
    const batchSize = cfg.batch?.size ?? 0;
    const bound = kills * (Math.ceil((maxRatePerSecond * 2 * intervalMs) / 1000) + batchSize);
    const duplicates = records.length - seen.size;
    assert.ok(duplicates <= bound, `duplicates ${duplicates} above ${bound} (commit interval x rate x kills)`);
  });

  it("a SIGKILLed static member (same Pod name) gets its partitions back without rebalancing the others", async () => {
    const topic = await newTopic(4);
    const total = 4000;
    await produce({ bootstrap, topic, count: total });
    const file = recordFile();
    // The classic protocol: under KIP-848 the broker refuses a static member's instance id (UNRELEASED_INSTANCE_ID)
    // until the killed holder's session has expired, since the library never leaves temporarily.
    const cfg = config({
      topics: [topic],
      tier: "Standard",
      client: "platformatic",
      consumer: {
        groupProtocol: "classic",
        sessionTimeoutMs: 10_000,
        heartbeatIntervalMs: 1000,
        rebalanceTimeoutMs: 20_000,
      },
    });
    const podA = uniqueName("pod-a");
    const envA = { RECORD_FILE: file, DELAY_MS: "2", POD_NAME: podA };
    const first = await spawnRuntime(cfg, { env: envA });
    const other = await spawnRuntime(cfg, { env: { RECORD_FILE: file, DELAY_MS: "2", POD_NAME: uniqueName("pod-b") } });
    const otherAssignments = () => scrapeMetric(other.port, "lagpilot_runtime_rebalances_total");
    await waitFor(
      async () =>
        ((await scrapeMetric(first.port, "lagpilot_runtime_rebalances_total")) ?? 0) >= 2 &&
        ((await otherAssignments()) ?? 0) >= 1 &&
        readRecords(file).length >= 200
          ? true
          : undefined,
      60_000,
      "both members assigned and handling",
    );
    // A cooperative rebalance runs in rounds: take the count once it held still for two seconds.
    const before = await waitFor(
      async () => {
        const seen = await otherAssignments();
        await new Promise((resolve) => setTimeout(resolve, 2000));
        return seen === (await otherAssignments()) ? seen : undefined;
      },
      30_000,
      "the group settled",
    );
    assert.equal(await stopRuntime(first, "SIGKILL"), null);
    const back = await spawnRuntime(cfg, { env: envA });
    await waitFor(
      async () => (new Set(readRecords(file).map((r) => r.seq)).size >= total ? true : undefined),
      90_000,
      "every message handled",
    );
    assert.ok(
      ((await scrapeMetric(back.port, "lagpilot_runtime_messages_processed_total")) ?? 0) > 0,
      "took its partitions back",
    );
    assert.equal(await otherAssignments(), before, "the other member was not rebalanced");
    // A static member that stops gracefully still leaves the group: the other takes over before the session ends.
    await stopRuntime(back);
    await produce({ bootstrap, topic, count: 400 });
    const stoppedAt = Date.now();
    await waitFor(
      async () =>
        new Set(readRecords(file).map((r) => `${r.partition}:${r.offset}`)).size >= total + 400 ? true : undefined,
      30_000,
      "the second batch handled",
    );
    assert.ok(Date.now() - stoppedAt < 8000, `took over ${Date.now() - stoppedAt} ms after a graceful stop`);
    await stopRuntime(other);
  });

  it("rebalances without loss when a second instance joins", async () => {
    const topic = await newTopic(6);
    const total = 6000;
    await produce({ bootstrap, topic, count: total });
    const file = recordFile();
    const cfg = config({ topics: [topic], tier: "Standard", client: "platformatic" });
    const runtimeEnv = { RECORD_FILE: file, DELAY_MS: "1" };
    const first = await spawnRuntime(cfg, { env: runtimeEnv });
    await waitFor(async () => (readRecords(file).length >= 500 ? true : undefined), 60_000, "first messages handled");
    const second: RuntimeProcess = await spawnRuntime(cfg, { env: runtimeEnv });
    await waitFor(
      async () => (new Set(readRecords(file).map((r) => r.seq)).size >= total ? true : undefined),
      120_000,
      "every message handled by the two instances",
    );
    const rebalances = await scrapeMetric(first.port, "lagpilot_runtime_rebalances_total");
    assert.ok((rebalances ?? 0) >= 2, `first instance saw ${rebalances} assignments`);
    const handledBySecond = await scrapeMetric(second.port, "lagpilot_runtime_messages_processed_total");
    assert.ok((handledBySecond ?? 0) > 0, "the second instance took partitions over");
    await Promise.all([stopRuntime(first), stopRuntime(second)]);
    assert.equal(await committedTotal(cfg.groupId, topic), await logEndTotal(topic));
  });

  const growthCases: { name: string; client: "kafkajs" | "platformatic"; restartAfterFirstCommits: boolean }[] = [
    {
      name: "startFrom latest: records produced to a grown topic's new partitions right after growth are all handled",
      client: "kafkajs",
      restartAfterFirstCommits: false,
    },
  ];
  for (const c of growthCases)
    it(c.name, async () => {
      // Kafka's own fallback would start the new partitions at their end: whatever producers wrote before the
      // group noticed them would be skipped (docs/adr/0008).
      const topic = await newTopic(2);
      const file = recordFile();
      const cfg = config({ topics: [topic], tier: "Standard", client: c.client, startFrom: "latest" });
      let runtime = await spawnRuntime(cfg, { env: { RECORD_FILE: file } });
      // Consuming: a probe produced now is handled (with latest, what came before the group started is not).
      await waitFor(
        async () => {
          await produce({ bootstrap, topic, count: 1, value: () => "999999:probe" });
          await new Promise((resolve) => setTimeout(resolve, 500));
          return readRecords(file).length > 0 ? true : undefined;
        },
        60_000,
        "consuming",
      );
      await produce({ bootstrap, topic, count: 100 });
      await waitFor(
        async () => (readRecords(file).filter((r) => r.seq < 100).length >= 100 ? true : undefined),
        60_000,
        "the first records handled",
      );
      if (c.restartAfterFirstCommits) {
        await waitFor(
          async () => ((await committedTotal(cfg.groupId, topic)) >= 101 ? true : undefined),
          30_000,
          "the first records committed",
        );
        assert.equal(await stopRuntime(runtime), 0);
        runtime = await spawnRuntime(cfg, { env: { RECORD_FILE: file } });
      }

      // The operator's own growth call, then records straight into the new partitions.
      await admin.createPartitions(topic, 4);
      const kafka = new Kafka({ brokers: [bootstrap], logLevel: logLevel.NOTHING });
      const producer = kafka.producer({ allowAutoTopicCreation: false });
      await producer.connect();
      const perPartition = 150;
      for (const partition of [2, 3]) {
        const messages = Array.from({ length: perPartition }, (_, i) => ({
          partition,
          key: null,
          value: `${1000 + partition * perPartition + i}:grown`,
        }));
        await producer.send({ topic, acks: -1, messages });
      }
      await producer.disconnect();

      // Once the group holds the new partitions, one more record on each: when it is handled, everything
      // before it on that partition was either handled or skipped for good.
      await waitFor(
        async () => {
          const assigned = runtime.lines
            .map(parseLine)
            .filter((l) => l?.msg === "partitions assigned")
            .pop();
          return ((assigned?.partitions as string[] | undefined) ?? []).length === 4 ? true : undefined;
        },
        120_000,
        "the new partitions assigned",
      );
      const after = new Kafka({ brokers: [bootstrap], logLevel: logLevel.NOTHING }).producer();
      await after.connect();
      await after.send({
        topic,
        acks: -1,
        messages: [2, 3].map((partition) => ({ partition, key: null, value: `${2000 + partition}:last` })),
      });
      await after.disconnect();
      await waitFor(
        async () =>
          [2, 3].every((p) => readRecords(file).some((r) => r.partition === p && r.offset === perPartition))
            ? true
            : undefined,
        60_000,
        "the last record of each new partition handled",
      );
      assert.equal(await stopRuntime(runtime), 0);
      for (const partition of [2, 3]) {
        const offsets = new Set(
          readRecords(file)
            .filter((r) => r.partition === partition)
            .map((r) => r.offset),
        );
        for (let offset = 0; offset < perPartition; offset++) {
          assert.ok(offsets.has(offset), `partition ${partition}: offset ${offset} was skipped`);
        }
      }
    });

  it("a member beyond the partition count is ready: joined the group and healthy, no partition needed", async () => {
    // replicas > partitions (or a rollout's surge Pod): an unready standby would block rollouts and node drains.
    const topic = await newTopic(1);
    const cfg = config({ topics: [topic], tier: "Standard" });
    const first = await spawnRuntime(cfg);
    const second = await spawnRuntime(cfg); // resolves only once /readyz answers 200
    // The latest "partitions assigned" log line of a member: how many it holds now.
    const assigned = (member: RuntimeProcess) => {
      const last = member.lines
        .map(parseLine)
        .filter((l) => l?.msg === "partitions assigned")
        .pop();
      return ((last?.partitions as string[] | undefined) ?? []).length;
    };
    await waitFor(
      async () => (assigned(first) + assigned(second) === 1 ? true : undefined),
      30_000,
      "one member holds the only partition",
    );
    for (const member of [first, second]) {
      const res = await fetch(`http://127.0.0.1:${member.port}/readyz`);
      assert.equal(res.status, 200, await res.text());
    }
    await Promise.all([stopRuntime(first), stopRuntime(second)]);
  });

  it("sends a poison message to the dead-letter topic with its headers and moves on", async () => {
    const topic = await newTopic(2);
    const deadLetter = await newTopic(1);
    const total = 200;
    await produce({ bootstrap, topic, count: total, keys: 4 });
    const file = recordFile();
    const cfg = config({
      topics: [topic],
      tier: "Buffered",
      batch: { size: 20, maxWaitMs: 10 },
      processing: {
        handler: { module: { path: handler.path } },
        retries: { max: 2, backoffMs: 10, maxBackoffMs: 50 },
        deadLetter: { topic: deadLetter },
        commit: { mode: "batch", intervalMs: 100 },
      },
    });
    const startedAt = Date.now();
    const runtime = await spawnRuntime(cfg, { env: { RECORD_FILE: file, POISON: "77:" } });
    await waitFor(
      async () => ((await committedTotal(cfg.groupId, topic)) === (await logEndTotal(topic)) ? true : undefined),
      60_000,
      "all committed",
    );
    assert.equal(await scrapeMetric(runtime.port, "lagpilot_runtime_messages_dead_lettered_total"), 1);
    await stopRuntime(runtime);
    const handled = new Set(readRecords(file).map((r) => r.seq));
    assert.equal(handled.size, total - 1);
    assert.equal(handled.has(77), false);

    const kafka = new Kafka({ brokers: [bootstrap], logLevel: logLevel.NOTHING });
    const consumer = kafka.consumer({ groupId: uniqueName("dlq-reader") });
    await consumer.connect();
    await consumer.subscribe({ topics: [deadLetter], fromBeginning: true });
    const headers = await new Promise<{ [name: string]: string }>((resolve) => {
      void consumer.run({
        eachMessage: async ({ message }) => {
          resolve(
            Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)])) as {
              [name: string]: string;
            },
          );
        },
      });
    });
    await consumer.disconnect();
    assert.equal(headers["lagpilot.dlq.original.topic"], topic);
    assert.match(headers["lagpilot.dlq.original.partition"] ?? "", /^[01]$/);
    assert.match(headers["lagpilot.dlq.original.offset"] ?? "", /^\d+$/);
    assert.equal(headers["lagpilot.dlq.error.message"], "poison message 77:xxxxxxxxx");
    assert.equal(headers["lagpilot.dlq.attempts"], "4");
    const firstFailure = Date.parse(headers["lagpilot.dlq.first.failure.time"] ?? "");
    assert.ok(firstFailure >= startedAt - 1000 && firstFailure <= Date.now());
  });

  // A poison record on partition 0 with the dead-letter topic missing (the record cannot be written anywhere, so
  // its partition must wait: at-least-once) and with no dead-letter topic at all (the record is skipped). The
  // records behind the poison are more than consumer.maxPollRecords, enough to pause partition 0; the other
  // partitions' records come only once the poison waits. @platformatic/kafka, the default client under the
  // consumer protocol, pauses whole streams: pausing partition 0 would stop every partition.
  const poisonCases: { name: string; deadLetter: "missing" | "none"; poisonPartitionMovesOn: boolean }[] = [
    {
      name: "a poison whose dead-letter topic is missing stops only its partition; the others are handled and committed",
      deadLetter: "missing",
      poisonPartitionMovesOn: false,
    },
    {
      name: "a poison with no dead-letter topic is skipped; every partition is handled and committed",
      deadLetter: "none",
      poisonPartitionMovesOn: true,
    },
  ];
  for (const c of poisonCases)
    it(c.name, async () => {
      const topic = await newTopic(4);
      const file = recordFile();
      const batchSize = 20;
      const cfg = config({
        topics: [topic],
        tier: "Buffered",
        batch: { size: batchSize, maxWaitMs: 10 },
        consumer: {
          sessionTimeoutMs: 10_000,
          heartbeatIntervalMs: 1000,
          rebalanceTimeoutMs: 20_000,
          maxPollRecords: 50,
        },
        processing: {
          handler: { module: { path: handler.path } },
          retries: { max: 1, backoffMs: 10, maxBackoffMs: 50 },
          ...(c.deadLetter === "missing" ? { deadLetter: { topic: `${topic}-no-such-dlq` } } : {}),
          commit: { mode: "interval", intervalMs: 100 },
        },
      });
      const runtime = await spawnRuntime(cfg, { env: { RECORD_FILE: file, POISON: "poison" } });
      const kafka = new Kafka({ brokers: [bootstrap], logLevel: logLevel.NOTHING });
      const producer = kafka.producer({ allowAutoTopicCreation: false });
      await producer.connect();
      try {
        const perPartition = 200;
        const records = (partition: number, from: number) =>
          Array.from({ length: perPartition }, (_, i) => ({ partition, value: `${from + i}:p${partition}` }));
        await producer.send({
          topic,
          acks: -1,
          messages: [{ partition: 0, value: "poison:p0" }, ...records(0, 0)],
        });
        await waitFor(
          async () =>
            runtime.lines.some((l) => parseLine(l)?.msg === "message failed after its last retry") ? true : undefined,
          60_000,
          "the poison failed its last retry",
        );
        for (const partition of [1, 2, 3]) {
          await producer.send({ topic, acks: -1, messages: records(partition, partition * 1000) });
        }
        const logEnd = new Map((await admin.logOffsets([topic])).map((p) => [p.partition, p.logEndOffset]));
        const committed = async () =>
          new Map((await admin.committedOffsets(cfg.groupId, [topic])).map((p) => [p.partition, p.offset]));
        await waitFor(
          async () => {
            const now = await committed();
            return [1, 2, 3].every((p) => now.get(p) === logEnd.get(p)) ? true : undefined;
          },
          60_000,
          "partitions 1, 2 and 3 committed to their ends",
        );
        const handled = readRecords(file);
        for (const partition of [1, 2, 3]) {
          const seqs = new Set(handled.filter((r) => r.partition === partition).map((r) => r.seq));
          assert.equal(seqs.size, perPartition, `partition ${partition}: every record handled`);
        }
        if (c.poisonPartitionMovesOn) {
          await waitFor(
            async () => ((await committed()).get(0) === logEnd.get(0) ? true : undefined),
            60_000,
            "partition 0 committed past the skipped poison",
          );
        } else {
          // Nothing at or after the poison (offset 0) may be committed while its dead letter is not written.
          assert.ok(((await committed()).get(0) ?? -1) <= 0, "partition 0 committed past a poison not dead-lettered");
          // The poison's own batch is handled record by record (only the poison fails); nothing after it runs.
          const behind = handled.filter((r) => r.partition === 0).length;
          assert.ok(behind < batchSize, `partition 0 went on past its poison: ${behind} records handled`);
        }
        assert.equal(runtime.child.exitCode, null, "the runtime keeps running");
      } finally {
        await producer.disconnect();
      }
      await stopRuntime(runtime);
    });

  // The broker of its own (test/support/own-kafka.ts): the stack's broker serves every other test. Down for
  // longer than @platformatic/kafka retries a fetch (about 6 s), so the client's stream gives up while the broker
  // is away; the runtime must start it again once the broker is back, not exit and leave its partitions unread.
  it("consumer protocol: a broker killed and restarted finds the group consuming again, nothing lost", async () => {
    const kafka = await OwnKafka.start();
    const own = await connectAdmin({ bootstrapServers: [kafka.bootstrap] }).catch(async (error) => {
      await kafka.stop();
      throw error;
    });
    try {
      const topic = uniqueName("rt-restart");
      await own.createTopic(topic, 4);
      const file = recordFile();
      const cfg = config({ topics: [topic], tier: "Buffered", kafka: { bootstrapServers: [kafka.bootstrap] } });
      const members = [
        await spawnRuntime(cfg, { env: { RECORD_FILE: file, POD_NAME: uniqueName("pod-a") } }),
        await spawnRuntime(cfg, { env: { RECORD_FILE: file, POD_NAME: uniqueName("pod-b") } }),
      ];
      const distinct = () => new Set(readRecords(file).map((r) => `${r.partition}:${r.offset}`)).size;
      await produce({ bootstrap: kafka.bootstrap, topic, count: 2000, keys: 0 });
      await waitFor(async () => (distinct() >= 2000 ? true : undefined), 90_000, "the first records handled");
      await kafka.kill("SIGKILL");
      await new Promise((resolve) => setTimeout(resolve, 12_000));
      await kafka.restart();
      await produce({ bootstrap: kafka.bootstrap, topic, count: 2000, keys: 0, value: (i) => `${2000 + i}:` });
      const logEnd = async () => (await own.logOffsets([topic])).reduce((sum, p) => sum + p.logEndOffset, 0);
      await waitFor(
        async () => (distinct() >= (await logEnd()) ? true : undefined),
        120_000,
        "every record handled after the broker came back",
      );
      const seqs = new Set(readRecords(file).map((r) => r.seq));
      for (let i = 0; i < 4000; i++) assert.ok(seqs.has(i), `record ${i} was never handled`);
      for (const member of members) assert.equal(member.child.exitCode, null, "the runtime kept running");
      assert.ok(
        members.some((m) => m.lines.some((l) => parseLine(l)?.msg === "reconnecting to Kafka")),
        "the outage was long enough to make a stream give up",
      );
      await waitFor(
        async () => {
          const committed = (await own.committedOffsets(cfg.groupId, [topic])).reduce(
            (s, p) => s + Math.max(0, p.offset),
            0,
          );
          return committed === (await logEnd()) ? true : undefined;
        },
        60_000,
        "everything committed",
      );
      for (const member of members) assert.equal(await stopRuntime(member), 0);
    } finally {
      await killAllRuntimes();
      await own.close().catch(() => {});
      await kafka.stop();
    }
  });

  it("consumer protocol: a member frozen past its session joins the group again and stops reading what it lost", async () => {
    const topic = await newTopic(4);
    const file = recordFile();
    const cfg = config({ topics: [topic], tier: "Buffered" });
    const frozen = await spawnRuntime(cfg, { env: { RECORD_FILE: file, POD_NAME: uniqueName("pod-a") } });
    const other = await spawnRuntime(cfg, { env: { RECORD_FILE: file, POD_NAME: uniqueName("pod-b") } });
    const distinct = () => new Set(readRecords(file).map((r) => `${r.partition}:${r.offset}`)).size;
    const assignedSince = (member: RuntimeProcess, sinceMs: number) =>
      member.lines
        .map(parseLine)
        .filter((l) => l?.msg === "partitions assigned" && Date.parse(String(l.time)) >= sinceMs)
        .map((l) => (l?.partitions as string[] | undefined) ?? []);
    await produce({ bootstrap, topic, count: 1000, keys: 0 });
    await waitFor(async () => (distinct() >= 1000 ? true : undefined), 60_000, "the first records handled");
    // The stack's broker ends a consumer-protocol session after 10 s without a heartbeat.
    frozen.child.kill("SIGSTOP");
    try {
      await new Promise((resolve) => setTimeout(resolve, 16_000));
    } finally {
      frozen.child.kill("SIGCONT");
    }
    const thawedAt = Date.now();
    await waitFor(
      async () => (assignedSince(frozen, thawedAt).some((partitions) => partitions.length > 0) ? true : undefined),
      60_000,
      "the thawed member holds partitions again",
    );
    await produce({ bootstrap, topic, count: 1000, keys: 0, value: (i) => `${1000 + i}:` });
    await waitFor(
      async () => (distinct() >= (await logEndTotal(topic)) ? true : undefined),
      60_000,
      "every record handled",
    );
    await waitFor(
      async () => ((await committedTotal(cfg.groupId, topic)) === (await logEndTotal(topic)) ? true : undefined),
      30_000,
      "everything committed",
    );
    // Each partition has one owner again: the last assignments of the two members do not overlap.
    const latest = (member: RuntimeProcess) => assignedSince(member, thawedAt).pop() ?? [];
    const mine = new Set(latest(frozen));
    assert.ok(
      latest(other).every((p) => !mine.has(p)),
      `both members hold a partition: ${[...mine]} and ${latest(other)}`,
    );
    for (const member of [frozen, other]) assert.equal(await stopRuntime(member), 0);
  });

  it("on SIGTERM commits what is done, leaves the group and exits 0", async () => {
    const topic = await newTopic(3);
    const total = 1500;
    await produce({ bootstrap, topic, count: total });
    const file = recordFile();
    // A long commit interval: only the shutdown path can have committed everything.
    const cfg = config({
      topics: [topic],
      tier: "Dedicated",
      client: "platformatic",
      processing: { handler: { module: { path: handler.path } }, commit: { mode: "interval", intervalMs: 600_000 } },
    });
    const runtime = await spawnRuntime(cfg, { env: { RECORD_FILE: file } });
    await waitFor(async () => (readRecords(file).length >= total ? true : undefined), 60_000, "all handled");
    assert.equal(await stopRuntime(runtime, "SIGTERM"), 0);
    assert.equal(await committedTotal(cfg.groupId, topic), await logEndTotal(topic));
    const members = await runTool("kafka-consumer-groups", [
      "--bootstrap-server",
      bootstrap,
      "--describe",
      "--members",
      "--group",
      cfg.groupId,
    ]);
    const memberRows = members.split("\n").filter((line) => line.startsWith(cfg.groupId));
    assert.deepEqual(memberRows, [], members);
  });

  it("keeps its buffers bounded under a backlog by pausing partitions", async () => {
    const topic = await newTopic(4);
    await produce({ bootstrap, topic, count: 20_000 });
    const maxMessages = 500;
    const runtime = await spawnRuntime(
      config({
        topics: [topic],
        tier: "Buffered",
        batch: { size: 10, maxWaitMs: 5 },
        buffer: { maxMessages, maxBytes: 64 * 1024 * 1024 },
        // Small fetches: the bound is soft by at most one fetch response.
        consumer: { sessionTimeoutMs: 10_000, heartbeatIntervalMs: 1000, maxBytesPerPartition: 4096 },
        processing: { handler: { builtin: { name: "simulate-work", workMs: 0.2, workKind: "sleep" } } },
      }),
    );
    let maxBuffered = 0;
    let sawPause = false;
    for (let i = 0; i < 30; i++) {
      maxBuffered = Math.max(
        maxBuffered,
        (await scrapeMetric(runtime.port, "lagpilot_runtime_buffered_messages")) ?? 0,
      );
      sawPause ||= ((await scrapeMetric(runtime.port, "lagpilot_runtime_paused_partitions")) ?? 0) > 0;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await stopRuntime(runtime);
    assert.ok(sawPause, "partitions were paused while the handler was behind");
    assert.ok(maxBuffered > 0 && maxBuffered <= maxMessages + 4 * 200, `held at most ${maxBuffered} messages`);
  });

  it("Dedicated keeps its group membership while the handler blocks the main thread longer than the session", async () => {
    const topic = await newTopic(1);
    await produce({ bootstrap, topic, count: 2 });
    const cfg = config({
      topics: [topic],
      tier: "Dedicated",
      client: "kafkajs",
      batch: { size: 1, maxWaitMs: 0 },
      consumer: { sessionTimeoutMs: 6000, heartbeatIntervalMs: 1000, rebalanceTimeoutMs: 20_000 },
      // 8 s of CPU per message: longer than the 6 s session timeout.
      processing: {
        handler: { builtin: { name: "simulate-work", workMs: 8000, workKind: "cpu" } },
        commit: { mode: "batch", intervalMs: 100 },
      },
    });
    const runtime = await spawnRuntime(cfg);
    await waitFor(
      async () => ((await committedTotal(cfg.groupId, topic)) === 2 ? true : undefined),
      60_000,
      "both handled",
    );
    assert.equal(await scrapeMetric(runtime.port, "lagpilot_runtime_rebalances_total"), 1, "no rebalance happened");
    assert.equal(await stopRuntime(runtime), 0);
  });

  it("consumes through the SASL/SCRAM listener with credentials from mounted files", async () => {
    const topic = await newTopic(2);
    const total = 300;
    await produce({ bootstrap, topic, count: total });
    const file = recordFile();
    const secretDir = writeModule("").dir;
    cleanup.push(secretDir);
    writeFileSync(`${secretDir}/username`, `${env.kafka.sasl.username}\n`);
    writeFileSync(`${secretDir}/password`, `${env.kafka.sasl.password}\n`);
    for (const client of ["kafkajs", "platformatic"] as const) {
      const cfg = config({
        topics: [topic],
        client,
        kafka: {
          bootstrapServers: [env.kafka.saslBootstrap],
          sasl: {
            mechanism: "scram-sha-512",
            usernameFile: `${secretDir}/username`,
            passwordFile: `${secretDir}/password`,
          },
        },
      });
      writeFileSync(file, "");
      const runtime = await spawnRuntime(cfg, { env: { RECORD_FILE: file } });
      await waitFor(
        async () => (readRecords(file).length >= total ? true : undefined),
        60_000,
        `${client}: all handled`,
      );
      assert.equal(await stopRuntime(runtime), 0);
      assert.equal(await committedTotal(cfg.groupId, topic), await logEndTotal(topic), client);
    }
  });
});
