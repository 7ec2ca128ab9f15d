import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { ConsumedMessage } from "../../../consumer-runtime/src/client/contract.ts";
import { ConfigError } from "../../../consumer-runtime/src/config.ts";
import { builtinHandlers } from "../../../consumer-runtime/src/handlers/builtin.ts";
import { httpHandler } from "../../../consumer-runtime/src/handlers/http.ts";
import { loadModuleHandler } from "../../../consumer-runtime/src/handlers/module.ts";
import { createLogger } from "../../../consumer-runtime/src/log.ts";

const message = (offset: number, value = `v${offset}`): ConsumedMessage => ({
  topic: "t",
  partition: 0,
  offset,
  timestamp: 1000,
  key: Buffer.from("k"),
  value: Buffer.from(value),
  headers: { h: Buffer.from("x") },
});

describe("http handler", () => {
  let server: Server;
  let url = "";
  const bodies: unknown[] = [];
  let answer = 200;
  let delayMs = 0;

  before(async () => {
    server = createServer((req, res) => {
      let body = "";
      req.on("data", (chunk) => {
        body += chunk;
      });
      req.on("end", () => {
        bodies.push(JSON.parse(body));
        setTimeout(() => res.writeHead(answer).end(), delayMs);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/handle`;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });

  it("POSTs the batch as JSON", async () => {
    answer = 204;
    delayMs = 0;
    await httpHandler({ url, timeoutMs: 2000, headers: {}, encoding: "utf8" }).handle([message(1), message(2)]);
    assert.deepEqual(bodies.at(-1), {
      encoding: "utf8",
      messages: [
        { topic: "t", partition: 0, offset: 1, timestamp: 1000, key: "k", value: "v1", headers: { h: "x" } },
        { topic: "t", partition: 0, offset: 2, timestamp: 1000, key: "k", value: "v2", headers: { h: "x" } },
      ],
    });
  });

  it("POSTs keys, values and header values as base64 when encoding is base64", async () => {
    answer = 204;
    delayMs = 0;
    await httpHandler({ url, timeoutMs: 2000, headers: {}, encoding: "base64" }).handle([message(1)]);
    assert.deepEqual(bodies.at(-1), {
      encoding: "base64",
      messages: [
        {
          topic: "t",
          partition: 0,
          offset: 1,
          timestamp: 1000,
          key: Buffer.from("k").toString("base64"),
          value: Buffer.from("v1").toString("base64"),
          headers: { h: Buffer.from("x").toString("base64") },
        },
      ],
    });
  });

  const failures: { name: string; status: number; delay: number; timeoutMs: number; error: RegExp }[] = [
    { name: "a non-2xx answer", status: 503, delay: 0, timeoutMs: 2000, error: /HTTP 503/ },
    { name: "no answer within the timeout", status: 200, delay: 500, timeoutMs: 50, error: /no answer within 50 ms/ },
  ];
  for (const c of failures) {
    it(`fails the batch on ${c.name}`, async () => {
      answer = c.status;
      delayMs = c.delay;
      await assert.rejects(
        httpHandler({ url, timeoutMs: c.timeoutMs, headers: {}, encoding: "base64" }).handle([message(1)]),
        c.error,
      );
    });
  }
});

describe("module handler", () => {
  const dir = mkdtempSync(join(tmpdir(), "lagpilot-module-test-"));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, source: string) => {
    const path = join(dir, name);
    writeFileSync(path, source);
    return path;
  };

  it("calls handleMessage once per message, in order", async () => {
    const path = write(
      "per-message.mjs",
      "export const seen = []; export function handleMessage(m) { seen.push(m.offset); }",
    );
    const handler = await loadModuleHandler(path);
    await handler.handle([message(1), message(2), message(3)]);
    const loaded = (await import(path)) as { seen: number[] };
    assert.deepEqual(loaded.seen, [1, 2, 3]);
  });

  it("prefers handleBatch and propagates its failure", async () => {
    const path = write(
      "batch.mjs",
      "export async function handleBatch(ms) { if (ms.length > 1) throw new Error('too many'); } export function handleMessage() { throw new Error('not me'); }",
    );
    const handler = await loadModuleHandler(path);
    await handler.handle([message(1)]);
    await assert.rejects(handler.handle([message(1), message(2)]), /too many/);
  });

  it("fails a call that outlives timeoutMs, naming the field, so the message is retried or dead-lettered", async () => {
    const path = write(
      "hung.mjs",
      "export const calls = []; export function handleMessage(m) { calls.push(m.offset); return m.offset === 2 ? new Promise(() => {}) : undefined; }",
    );
    const handler = await loadModuleHandler(path, 50);
    await handler.handle([message(1)]);
    await assert.rejects(
      handler.handle([message(2), message(3)]),
      /handleMessage did not finish within 50 ms \(processing\.handler\.module\.timeoutMs\)/,
    );
    const loaded = (await import(path)) as { calls: number[] };
    assert.deepEqual(loaded.calls, [1, 2], "the batch stops at the hung message");
    const batch = write("hung-batch.mjs", "export function handleBatch() { return new Promise(() => {}); }");
    await assert.rejects((await loadModuleHandler(batch, 20)).handle([message(1)]), /handleBatch did not finish/);
  });

  it("names the config field when the module has no handler or cannot load", async () => {
    const empty = write("empty.mjs", "export const nothing = 1;");
    await assert.rejects(
      loadModuleHandler(empty),
      (e: unknown) =>
        e instanceof ConfigError && /processing\.handler\.module\.path: .* exports neither/.test(e.message),
    );
    await assert.rejects(loadModuleHandler(join(dir, "missing.mjs")), /processing\.handler\.module\.path: cannot load/);
  });
});

describe("builtin handlers", () => {
  const context = { log: createLogger("error", {}, () => {}), producer: async () => assert.fail("no producer") };

  it("simulate-work sleeps workMs per message", async () => {
    const handler = builtinHandlers["simulate-work"]({ name: "simulate-work", workMs: 5, workKind: "sleep" }, context);
    const started = performance.now();
    await handler.handle([message(1), message(2)]);
    assert.ok(performance.now() - started >= 9);
  });

  it("log writes one JSON line per message without the payload", async () => {
    const lines: string[] = [];
    const handler = builtinHandlers.log(
      { name: "log", workMs: 0, workKind: "cpu" },
      { ...context, log: createLogger("info", {}, (line) => lines.push(line)) },
    );
    await handler.handle([message(7, "secret")]);
    assert.equal(lines.length, 1);
    const line = JSON.parse(lines[0] as string) as Record<string, unknown>;
    assert.equal(line.offset, 7);
    assert.equal(line.valueBytes, 6);
    assert.doesNotMatch(lines[0] as string, /secret/);
  });

  it("forward-to-topic copies key, value and headers", async () => {
    const sent: { topic: string; count: number; key: string }[] = [];
    const handler = builtinHandlers["forward-to-topic"](
      { name: "forward-to-topic", topic: "copy", workMs: 0, workKind: "cpu" },
      {
        ...context,
        producer: async () => ({
          connect: async () => {},
          close: async () => {},
          send: async (topic, ms) => {
            sent.push({ topic, count: ms.length, key: String(ms[0]?.key) });
          },
        }),
      },
    );
    await handler.handle([message(1), message(2)]);
    assert.deepEqual(sent, [{ topic: "copy", count: 2, key: "k" }]);
  });
});
