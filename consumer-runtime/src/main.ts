// Entry point of the consumer runtime: `node consumer-runtime/src/main.ts` with LAGPILOT_CONFIG pointing at the
// config file. Exit codes: 0 after a graceful stop, 1 when Kafka failed, 2 when the config is invalid.
import { isKafkajsTimerWarning } from "./client/kafkajs-timer-warning.ts";
import { ConfigError, loadConfig, type RuntimeConfig } from "./config.ts";
import { createLogger } from "./log.ts";
import { startRuntime } from "./runtime.ts";

// Node's own warnings become JSON lines too: one JSON object per line. kafkajs's timer warning is noise.
process.removeAllListeners("warning");
process.on("warning", (warning) => {
  if (!isKafkajsTimerWarning(warning)) createLogger("warn").warn(`node: ${warning.name}: ${warning.message}`);
});

async function main(): Promise<number> {
  let config: RuntimeConfig;
  try {
    config = loadConfig({ env: process.env });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    createLogger("error").error(error.message, { hint: "fix the named fields in LAGPILOT_CONFIG or LAGPILOT__ env" });
    return 2;
  }
  const log = createLogger(config.log.level, { groupId: config.groupId });
  let runtime: Awaited<ReturnType<typeof startRuntime>>;
  try {
    // The Deployment passes the Pod's name; a restarted container keeps it, a replacement Pod gets a new one.
    runtime = await startRuntime(config, log, process.env.POD_NAME || undefined);
  } catch (error) {
    log.error((error as Error).message);
    return error instanceof ConfigError ? 2 : 1;
  }
  const signalled = new Promise<string>((resolve) => {
    process.once("SIGTERM", () => resolve("SIGTERM"));
    process.once("SIGINT", () => resolve("SIGINT"));
  });
  const outcome = await Promise.race([signalled, runtime.failed]);
  if (outcome instanceof Error) {
    await runtime.stop(`failure: ${outcome.message}`);
    return 1;
  }
  await runtime.stop(outcome);
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
    // Libraries may keep sockets or timers alive after close; the work is done and committed.
    setTimeout(() => process.exit(code), 200).unref();
  },
  (error) => {
    process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), level: "error", msg: String(error) })}\n`);
    process.exit(1);
  },
);
