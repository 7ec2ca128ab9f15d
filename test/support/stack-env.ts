// Gives integration tests the local stack's coordinates, written by `npm run env:up` or the test setup.
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { readStackEnv, type StackEnv } from "../env/stack.ts";

export function stackEnv(): StackEnv {
  const env = readStackEnv();
  if (!env) throw new Error("the local stack is not up: run `npm run env:up`, or run tests with `npm test`");
  return env;
}

const execFileAsync = promisify(execFile);

/** Runs one of the stack's tool wrappers (kubectl, kafka-consumer-groups, ...) and returns its stdout. */
export async function runTool(name: string, args: string[], input?: string): Promise<string> {
  const env = stackEnv();
  const child = execFileAsync(join(env.binDir, name), args, { maxBuffer: 64 * 1024 * 1024, timeout: 120_000 });
  if (input !== undefined) {
    child.child.stdin?.end(input);
  }
  const { stdout } = await child;
  return stdout;
}

export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e6).toString(36)}`;
}

/** Retries an async check until it stops throwing; for state that converges (watches, controllers). */
export async function eventually<T>(check: () => Promise<T>, timeoutMs = 30_000, intervalMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }
}

/** Rejects with `message` when `promise` does not settle in time; the timer never outlives the promise. */
export async function withTimeout<T>(promise: Promise<T>, timeoutMs: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), timeoutMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
