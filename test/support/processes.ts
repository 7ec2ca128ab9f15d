// Child processes started by tests: JSON-line logs captured, every one killed in after hooks, also on
// failure, so a test run never leaves anything running.
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = fileURLToPath(new URL("../../", import.meta.url));
/** Node 24 from node_modules, whatever node started the test runner. */
export const nodeBinary = join(repoRoot, "node_modules", ".bin", "node");

export interface ManagedProcess {
  child: ChildProcess;
  lines: string[];
  /** Resolves with the first captured line that matches. */
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<string>;
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<number | null>;
}

const running = new Set<ChildProcess>();
// The test runner ends a file once its tests are done (--test-force-exit); nothing it started may outlive it.
process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

export function startNodeProcess(script: string, env: NodeJS.ProcessEnv, args: string[] = []): ManagedProcess {
  const child = spawn(nodeBinary, [join(repoRoot, script), ...args], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  running.add(child);
  child.once("exit", () => running.delete(child));
  const lines: string[] = [];
  const waiters: { pattern: RegExp; resolve: (line: string) => void }[] = [];
  const onData = (chunk: Buffer) => {
    for (const line of chunk.toString("utf8").split("\n")) {
      if (!line) continue;
      lines.push(line);
      if (process.env.TEST_VERBOSE) process.stderr.write(`[${script}] ${line}\n`);
      for (const waiter of [...waiters]) {
        if (waiter.pattern.test(line)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(line);
        }
      }
    }
  };
  child.stdout?.on("data", onData);
  child.stderr?.on("data", onData);
  return {
    child,
    lines,
    waitForLine(pattern, timeoutMs = 30_000) {
      const existing = lines.find((line) => pattern.test(line));
      if (existing) return Promise.resolve(existing);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          reject(
            new Error(
              `${script}: no line matching ${pattern} within ${timeoutMs}ms; last lines:\n${lines.slice(-10).join("\n")}`,
            ),
          );
        }, timeoutMs);
        waiters.push({
          pattern,
          resolve: (line) => {
            clearTimeout(timer);
            resolve(line);
          },
        });
      });
    },
    async stop(signal = "SIGTERM", timeoutMs = 20_000) {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      const exited = once(child, "exit");
      child.kill(signal);
      const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
      await exited;
      clearTimeout(timer);
      return child.exitCode;
    },
  };
}

/** Kills every process a test file started; call from an after() hook. */
export async function killAllStarted(): Promise<void> {
  await Promise.all(
    [...running].map(async (child) => {
      const exited = once(child, "exit");
      child.kill("SIGKILL");
      await exited;
    }),
  );
}

process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});
