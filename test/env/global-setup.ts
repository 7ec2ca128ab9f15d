// Test-runner hook: build the project's images when their inputs changed (the node runs the operator and
// the consumers from them), then reuse a running local stack, or start one and stop it again after the run.
import { buildImages } from "./images/build.ts";
import { provision } from "./provision.ts";
import { stackIsHealthy, startStack, stopStack } from "./stack.ts";

let startedHere = false;
const log = (line: string) => process.stderr.write(`${line}\n`);

function stopOnSignal(signal: NodeJS.Signals) {
  stopStack(log).finally(() => process.kill(process.pid, signal));
}

export async function globalSetup() {
  const tools = await provision(log);
  // Before a stack starts, so its node imports them; a running node gets a rebuilt image loaded.
  const started = Date.now();
  const images = await buildImages(log, tools);
  const built = images.filter((image) => image.rebuilt).length;
  log(`images: ${built} of ${images.length} built in ${((Date.now() - started) / 1000).toFixed(1)}s`);
  if (await stackIsHealthy()) return;
  await stopStack(log);
  process.once("SIGINT", stopOnSignal);
  process.once("SIGTERM", stopOnSignal);
  startedHere = true;
  await startStack(tools, log);
}

export async function globalTeardown() {
  if (startedHere) await stopStack(log);
}
