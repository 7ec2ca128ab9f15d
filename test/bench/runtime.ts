// Throughput benchmark of the consumer runtime (not a test): on the local stack, pre-produce N messages of S
// bytes per data set (size x partition count), then in each of --repeat rounds measure Kafka's own
// ConsumerPerformance (the yardstick) on the same topic and every tier x client with the noop handler. Each row
// is the median of its rounds; its ratio is the median of the per-round ratios to that round's yardstick.
// Standard's latency is measured at a steady offered load (--latency-rate msg/s). kafkajs runs the classic
// group protocol (the only one it speaks); @platformatic/kafka the consumer protocol (KIP-848), as `auto` does.
// Prints a table and writes test/bench/results/runtime.json.
//
//   node test/bench/runtime.ts [--messages 5000000] [--large-messages 1000000] [--sizes 100,1024]
//                              [--partitions 3,12] [--repeat 3] [--tiers Standard,Buffered,Dedicated]
//                              [--clients kafkajs,platformatic] [--profile] [--latency-rate 10000]
//                              [--latency-seconds 5] [--json]
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
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
    messages: { type: "string", default: "5000000" },
    /** Messages of the data sets of 1 KiB and more (5M x 1 KiB would be 5 GB of log per partition count). */
    "large-messages": { type: "string", default: "1000000" },
    sizes: { type: "string", default: "100,1024" },
    partitions: { type: "string", default: "3,12" },
    json: { type: "boolean", default: false },
    tiers: { type: "string", default: "Standard,Buffered,Dedicated" },
    clients: { type: "string", default: "kafkajs,platformatic" },
    profile: { type: "boolean", default: false },
    "latency-rate": { type: "string", default: "10000" },
    "latency-seconds": { type: "string", default: "5" },
    /** Rounds; each row is the median (the machine is shared and noisy). */
    repeat: { type: "string", default: "3" },
  },
});
const tiers = args.tiers.split(",") as ("Standard" | "Buffered" | "Dedicated")[];
const clients = args.clients.split(",") as ("kafkajs" | "platformatic")[];
const resultsDir = join(repoRoot, "test/bench/results");
const say = (line: string) => {
  if (!args.json) process.stderr.write(`${line}\n`);
};

interface DataSet {
  messages: number;
  size: number;
  partitions: number;
  topic: string;
}

interface Row {
  size: number;
  partitions: number;
  messages: number;
  tier: string;
  client: string;
  protocol: string;
  msgPerSec: number;
  mbPerSec: number;
  p50Ms: number | null;
  p99Ms: number | null;
  rssMb: number;
  /** CPU time (all threads) per message: unlike msg/s, barely moved by other load on a shared machine. */
  cpuUsPerMsg: number;
  ratioToYardstick: number;
}

const protocolOf = (client: string) => (client === "kafkajs" ? "classic" : "consumer");
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
};

const env = stackEnv();
const bootstrap = env.kafka.bootstrap;
const admin = await connectAdmin({ bootstrapServers: [bootstrap] });
const createdTopics: string[] = [];

async function prepareTopic(messages: number, size: number, partitions: number): Promise<DataSet> {
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
  return { messages, size, partitions, topic };
}

/** Kafka's ConsumerPerformance: fetch rate without rebalance time, the ceiling for any client on this box. */
async function yardstick({ topic, messages }: DataSet): Promise<{ msgPerSec: number; mbPerSec: number }> {
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
    consumer: { groupProtocol: protocolOf(client) },
    kafka: { bootstrapServers: [bootstrap] },
    log: { level: "info" },
  };
}

