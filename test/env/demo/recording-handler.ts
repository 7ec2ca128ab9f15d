// The demo's handler module: spends DEMO_WORK_MS per message (waiting, like a call to a database), then records
// each message's topic/partition/offset in a file of its Pod, so the demo can prove nothing was lost.
// With DEMO_STUCK_FILE set and that file present, messages of partition 0 wait until the file is removed:
// a stuck partition, as a hung downstream call would make it.
import { appendFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

interface Message {
  topic: string;
  partition: number;
  offset: string;
}

const workMs = Number(process.env.DEMO_WORK_MS ?? "2");
const stuckFile = process.env.DEMO_STUCK_FILE;
const record = join(process.env.DEMO_RECORD_DIR ?? "/tmp", `${process.env.POD_NAME ?? process.pid}.log`);

export async function handleBatch(messages: readonly Message[]): Promise<void> {
  if (stuckFile && messages.some((m) => m.partition === 0)) {
    while (existsSync(stuckFile)) await sleep(200);
  }
  await sleep(workMs * messages.length);
  appendFileSync(record, messages.map((m) => `${m.topic}/${m.partition}/${m.offset}\n`).join(""));
}
