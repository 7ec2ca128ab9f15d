// POSTs each batch as JSON to a URL (a sidecar, a function endpoint). Anything but a 2xx within the timeout is
// a failure of the whole batch.
import type { ConsumedMessage } from "../client/contract.ts";
import type { HandlerConfig } from "../config.ts";
import type { Handler } from "./contract.ts";

type HttpConfig = NonNullable<HandlerConfig["http"]>;

export function httpBody(messages: readonly ConsumedMessage[], encoding: HttpConfig["encoding"]): string {
  const encode = (b: Buffer | null | undefined) => (b ? b.toString(encoding) : null);
  return JSON.stringify({
    encoding,
    messages: messages.map((m) => ({
      topic: m.topic,
      partition: m.partition,
      offset: m.offset,
      timestamp: m.timestamp,
      key: encode(m.key),
      value: encode(m.value),
      headers: Object.fromEntries(Object.entries(m.headers).map(([k, v]) => [k, encode(v)])),
    })),
  });
}

export function httpHandler(config: HttpConfig): Handler {
  return {
    async handle(messages) {
      let response: Response;
      try {
        response = await fetch(config.url, {
          method: "POST",
          headers: { "content-type": "application/json", ...config.headers },
          body: httpBody(messages, config.encoding),
          signal: AbortSignal.timeout(config.timeoutMs),
        });
      } catch (error) {
        const reason = (error as Error).name === "TimeoutError" ? `no answer within ${config.timeoutMs} ms` : error;
        throw new Error(`POST ${config.url}: ${reason instanceof Error ? reason.message : reason}`);
      }
      // Drain the body so the connection is reused.
      await response.arrayBuffer().catch(() => undefined);
      if (!response.ok) throw new Error(`POST ${config.url}: HTTP ${response.status}`);
    },
    close: async () => {},
  };
}
