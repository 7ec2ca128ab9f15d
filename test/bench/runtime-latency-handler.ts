// Benchmark handler: records end-to-end latency (now minus the record's produce timestamp) of every message and
// writes the percentiles to LATENCY_FILE when the runtime stops.
import { writeFileSync } from "node:fs";

interface Message {
  timestamp: number;
}

const samples: number[] = [];

export function handleMessage(message: Message): void {
  samples.push(Date.now() - message.timestamp);
}

export function close(): void {
  const file = process.env.LATENCY_FILE;
  if (!file) return;
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? null;
  writeFileSync(file, JSON.stringify({ count: sorted.length, p50Ms: at(0.5), p99Ms: at(0.99), maxMs: at(1) }));
}
