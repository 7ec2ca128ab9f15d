// A team's handler module, shipped in an image built FROM the runtime image by node-e2e.test.ts. It records
// every message it finished in a ledger folder (a volume of the Pod) so the test can prove none was lost,
// and misbehaves on purpose on two message values:
//   "burn": keeps the CPU busy for 20 s (a heavy computation);
//   "oom":  allocates memory until the container's limit kills it, once per Pod (a marker in /tmp, an
//           emptyDir that outlives a restart of the container).
import { appendFileSync, existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";

interface Message {
  partition: number;
  offset: number;
  value: Buffer | null;
}

const ledger = join(process.env.LEDGER_DIR ?? "/tmp", `${process.env.POD_NAME ?? process.pid}.log`);
const oomMarker = "/tmp/oom-done";
const held: Buffer[] = [];

export async function handleBatch(messages: readonly Message[]): Promise<void> {
  for (const message of messages) {
    const value = message.value?.toString("utf8");
    if (value === "burn") {
      const until = Date.now() + 20_000;
      while (Date.now() < until) {}
    }
    if (value === "oom" && !existsSync(oomMarker)) {
      writeFileSync(oomMarker, "");
      // Off the V8 heap, so only the container's memory limit stops it.
      for (;;) held.push(Buffer.alloc(16 * 1024 * 1024, 1));
    }
  }
  appendFileSync(ledger, messages.map((m) => `${m.partition}/${m.offset}\n`).join(""));
}
