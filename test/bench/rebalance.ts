// Scale events under steady load (not a test): a group on 12 partitions scaled 1 -> 2 -> 4 -> 2 -> 1 members,
// per group protocol and client. The consumers run as processes of the consumer runtime (Standard tier, runtime
// defaults, a recording handler), not as Pods: this measures the client and the protocol, not Kubernetes.
// Per event (rebalance-analysis.ts): extra latency of partitions that stayed and that moved, a new member's
// time to its first record, records processed twice, and the whole group's longest pause. Prints a table and
// writes test/bench/results/rebalance.json.
//
//   node test/bench/rebalance.ts [--cases consumer/platformatic,classic/platformatic,classic/kafkajs]
//                                [--rate 600] [--window-seconds 12] [--json]
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import { Kafka, logLevel } from "kafkajs";
import type { RuntimeConfigInput } from "../../consumer-runtime/src/config.ts";
import { connectAdmin } from "../../operator/src/kafka/admin.ts";
import { stackEnv, uniqueName } from "../support/stack-env.ts";
import { analyzeEvent, type EventFigures, type HandledRecord, type ScaleEvent } from "./rebalance-analysis.ts";
import {
  killAllRuntimes,
  type RuntimeProcess,
  repoRoot,
  spawnRuntime,
  stopRuntime,
  writeModule,
} from "./runtime-harness.ts";

const { values: args } = parseArgs({
  options: {
    cases: { type: "string", default: "consumer/platformatic,classic/platformatic,classic/kafkajs" },
    rate: { type: "string", default: "600" },
    "window-seconds": { type: "string", default: "12" },
    json: { type: "boolean", default: false },
  },
});
const partitions = 12;
const rate = Number(args.rate);
const windowMs = Number(args["window-seconds"]) * 1000;
/** 1 -> 2 -> 4 -> 2 -> 1. */
const steps = [2, 4, 2, 1];
const say = (line: string) => {
  if (!args.json) process.stderr.write(`${line}\n`);
};

// One line per handled record: member partition offset producedAtMs handledAtMs.
const recorderSource = `
import { appendFileSync } from "node:fs";
const file = process.env.RECORD_FILE;
const member = process.env.MEMBER;
export async function handleBatch(messages) {
  const now = Date.now();
  let out = "";
  for (const m of messages) out += member + " " + m.partition + " " + m.offset + " " + m.value.toString() + " " + now + "\\n";
  appendFileSync(file, out);
}
`;

interface Case {
  protocol: "consumer" | "classic";
  client: "platformatic" | "kafkajs";
}

interface CaseResult extends Case {
  events: EventFigures[];
}

const env = stackEnv();
const bootstrap = env.kafka.bootstrap;
const admin = await connectAdmin({ bootstrapServers: [bootstrap] });
const handler = writeModule(recorderSource);
const topics: string[] = [];

/** Produces one record per partition every tick, its value the time it was sent. */
async function startLoad(topic: string): Promise<() => Promise<void>> {
  const kafka = new Kafka({ brokers: [bootstrap], clientId: "lagpilot-bench-load", logLevel: logLevel.NOTHING });
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const tickMs = Math.max(1, Math.round((1000 * partitions) / rate));
  let running = true;
  const loop = (async () => {
    let next = Date.now();
    while (running) {
      const sentAt = String(Date.now());
      const messages = Array.from({ length: partitions }, (_, partition) => ({ partition, value: sentAt }));
      await producer.send({ topic, messages, acks: 1 });
      next += tickMs;
      const wait = next - Date.now();
      if (wait > 0) await sleep(wait);
      else next = Date.now();
    }
  })();
  return async () => {
    running = false;
    await loop;
    await producer.disconnect();
  };
}

function readRecords(file: string): HandledRecord[] {
  const text = readFileSync(file, "utf8");
  const records: HandledRecord[] = [];
  for (const line of text.split("\n")) {
    if (!line) continue;
    const [member, partition, offset, producedAt, handledAt] = line.split(" ");
    records.push({
      member: member as string,
      partition: Number(partition),
      offset: Number(offset),
      producedAtMs: Number(producedAt),
      handledAtMs: Number(handledAt),
    });
  }
  return records;
}