/** Consumes the pre-produced topic with the noop handler; rate from first to last processed message. */
async function throughput({ topic, messages, size, partitions }: DataSet, tier: string, client: string) {
  const profileDir = join(resultsDir, "profiles", `${tier}-${client}-${size}B-${partitions}p`);
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

/**
 * Standard tier only: --latency-rate msg/s produced onto an idle consumer in 10 ms ticks, produce-to-handler time
 * (the record's timestamp to the handler call).
 */
async function latency(client: string, partitions: number, size: number) {
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
  const tickMs = 10;
  const perTick = Math.max(1, Math.round((Number(args["latency-rate"]) * tickMs) / 1000));
  const value = "x".repeat(size);
  const until = Date.now() + Number(args["latency-seconds"]) * 1000;
  let sent = 0;
  let next = Date.now();
  while (Date.now() < until) {
    const messages = Array.from({ length: perTick }, (_, i) => ({ key: `k${(sent + i) % 64}`, value }));
    await producer.send({ topic, acks: 1, messages });
    sent += perTick;
    next += tickMs;
    const wait = next - Date.now();
    if (wait > 0) await sleep(wait);
  }
  await producer.disconnect();
  await waitFor(
    async () =>
      ((await scrapeMetric(runtime.port, "lagpilot_runtime_messages_processed_total")) ?? 0) >= sent ? true : undefined,
    60_000,
    "latency messages processed",
  );
  await stopRuntime(runtime);
  const result = JSON.parse(readFileSync(latencyFile, "utf8")) as { p50Ms: number; p99Ms: number };
  rmSync(latencyFile, { force: true });
  return { ...result, offeredPerSec: Math.round((sent * 1000) / Number(args["latency-seconds"]) / 1000) };
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
const yardsticks: { size: number; partitions: number; messages: number; msgPerSec: number; mbPerSec: number }[] = [];
const profiles: Record<string, string[]> = {};
const sizes = args.sizes.split(",").map(Number);
const partitionCounts = args.partitions.split(",").map(Number);
const rounds = Number(args.repeat);
try {
  for (const size of sizes) {
    const messages = size >= 1024 ? Number(args["large-messages"]) : Number(args.messages);
    for (const partitions of partitionCounts) {
      const data = await prepareTopic(messages, size, partitions);
      // Rounds interleave the yardstick and every row, so drift of the machine's load hits them alike.
      const yardRuns: { msgPerSec: number; mbPerSec: number }[] = [];
      const runs = new Map<
        string,
        { msgPerSec: number; ratio: number; rssMb: number; cpuUsPerMsg: number; profileDir: string }[]
      >();
      for (let round = 0; round < rounds; round++) {
        const yard = await yardstick(data);
        yardRuns.push(yard);
        say(`${size} B, ${partitions} partitions, round ${round + 1}: yardstick ${Math.round(yard.msgPerSec)} msg/s`);
        for (const tier of tiers) {
          for (const client of clients) {
            const t = await throughput(data, tier, client);
            const key = `${tier}/${client}`;
            runs.set(key, [...(runs.get(key) ?? []), { ...t, ratio: t.msgPerSec / yard.msgPerSec }]);
            say(
              `  ${key}: ${Math.round(t.msgPerSec)} msg/s, ${t.cpuUsPerMsg.toFixed(2)} CPU us/msg, peak RSS ${Math.round(t.rssMb)} MB`,
            );
          }
        }
      }
      yardsticks.push({
        size,
        partitions,
        messages,
        msgPerSec: Math.round(median(yardRuns.map((y) => y.msgPerSec))),
        mbPerSec: Number(median(yardRuns.map((y) => y.mbPerSec)).toFixed(2)),
      });
      for (const tier of tiers) {
        for (const client of clients) {
          const all = runs.get(`${tier}/${client}`) ?? [];
          const msgPerSec = median(all.map((r) => r.msgPerSec));
          const lat = tier === "Standard" ? await latency(client, partitions, size) : { p50Ms: null, p99Ms: null };
          rows.push({
            size,
            partitions,
            messages,
            tier,
            client,
            protocol: protocolOf(client),
            msgPerSec: Math.round(msgPerSec),
            mbPerSec: Number(((msgPerSec * size) / 1e6).toFixed(2)),
            p50Ms: lat.p50Ms,
            p99Ms: lat.p99Ms,
            rssMb: Math.round(Math.max(...all.map((r) => r.rssMb))),
            cpuUsPerMsg: Number(median(all.map((r) => r.cpuUsPerMsg)).toFixed(2)),
            ratioToYardstick: Number(median(all.map((r) => r.ratio)).toFixed(3)),
          });
          const last = all.at(-1);
          if (args.profile && last)
            profiles[`${tier}/${client} ${size} B ${partitions} partitions`] = summarizeProfile(last.profileDir);
        }
      }
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

/** The goals of the runtime, judged per data set. */
function goals() {
  return yardsticks.map(({ size, partitions }) => {
    const of = (tier: string) => rows.filter((r) => r.size === size && r.partitions === partitions && r.tier === tier);
    const best = (tier: string) => Math.max(...of(tier).map((r) => r.ratioToYardstick));
    const dedicated = best("Dedicated");
    return {
      size,
      partitions,
      dedicatedFastest: of("Dedicated").length > 0 && dedicated >= Math.max(best("Buffered"), best("Standard")),
      dedicatedHalfOfYardstick: dedicated >= 0.5,
      bufferedTwoFifthsOfYardstick: best("Buffered") >= 0.4,
      standardP99Under5Ms: of("Standard").every((r) => r.p99Ms !== null && r.p99Ms < 5),
      peakRssUnder256Mb: rows.filter((r) => r.size === size && r.partitions === partitions).every((r) => r.rssMb < 256),
    };
  });
}

const result = {
  settings: { rounds, latencyRatePerSec: Number(args["latency-rate"]), cpus: (await import("node:os")).cpus().length },
  yardsticks,
  rows,
  goals: goals(),
  ...(args.profile ? { profiles } : {}),
};
writeFileSync(join(resultsDir, "runtime.json"), `${JSON.stringify(result, null, 2)}\n`);

if (args.json) {
  process.stdout.write(`${JSON.stringify(result)}\n`);
} else {
  const header = [
    "data set",
    "tier",
    "client",
    "msg/s",
    "MB/s",
    "p50 ms",
    "p99 ms",
    "RSS MB",
    "CPU us/msg",
    "x yardstick",
  ];
  const table = [header];
  for (const y of yardsticks) {
    const set = `${y.messages} x ${y.size} B, ${y.partitions} p`;
    table.push([
      set,
      "yardstick",
      "ConsumerPerformance",
      String(y.msgPerSec),
      y.mbPerSec.toFixed(2),
      "-",
      "-",
      "-",
      "-",
      "1",
    ]);
    for (const r of rows.filter((r) => r.size === y.size && r.partitions === y.partitions)) {
      table.push([
        set,
        r.tier,
        `${r.client} (${r.protocol})`,
        String(r.msgPerSec),
        r.mbPerSec.toFixed(2),
        String(r.p50Ms ?? "-"),
        String(r.p99Ms ?? "-"),
        String(r.rssMb),
        r.cpuUsPerMsg.toFixed(2),
        r.ratioToYardstick.toFixed(3),
      ]);
    }
  }
  const widths = header.map((_, i) => Math.max(...table.map((row) => (row[i] ?? "").length)));
  for (const row of table) console.log(row.map((cell, i) => cell.padEnd(widths[i] as number)).join("  "));
  console.log(`\nmedian of ${rounds} round(s) per row; Standard latency at ${args["latency-rate"]} msg/s offered`);
  console.log(`goals: ${JSON.stringify(result.goals)}`);
  for (const [name, lines] of Object.entries(profiles))
    console.log(`\nprofile ${name} (self time):\n${lines.join("\n")}`);
  console.log(`\nwritten: ${join(resultsDir, "runtime.json")}`);
}
