// A user's ES module inside the image: it exports handleBatch(messages) or handleMessage(message) (or a default
// function taking one message), and optionally close().
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { ConsumedMessage } from "../client/contract.ts";
import { ConfigError } from "../config.ts";
import type { Handler } from "./contract.ts";

type MessageFn = (message: ConsumedMessage) => unknown;
type BatchFn = (messages: readonly ConsumedMessage[]) => unknown;

/**
 * Settles with the call, or fails once timeoutMs passes: a hung call must not stall its partition forever. A
 * promise cannot be cancelled, so the late call keeps running; its result is ignored.
 */
export function withDeadline(call: () => unknown, timeoutMs: number, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${what} did not finish within ${timeoutMs} ms (processing.handler.module.timeoutMs)`)),
      timeoutMs,
    );
    Promise.resolve()
      .then(call)
      .then(
        () => resolve(),
        (error: unknown) => reject(error),
      )
      .finally(() => clearTimeout(timer));
  });
}

export async function loadModuleHandler(path: string, timeoutMs = 60_000): Promise<Handler> {
  let loaded: Record<string, unknown>;
  try {
    loaded = await import(pathToFileURL(resolve(path)).href);
  } catch (error) {
    throw new ConfigError(`processing.handler.module.path: cannot load ${path}: ${(error as Error).message}`);
  }
  const close = typeof loaded.close === "function" ? (loaded.close as () => unknown) : undefined;
  const closeHandler = async () => {
    await close?.();
  };
  if (typeof loaded.handleBatch === "function") {
    const handleBatch = loaded.handleBatch as BatchFn;
    return {
      handle: (messages) => withDeadline(() => handleBatch(messages), timeoutMs, "handleBatch"),
      close: closeHandler,
    };
  }
  const perMessage = loaded.handleMessage ?? loaded.default;
  if (typeof perMessage === "function") {
    const handleMessage = perMessage as MessageFn;
    return {
      async handle(messages) {
        for (const message of messages) await withDeadline(() => handleMessage(message), timeoutMs, "handleMessage");
      },
      close: closeHandler,
    };
  }
  throw new ConfigError(
    `processing.handler.module.path: ${path} exports neither handleBatch, handleMessage nor a default function`,
  );
}
