// Builds the configured handler. One entry per handler kind, looked up, not switched on.
import type { HandlerConfig } from "../config.ts";
import { builtinHandlers } from "./builtin.ts";
import type { Handler, HandlerContext } from "./contract.ts";
import { httpHandler } from "./http.ts";
import { loadModuleHandler } from "./module.ts";

type Kind = keyof HandlerConfig;

const factories: { [K in Kind]: (config: NonNullable<HandlerConfig[K]>, context: HandlerContext) => Promise<Handler> } =
  {
    builtin: async (config, context) => builtinHandlers[config.name](config, context),
    module: async (config) => loadModuleHandler(config.path, config.timeoutMs),
    http: async (config) => httpHandler(config),
  };

export async function createHandler(config: HandlerConfig, context: HandlerContext): Promise<Handler> {
  for (const kind of Object.keys(factories) as Kind[]) {
    const section = config[kind];
    if (section)
      return (factories[kind] as (c: typeof section, ctx: HandlerContext) => Promise<Handler>)(section, context);
  }
  throw new Error("processing.handler: no handler configured");
}
