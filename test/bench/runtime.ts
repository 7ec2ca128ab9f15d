// Throughput benchmark of the consumer runtime (not a test): on the local stack, pre-produce N messages of S
// bytes, then measure one after another Kafka's own ConsumerPerformance (the yardstick) and every tier x client
// with the noop handler. Prints a table and writes test/bench/results/runtime.json.
//
//   node test/bench/runtime.ts [--messages 1000000] [--size 100] [--partitions 12] [--json]
//                              [--tiers Standard,Buffered,Dedicated] [--clients kafkajs,platformatic] [--profile]
//                              [--repeat 1] [--latency-seconds 5]
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { Kafka, logLevel } from "kafkajs";
import type { RuntimeConfigInput } from "../../consumer-runtime/src/config.ts";
import { connectAdmin } from "../../operator/src/kafka/admin.ts";
import { muteKafkajsTimerWarning } from "../../operator/src/kafka/kafkajs-timer-warning.ts";
import { runTool, stackEnv, uniqueName } from "../support/stack-env.ts";
import {
  killAllRuntimes,
  parseLine,
  repoRoot,
  scrapeMetric,
  spawnRuntime,
  stopRuntime,
  waitFor,
} from "./runtime-harness.ts";

// This process talks to Kafka with kafkajs; its one known timer warning is noise (see the module).
muteKafkajsTimerWarning();

const { values: args } = parseArgs({
  options: {
    messages: { type: "string", default: "1000000" },
    size: { type: "string", default: "100" },
    partitions: { type: "string", default: "12" },
    json: { type: "boolean", default: false },
    tiers: { type: "string", default: "Standard,Buffered,Dedicated" },
    clients: { type: "string", default: "kafkajs,platformatic" },
    profile: { type: "boolean", default: false },
    "latency-seconds": { type: "string", default: "5" },
    /** Runs of each tier x client; the median is reported (the machine is shared and noisy). */
    repeat: { type: "string", default: "1" },
  },
});
const messages = Number(args.messages);
const size = Number(args.size);
const partitions = Number(args.partitions);
const tiers = args.tiers.split(",") as ("Standard" | "Buffered" | "Dedicated")[];
const clients = args.clients.split(",") as ("kafkajs" | "platformatic")[];
const resultsDir = join(repoRoot, "test/bench/results");
const say = (line: string) => {
  if (!args.json) process.stderr.write(`${line}\n`);
};

interface Row {
  tier: string;
  client: string;
  msgPerSec: number;
  mbPerSec: number;
  p50Ms: number | null;
  p99Ms: number | null;
  rssMb: number;
  /** CPU time (all threads) per message: unlike msg/s, barely moved by other load on a shared machine. */
  cpuUsPerMsg: number;
  ratioToYardstick: number;
}

const env = stackEnv();
const bootstrap = env.kafka.bootstrap;
const admin = await connectAdmin({ bootstrapServers: [bootstrap] });
const createdTopics: string[] = [];

async function prepareTopic(): Promise<string> {
  const topic = uniqueName("bench-runtime");
  await admin.createTopic(topic, partitions);
  createdTopics.push(topic);
  say(`producing ${messages} x ${size} B into ${topic} (${partitions} partitions) with kafka-producer-perf-test`);
  await runTool("kafka-producer-perf-test", [
    "--topic",
    topic,
    "--num-records",
    String(messages),
    "--record-size",
    String(size),
    "--throughput",
    "-1",
    "--producer-props",
    `bootstrap.servers=${bootstrap}`,
    "acks=1",
    "linger.ms=20",
    "batch.size=262144",
    "compression.type=none",
  ]);
  const produced = (await admin.logOffsets([topic])).reduce((sum, p) => sum + p.logEndOffset, 0);
  if (produced !== messages) throw new Error(`produced ${produced}, expected ${messages}`);
  return topic;
}

/** Kafka's ConsumerPerformance: fetch rate without rebalance time, the ceiling for any client on this box. */
async function yardstick(topic: string): Promise<{ msgPerSec: number; mbPerSec: number }> {
  const out = await runTool("kafka-consumer-perf-test", [
    "--bootstrap-server",
    bootstrap,
    "--topic",
    topic,
    "--num-records",
    String(messages),
    "--group",
    uniqueName("bench-yardstick"),
    "--timeout",
    "120000",
  ]);
  const lines = out.trim().split("\n");
  const header = (lines.find((l) => l.includes("nMsg.sec")) ?? "").split(",").map((s) => s.trim());
  const values = (lines.at(-1) ?? "").split(",").map((s) => s.trim());
  const field = (name: string) => Number(values[header.indexOf(name)]);
  return { msgPerSec: field("fetch.nMsg.sec"), mbPerSec: field("fetch.MB.sec") };
}

function peakRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

