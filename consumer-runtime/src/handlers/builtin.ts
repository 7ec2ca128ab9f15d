// Handlers that ship with the runtime: for demos, smoke tests and benchmarks.
import { setTimeout as sleep } from "node:timers/promises";
import type { HandlerConfig } from "../config.ts";
import type { Handler, HandlerContext } from "./contract.ts";

type BuiltinConfig = NonNullable<HandlerConfig["builtin"]>;
type BuiltinFactory = (config: BuiltinConfig, context: HandlerContext) => Handler;

const done = Promise.resolve();
const closeNothing = async () => {};

const noop: BuiltinFactory = () => ({ handle: () => done, close: closeNothing });

const log: BuiltinFactory = (_config, { log }) => ({
  async handle(messages) {
    for (const m of messages) {
      log.info("message", {
        topic: m.topic,
        partition: m.partition,
        offset: m.offset,
        timestamp: m.timestamp,
        keyBytes: m.key?.length ?? 0,
        valueBytes: m.value?.length ?? 0,
      });
    }
  },
  close: closeNothing,
});

const forwardToTopic: BuiltinFactory = (config, context) => {
  const topic = config.topic as string;
  return {
    async handle(messages) {
      const producer = await context.producer();
      await producer.send(
        topic,
        messages.map((m) => ({ key: m.key, value: m.value, headers: m.headers })),
      );
    },
    close: closeNothing,
  };
};

/** Burns CPU (a handler that computes) or sleeps (a handler that waits on I/O) for workMs per message. */
const simulateWork: BuiltinFactory = (config) => ({
  async handle(messages) {
    const totalMs = config.workMs * messages.length;
    if (totalMs <= 0) return;
    if (config.workKind === "sleep") {
      await sleep(totalMs);
      return;
    }
    const until = performance.now() + totalMs;
    while (performance.now() < until) {}
  },
  close: closeNothing,
});

export const builtinHandlers: Record<BuiltinConfig["name"], BuiltinFactory> = {
  noop,
  log,
  "forward-to-topic": forwardToTopic,
  "simulate-work": simulateWork,
};
