// Test-runner hook: reuse a running local stack, or start one and stop it again after the run.
import { provision } from "./provision.ts";
import { stackIsHealthy, startStack, stopStack } from "./stack.ts";

let startedHere = false;
const log = (line: string) => process.stderr.write(`${line}\n`);

function stopOnSignal(signal: NodeJS.Signals) {
  stopStack(log).finally(() => process.kill(process.pid, signal));
}

export async function globalSetup() {
  if (await stackIsHealthy()) return;
  await stopStack(log);
  process.once("SIGINT", stopOnSignal);
  process.once("SIGTERM", stopOnSignal);
  startedHere = true;
  await startStack(provision(log), log);
}

export async function globalTeardown() {
  if (startedHere) await stopStack(log);
}
