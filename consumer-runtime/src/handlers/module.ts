// A user's ES module inside the image: it exports handleBatch(messages) or handleMessage(message) (or a default
// function taking one message), and optionally close().
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { ConsumedMessage } from "../client/contract.ts";
import { ConfigError } from "../config.ts";
import type { Handler } from "./contract.ts";

type MessageFn = (message: ConsumedMessage) => unknown;
type BatchFn = (messages: readonly ConsumedMessage[]) => unknown;

export async function loadModuleHandler(path: string): Promise<Handler> {
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
    return { handle: async (messages) => void (await handleBatch(messages)), close: closeHandler };
  }
  const perMessage = loaded.handleMessage ?? loaded.default;
  if (typeof perMessage === "function") {
    const handleMessage = perMessage as MessageFn;
    return {
      async handle(messages) {
        for (const message of messages) await handleMessage(message);
      },
      close: closeHandler,
    };
  }
  throw new ConfigError(
    `processing.handler.module.path: ${path} exports neither handleBatch, handleMessage nor a default function`,
  );
}