/** CPU seconds (user + system, all threads) the process used so far. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
  // utime and stime are fields 14 and 15 of /proc/<pid>/stat, in clock ticks (100 per second on Linux).
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function baseConfig(topic: string, tier: string, client: string): RuntimeConfigInput {
  return {
    groupId: uniqueName(`bench-${tier}-${client}`),
    topics: [topic],
    startFrom: "earliest",
    tier: tier as RuntimeConfigInput["tier"],
    client: client as RuntimeConfigInput["client"],
    kafka: { bootstrapServers: [bootstrap] },
    log: { level: "info" },
  };
}

/** Consumes the pre-produced topic with the noop handler; rate from first to last processed message. */
async function throughput(topic: string, tier: string, client: string) {
  const profileDir = join(resultsDir, "profiles", `${tier}-${client}`);
  const extraEnv: Record<string, string> = {};
  if (args.profile) {
    rmSync(profileDir, { recursive: true, force: true });
    extraEnv.NODE_OPTIONS = `--cpu-prof --cpu-prof-dir=${profileDir}`;
  }
  const runtime = await spawnRuntime(baseConfig(topic, tier, client), { env: extraEnv, waitReady: false });
  const cpuAtStart = cpuSeconds(runtime.pid);
  try {
    // From the moment the group assigned partitions (the runtime's own log clock) to the first scrape that sees
    // every message processed; at that point the runtime is idle, so the scrape answers at once.
    await waitFor(
      async () =>
        ((await scrapeMetric(runtime.port, "lagpilot_runtime_messages_processed_total")) ?? 0) >= messages
          ? true
          : undefined,
      600_000,
      `${tier}/${client} did not process ${messages} messages`,
      20,
    );
    const doneAt = Date.now();
    const assigned = runtime.lines
      .map(parseLine)
      .find((l) => l?.msg === "partitions assigned" && Array.isArray(l.partitions) && l.partitions.length > 0);
    if (!assigned) throw new Error(`${tier}/${client}: no "partitions assigned" log line`);
    const msgPerSec = messages / ((doneAt - Date.parse(String(assigned.time))) / 1000);
    const rssMb = peakRssMb(runtime.pid);
    const cpuUsPerMsg = ((cpuSeconds(runtime.pid) - cpuAtStart) * 1e6) / messages;
    await stopRuntime(runtime);
    return { msgPerSec, mbPerSec: (msgPerSec * size) / 1e6, rssMb, cpuUsPerMsg, profileDir };
  } catch (error) {
    await stopRuntime(runtime, "SIGKILL");
    throw error;
  }
}

