// Runs the consumer runtime as a child process against the local stack, for integration tests and the
// benchmark: write a config file, spawn, read its JSON logs and /metrics, stop or kill it. Every child started
// here is remembered so a test's after hook can kill whatever is left.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { Kafka, logLevel } from "kafkajs";
import type { RuntimeConfigInput } from "../../consumer-runtime/src/config.ts";

export const repoRoot = resolve(import.meta.dirname, "../..");
const mainFile = join(repoRoot, "consumer-runtime/src/main.ts");
const children = new Set<RuntimeProcess>();

export interface RuntimeProcess {
  child: ChildProcess;
  pid: number;
  port: number;
  lines: string[];
  exited: Promise<number | null>;
  configDir: string;
}

export interface SpawnOptions {
  env?: Record<string, string>;
  /** Wait until /readyz answers 200 (joined and assigned). */
  waitReady?: boolean;
  timeoutMs?: number;
}

/** Starts the runtime; resolves once it listens on its HTTP port (and, if asked, is ready). */
export async function spawnRuntime(config: RuntimeConfigInput, options: SpawnOptions = {}): Promise<RuntimeProcess> {
  const configDir = mkdtempSync(join(tmpdir(), "lagpilot-runtime-"));
  const configFile = join(configDir, "config.json");
  writeFileSync(configFile, JSON.stringify({ server: { port: 0 }, ...config }));
  const child = spawn(process.execPath, [mainFile], {
    env: { ...process.env, LAGPILOT_CONFIG: configFile, ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: string[] = [];
  const collect = (chunk: Buffer) => {
    for (const line of chunk.toString().split("\n")) if (line.trim()) lines.push(line);
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  const exited = new Promise<number | null>((done) => child.once("exit", (code) => done(code)));
  const proc: RuntimeProcess = { child, pid: child.pid ?? -1, port: 0, lines, exited, configDir };
  children.add(proc);
  void exited.then(() => rmSync(configDir, { recursive: true, force: true }));
  const timeoutMs = options.timeoutMs ?? 60_000;
  const started = await waitFor(
    async () => {
      const line = lines.map(parseLine).find((l) => l?.msg === "starting");
      if (line) return Number(line.port);
      if (child.exitCode !== null) throw new Error(`runtime exited with ${child.exitCode}:\n${lines.join("\n")}`);
      return undefined;
    },
    timeoutMs,
    "runtime did not start",
  );
  proc.port = started;
  if (options.waitReady ?? true) {
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`runtime exited with ${child.exitCode}:\n${lines.join("\n")}`);
        const res = await fetch(`http://127.0.0.1:${proc.port}/readyz`).catch(() => undefined);
        return res?.status === 200 ? true : undefined;
      },
      timeoutMs,
      "runtime did not become ready",
    );
  }
  return proc;
}

export function parseLine(line: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** Sends a signal and waits for the exit code (SIGKILL: null). */
export async function stopRuntime(proc: RuntimeProcess, signal: NodeJS.Signals = "SIGTERM"): Promise<number | null> {
  if (proc.child.exitCode === null && proc.child.signalCode === null) proc.child.kill(signal);
  const code = await proc.exited;
  children.delete(proc);
  return code;
}

/** For after/afterEach hooks: kills every runtime still running. */
export async function killAllRuntimes(): Promise<void> {
  await Promise.all([...children].map((proc) => stopRuntime(proc, "SIGKILL")));
}

export async function waitFor<T>(
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
  what: string,
  everyMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what} within ${timeoutMs} ms`);
    await sleep(everyMs);
  }
}

/** Sums a counter or gauge from the runtime's /metrics (all label sets), or undefined when unreachable. */
export async function scrapeMetric(port: number, name: string): Promise<number | undefined> {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`).catch(() => undefined);
  if (!res?.ok) return undefined;
  const text = await res.text();
  let sum = 0;
  for (const line of text.split("\n")) {
    if (line.startsWith(`${name}{`) || line.startsWith(`${name} `))
      sum += Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  return sum;
}

export interface ProduceOptions {
  bootstrap: string;
  topic: string;
  count: number;
  /** Value size in bytes (the value starts with its sequence number). */
  size?: number;
  /** Keys cycle through this many distinct values; 0: no key (round robin over partitions). */
  keys?: number;
  /** Messages per send. */
  chunk?: number;
  value?: (i: number) => string;
}

/** Produces `count` messages whose value starts with `i` (0-based), keyed `k<i % keys>`. */
export async function produce(options: ProduceOptions): Promise<void> {
  const { count, size = 16, keys = 16, chunk = 2000 } = options;
  const kafka = new Kafka({
    brokers: [options.bootstrap],
    clientId: "lagpilot-test-producer",
    logLevel: logLevel.NOTHING,
  });
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  try {
    const pad = "x".repeat(size);
    for (let start = 0; start < count; start += chunk) {
      const messages = [];
      for (let i = start; i < Math.min(count, start + chunk); i++) {
        const head = options.value ? options.value(i) : `${i}:`;
        messages.push({
          key: keys > 0 ? `k${i % keys}` : null,
          value: head.length >= size ? head : head + pad.slice(head.length),
        });
      }
      await producer.send({ topic: options.topic, messages, acks: -1 });
    }
  } finally {
    await producer.disconnect();
  }
}

/** A temporary ES module file with the given source, for module handlers. */
export function writeModule(source: string): { path: string; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), "lagpilot-handler-"));
  const path = join(dir, "handler.mjs");
  writeFileSync(path, source);
  return { path, dir };
}

export function readJsonLines(path: string): Record<string, unknown>[] {
  return readFileSync(path, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}
