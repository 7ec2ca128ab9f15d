// Test-runner hook: build the project's images when their inputs changed (the node runs the operator and
// the consumers from them), then reuse a running local stack, or start one and stop it again after the run.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { buildImages } from "./images/build.ts";
import { repoRoot } from "./layout.ts";
import { provision } from "./provision.ts";
import { stackIsHealthy, startStack, stopStack } from "./stack.ts";

let startedHere = false;
let stopped = false;
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
  // The runner ends with --test-force-exit, which skips globalTeardown: stop the stack from the exit itself.
  process.once("exit", stopBeforeExit);
  await startStack(tools, log);
}

/** An exit handler cannot wait for promises, so the stack is stopped by `npm run env:down`'s script, synchronously. */
function stopBeforeExit() {
  if (stopped) return;
  stopped = true;
  log("env: stopping the stack this test run started");
  spawnSync(process.execPath, [join(repoRoot, "test", "env", "down.ts")], { stdio: "inherit", timeout: 120_000 });
}

export async function globalTeardown() {
  if (!startedHere || stopped) return;
  // Marked stopped only once done: a forced exit can cut this short, and then the exit handler finishes it.
  await stopStack(log);
  stopped = true;
}
