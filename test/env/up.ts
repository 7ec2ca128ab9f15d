// `npm run env:up`: provision if needed, start the local stack in the background, wait until it answers.
import { envFile } from "./layout.ts";
import { provision } from "./provision.ts";
import { stackIsHealthy, startStack, stopStack } from "./stack.ts";

async function main() {
  if (await stackIsHealthy()) {
    console.log(`env: already up; see ${envFile}`);
    return;
  }
  // A half-dead stack from an earlier run is stopped before a fresh start.
  await stopStack();
  const started = Date.now();
  const tools = await provision();
  const env = await startStack(tools);
  console.log(`env: up in ${((Date.now() - started) / 1000).toFixed(1)}s; wrote ${envFile}`);
  console.log(`env: tools in ${env.binDir} (kubectl, helm, kafka-topics, ...); try: export PATH="${env.binDir}:$PATH"`);
}

main().catch((error: Error) => {
  console.error(`env:up failed: ${error.message}`);
  process.exit(1);
});
