// The chaos run's handler module. Before it returns, it appends one line per handled record
// ("partition offset epochMs") to a ledger file of its own process, a place the consumer never commits from:
// the run compares these files with Kafka's log-end offsets to count lost and twice-handled records.
// Two marker values make faults of their own:
//   chaos-poison...  always throws (a message no retry can fix); it must end in the dead-letter topic;
//   chaos-slow...    the first time any consumer sees it, waits CHAOS_SLOW_MS before returning (a handler
//                    past its deadline); a flag file in the ledger folder makes it slow once, not forever.
import { appendFileSync, existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

interface Message {
  partition: number;
  offset: string;
  value: Buffer | null;
}

const dir = process.env.CHAOS_LEDGER_DIR ?? "/tmp";
const slowMs = Number(process.env.CHAOS_SLOW_MS ?? "0");
const workMsPerBatch = Number(process.env.CHAOS_WORK_MS ?? "0");
// One file per process: a restarted container (same Pod name, and in a container the same pid 1) writes a new
// file, named by its start time too; nothing is overwritten.
const started = `${process.pid}-${Date.now().toString(36)}`;
const ledger = join(dir, `${process.env.POD_NAME ?? "consumer"}-${started}.ledger`);
const slowFlag = join(dir, "slow-marker-seen");

function startsWith(value: Buffer | null, prefix: string): boolean {
  return value !== null && value.length >= prefix.length && value.toString("latin1", 0, prefix.length) === prefix;
}

export async function handleBatch(messages: readonly Message[]): Promise<void> {
  for (const m of messages) {
    if (startsWith(m.value, "chaos-poison")) throw new Error(`poison record at ${m.partition}/${m.offset}`);
    if (slowMs > 0 && startsWith(m.value, "chaos-slow") && !existsSync(slowFlag)) {
      writeFileSync(slowFlag, `${m.partition}/${m.offset}\n`);
      await sleep(slowMs);
    }
  }
  if (workMsPerBatch > 0) await sleep(workMsPerBatch);
  const now = Date.now();
  let lines = "";
  for (const m of messages) lines += `${m.partition} ${m.offset} ${now}\n`;
  appendFileSync(ledger, lines);
}