/** Standard tier only: messages produced at a steady rate onto an idle consumer, produce-to-handler time. */
async function latency(client: string): Promise<{ p50Ms: number | null; p99Ms: number | null }> {
  const topic = uniqueName("bench-latency");
  await admin.createTopic(topic, partitions);
  createdTopics.push(topic);
  const latencyFile = join(resultsDir, `latency-${client}.json`);
  const config: RuntimeConfigInput = {
    ...baseConfig(topic, "Standard", client),
    startFrom: "latest",
    processing: { handler: { module: { path: join(repoRoot, "test/bench/runtime-latency-handler.ts") } } },
  };
  const runtime = await spawnRuntime(config, { env: { LATENCY_FILE: latencyFile } });
  const kafka = new Kafka({ brokers: [bootstrap], logLevel: logLevel.NOTHING });
  const producer = kafka.producer();
  await producer.connect();
  // 1,000 msg/s: one message per millisecond-ish tick, spread over partitions by key.
  const until = Date.now() + Number(args["latency-seconds"]) * 1000;
  let i = 0;
  while (Date.now() < until) {
    await producer.send({ topic, acks: 1, messages: [{ key: `k${i % 64}`, value: "x".repeat(size) }] });
    i++;
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  await producer.disconnect();
  await waitFor(
    async () =>
      ((await scrapeMetric(runtime.port, "lagpilot_runtime_messages_processed_total")) ?? 0) >= i ? true : undefined,
    60_000,
    "latency messages processed",
  );
  await stopRuntime(runtime);
  const result = JSON.parse(readFileSync(latencyFile, "utf8")) as { p50Ms: number; p99Ms: number };
  rmSync(latencyFile, { force: true });
  return result;
}

/**
 * Top self-time functions of each CPU profile in `dir` (written by --cpu-prof; one file per thread), as
 * "share% name (file:line)". Idle time ("(idle)", "(program)") stays in, so the shares add up to the wall time.
 */
function summarizeProfile(dir: string, top = 10): string[] {
  const out: string[] = [];
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(".cpuprofile"))
    .sort();
  for (const file of files) {
    const profile = JSON.parse(readFileSync(join(dir, file), "utf8")) as {
      nodes: { callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number }[];
    };
    const self = new Map<string, number>();
    let total = 0;
    for (const node of profile.nodes) {
      const hits = node.hitCount ?? 0;
      total += hits;
      const where = node.callFrame.url
        .replace(/^.*node_modules\//, "")
        .replace(/^file:\/\/.*?\/consumer-runtime\//, "");
      const name = `${node.callFrame.functionName || "(anonymous)"} (${where || "native"}:${node.callFrame.lineNumber + 1})`;
      self.set(name, (self.get(name) ?? 0) + hits);
    }
    // CPU.<date>.<time>.<pid>.<thread id>.<seq>.cpuprofile; thread 0 is the main thread.
    const tid = file.split(".")[4];
    const thread = tid === "0" ? "main thread" : `worker thread ${tid}`;
    out.push(`  ${thread}:`);
    for (const [name, hits] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top)) {
      out.push(`  ${((hits / total) * 100).toFixed(1).padStart(5)}%  ${name}`);
    }
  }
  return out;
}

mkdirSync(resultsDir, { recursive: true });
const rows: Row[] = [];
const profiles: Record<string, string[]> = {};
let yard: { msgPerSec: number; mbPerSec: number };
try {
  const topic = await prepareTopic();
  yard = await yardstick(topic);
  say(`yardstick (ConsumerPerformance): ${Math.round(yard.msgPerSec)} msg/s`);
  for (const tier of tiers) {
    for (const client of clients) {
      const runs = [];
      for (let r = 0; r < Number(args.repeat); r++) runs.push(await throughput(topic, tier, client));
      runs.sort((a, b) => a.msgPerSec - b.msgPerSec);
      const t = runs[Math.floor(runs.length / 2)] as (typeof runs)[number];
      const lat = tier === "Standard" ? await latency(client) : { p50Ms: null, p99Ms: null };
      const row: Row = {
        tier,
        client,
        msgPerSec: Math.round(t.msgPerSec),
        mbPerSec: Number(t.mbPerSec.toFixed(2)),
        p50Ms: lat.p50Ms,
        p99Ms: lat.p99Ms,
        rssMb: Math.round(t.rssMb),
        cpuUsPerMsg: Number(t.cpuUsPerMsg.toFixed(2)),
        ratioToYardstick: Number((t.msgPerSec / yard.msgPerSec).toFixed(3)),
      };
      rows.push(row);
      if (args.profile) profiles[`${tier}/${client}`] = summarizeProfile(t.profileDir);
      say(
        `${tier}/${client}: ${row.msgPerSec} msg/s, ${row.cpuUsPerMsg} CPU us/msg, p99 ${row.p99Ms ?? "-"} ms, peak RSS ${row.rssMb} MB`,
      );
    }
  }
} finally {
  await killAllRuntimes();
  const raw = new Kafka({ brokers: [bootstrap], logLevel: logLevel.NOTHING }).admin();
  await raw.connect();
  await raw.deleteTopics({ topics: createdTopics }).catch(() => {});
  await raw.disconnect();
  await admin.close();
}

const result = {
  settings: { messages, size, partitions },
  yardstick: { msgPerSec: Math.round(yard.msgPerSec), mbPerSec: yard.mbPerSec },
  rows,
  ...(args.profile ? { profiles } : {}),
};
writeFileSync(join(resultsDir, "runtime.json"), `${JSON.stringify(result, null, 2)}\n`);

if (args.json) {
  process.stdout.write(`${JSON.stringify(result)}\n`);
} else {
  const targets: Record<string, number> = { Standard: 15_000, Buffered: 75_000, Dedicated: 150_000 };
  const header = [
    "tier",
    "client",
    "msg/s",
    "MB/s",
    "p50 ms",
    "p99 ms",
    "RSS MB",
    "CPU us/msg",
    "x yardstick",
    "target",
  ];
  const table = [
    header,
    [
      "yardstick",
      "ConsumerPerformance",
      String(Math.round(yard.msgPerSec)),
      yard.mbPerSec.toFixed(2),
      "-",
      "-",
      "-",
      "1",
      "-",
    ],
    ...rows.map((r) => [
      r.tier,
      r.client,
      String(r.msgPerSec),
      r.mbPerSec.toFixed(2),
      String(r.p50Ms ?? "-"),
      String(r.p99Ms ?? "-"),
      String(r.rssMb),
      r.cpuUsPerMsg.toFixed(2),
      r.ratioToYardstick.toFixed(3),
      `${r.msgPerSec >= (targets[r.tier] ?? 0) ? "met" : "below"} ${targets[r.tier]}`,
    ]),
  ];
  const widths = header.map((_, i) => Math.max(...table.map((row) => (row[i] ?? "").length)));
  for (const row of table) console.log(row.map((cell, i) => cell.padEnd(widths[i] as number)).join("  "));
  for (const [name, lines] of Object.entries(profiles))
    console.log(`\nprofile ${name} (self time):\n${lines.join("\n")}`);
  console.log(`\nwritten: ${join(resultsDir, "runtime.json")}`);
}