async function runCase(c: Case): Promise<CaseResult> {
  const topic = uniqueName("bench-rebalance");
  await admin.createTopic(topic, partitions);
  topics.push(topic);
  const file = join(handler.dir, `${topic}.txt`);
  writeFileSync(file, "");
  const groupId = uniqueName("bench-rebalance-group");
  const config: RuntimeConfigInput = {
    groupId,
    topics: [topic],
    startFrom: "earliest",
    tier: "Standard",
    client: c.client,
    kafka: { bootstrapServers: [bootstrap] },
    // The classic protocol's heartbeat matches the test broker's consumer-protocol heartbeat (1 s).
    consumer: { groupProtocol: c.protocol, sessionTimeoutMs: 10_000, heartbeatIntervalMs: 1000 },
    processing: { handler: { module: { path: handler.path } } },
    shutdown: { gracePeriodMs: 10_000 },
  };
  const members: RuntimeProcess[] = [];
  let counter = 0;
  const start = async (): Promise<{ member: string; atMs: number }> => {
    const member = `m${++counter}`;
    const atMs = Date.now();
    members.push(
      await spawnRuntime(config, {
        env: { RECORD_FILE: file, MEMBER: member, POD_NAME: `${groupId}-${member}` },
        waitReady: false,
        // A loaded machine can take long to start Node; the event's clock starts before the spawn anyway.
        timeoutMs: 180_000,
      }),
    );
    return { member, atMs };
  };
  const stopping: Promise<unknown>[] = [];

  const stopLoad = await startLoad(topic);
  await start();
  // Steady state with one member before the first event.
  const deadline = Date.now() + 180_000;
  while (readRecords(file).length === 0 && Date.now() < deadline) await sleep(200);
  await sleep(5000);

  const events: ScaleEvent[] = [];
  let current = 1;
  for (const target of steps) {
    const startMs = Date.now();
    const started: { member: string; atMs: number }[] = [];
    if (target > current) {
      const starting = Array.from({ length: target - current }, () => start());
      started.push(...(await Promise.all(starting)));
    } else {
      for (let i = target; i < current; i++) {
        const proc = members.pop() as RuntimeProcess;
        stopping.push(stopRuntime(proc, "SIGTERM"));
      }
    }
    events.push({ name: `${current} -> ${target}`, startMs, endMs: startMs + windowMs, started });
    say(`${c.protocol}/${c.client}: ${current} -> ${target}`);
    current = target;
    await sleep(startMs + windowMs - Date.now());
  }
  await stopLoad();
  await sleep(3000);
  await Promise.all(members.map((m) => stopRuntime(m, "SIGTERM")));
  await Promise.all(stopping);
  const records = readRecords(file);
  return { ...c, events: events.map((event) => analyzeEvent(records, event)) };
}

const fmt = (v: number | null) => (v === null ? "-" : String(Math.round(v)));

function table(results: CaseResult[]): string {
  const header =
    "| protocol | client | event | moved | stayed p50 / p99 / max ms | moved p50 / p99 / max ms | first record ms | processed twice | group pause ms |";
  const rows = results.flatMap((r) =>
    r.events.map(
      (e) =>
        `| ${r.protocol} | ${r.client} | ${e.name} | ${e.partitionsMoved} | ${fmt(e.stayed.p50Ms)} / ${fmt(e.stayed.p99Ms)} / ${fmt(e.stayed.maxMs)} | ` +
        `${fmt(e.moved.p50Ms)} / ${fmt(e.moved.p99Ms)} / ${fmt(e.moved.maxMs)} | ${fmt(e.firstRecordMs)} | ${e.duplicates} | ${fmt(e.groupPauseMs)} |`,
    ),
  );
  return [header, "| --- | --- | --- | ---: | --- | --- | ---: | ---: | ---: |", ...rows].join("\n");
}

/** The goals, judged for the consumer protocol: stayed p99 <= 100 ms, moved max <= 1.5 s, no duplicates. */
function goals(results: CaseResult[]) {
  return results
    .filter((r) => r.protocol === "consumer")
    .map((r) => ({
      client: r.client,
      stayedP99Within100Ms: r.events.every((e) => (e.stayed.p99Ms ?? 0) <= 100),
      movedMaxWithin1500Ms: r.events.every((e) => (e.moved.maxMs ?? 0) <= 1500),
      noDuplicates: r.events.every((e) => e.duplicates === 0),
    }));
}

const cases = args.cases.split(",").map((name) => {
  const [protocol, client] = name.split("/");
  return { protocol, client } as Case;
});
const results: CaseResult[] = [];
try {
  for (const c of cases) results.push(await runCase(c));
} finally {
  await killAllRuntimes();
  const raw = new Kafka({ brokers: [bootstrap], logLevel: logLevel.NOTHING }).admin();
  await raw.connect();
  await raw.deleteTopics({ topics }).catch(() => {});
  await raw.disconnect();
  await admin.close();
  rmSync(handler.dir, { recursive: true, force: true });
}

const output = {
  note:
    "Consumers ran as consumer-runtime processes (Standard tier, runtime defaults), not Pods: the figures are " +
    "the client's and the protocol's. Extra latency is produce-to-handle latency above the median of the 3 s " +
    "before each event.",
  rate,
  partitions,
  windowMs,
  brokerHeartbeatMs: 1000,
  results,
  goals: goals(results),
};
const resultsDir = join(repoRoot, "test/bench/results");
mkdirSync(resultsDir, { recursive: true });
writeFileSync(join(resultsDir, "rebalance.json"), `${JSON.stringify(output, null, 2)}\n`);
if (args.json) process.stdout.write(`${JSON.stringify(output, null, 2)}\n`);
else {
  process.stdout.write(
    `${output.note}\n${rate} msg/s over ${partitions} partitions, ${windowMs / 1000} s per event\n\n`,
  );
  process.stdout.write(`${table(results)}\n\ngoals (consumer protocol): ${JSON.stringify(output.goals)}\n`);
}
