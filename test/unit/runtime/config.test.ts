import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, it } from "node:test";
import {
  applyEnvOverrides,
  ConfigError,
  loadConfig,
  parseConfig,
  resolveSecrets,
} from "../../../consumer-runtime/src/config.ts";

const minimal = { groupId: "g", topics: ["t"], kafka: { bootstrapServers: ["localhost:9092"] } };

describe("runtime config", () => {
  it("fills every default from a minimal document", () => {
    const config = parseConfig(minimal);
    assert.equal(config.tier, "Standard");
    assert.equal(config.client, "auto");
    assert.deepEqual(config.batch, { size: 32, maxWaitMs: 50 });
    assert.equal(config.processing.ordering, "partition");
    assert.deepEqual(config.processing.handler, { builtin: { name: "noop", workMs: 0, workKind: "cpu" } });
    assert.deepEqual(config.processing.retries, { max: 3, backoffMs: 100, maxBackoffMs: 10_000 });
    assert.equal(config.consumer.sessionTimeoutMs, 30_000);
    assert.equal(config.startFrom, "latest");
    assert.equal(config.consumer.groupProtocol, "consumer");
  });

  it("accepts kafkajs under the classic group protocol", () => {
    const config = parseConfig({ ...minimal, client: "kafkajs", consumer: { groupProtocol: "classic" } });
    assert.equal(config.client, "kafkajs");
  });

  const invalid: { name: string; patch: Record<string, unknown>; field: RegExp }[] = [
    { name: "unknown tier", patch: { tier: "Turbo" }, field: /^tier: /m },
    { name: "batch size too big", patch: { batch: { size: 10_001 } }, field: /^batch\.size: /m },
    { name: "batch size zero", patch: { batch: { size: 0 } }, field: /^batch\.size: /m },
    { name: "no topics", patch: { topics: [] }, field: /^topics: /m },
    {
      name: "bootstrap server without port",
      patch: { kafka: { bootstrapServers: ["kafka"] } },
      field: /^kafka\.bootstrapServers\.0: expected host:port/m,
    },
    { name: "unknown field", patch: { procesing: {} }, field: /procesing/ },
    {
      name: "two handlers",
      patch: { processing: { handler: { builtin: { name: "noop" }, http: { url: "http://x" } } } },
      field: /^processing\.handler: set exactly one/m,
    },
    {
      name: "forward without topic",
      patch: { processing: { handler: { builtin: { name: "forward-to-topic" } } } },
      field: /^processing\.handler\.builtin\.topic: /m,
    },
    { name: "bad ordering", patch: { processing: { ordering: "random" } }, field: /^processing\.ordering: /m },
    {
      name: "sasl without password",
      patch: { kafka: { bootstrapServers: ["k:1"], sasl: { mechanism: "plain", username: "u" } } },
      field: /^kafka\.sasl\.password: /m,
    },
    {
      name: "heartbeat over a third of the session",
      patch: { consumer: { sessionTimeoutMs: 6000, heartbeatIntervalMs: 3000 } },
      field: /^consumer\.heartbeatIntervalMs: /m,
    },
    {
      name: "backoff above its cap",
      patch: { processing: { retries: { backoffMs: 500, maxBackoffMs: 100 } } },
      field: /^processing\.retries\.backoffMs: /m,
    },
    { name: "missing groupId", patch: { groupId: undefined }, field: /^groupId: /m },
    {
      name: "kafkajs under the consumer group protocol",
      patch: { client: "kafkajs" },
      field: /^client: kafkajs speaks only the classic group protocol/m,
    },
    {
      name: "unknown group protocol",
      patch: { consumer: { groupProtocol: "eager" } },
      field: /^consumer\.groupProtocol: /m,
    },
  ];
  for (const c of invalid) {
    it(`rejects ${c.name}, naming the field`, () => {
      assert.throws(
        () => parseConfig({ ...minimal, ...c.patch }),
        (error: unknown) => error instanceof ConfigError && c.field.test(error.message),
      );
    });
  }

  it("reads YAML and applies LAGPILOT__ overrides on top", () => {
    const yaml = "groupId: g\ntopics: [a, b]\ntier: Buffered\nkafka:\n  bootstrapServers: ['k:9092']\n";
    const config = loadConfig({
      env: {
        LAGPILOT_CONFIG: "/config.yaml",
        LAGPILOT__processing__concurrency: "8",
        LAGPILOT__batch__size: "500",
        LAGPILOT__groupId: "from-env",
      },
      readFile: () => yaml,
    });
    assert.deepEqual(config.topics, ["a", "b"]);
    assert.equal(config.tier, "Buffered");
    assert.equal(config.processing.concurrency, 8);
    assert.equal(config.batch.size, 500);
    assert.equal(config.groupId, "from-env");
  });

  it("builds a whole config from the environment alone", () => {
    const merged = applyEnvOverrides(undefined, {
      LAGPILOT__groupId: "g",
      LAGPILOT__topics: '["t"]',
      LAGPILOT__kafka__bootstrapServers: '["k:1"]',
      OTHER: "ignored",
    });
    assert.deepEqual(merged, { groupId: "g", topics: ["t"], kafka: { bootstrapServers: ["k:1"] } });
  });

  it("names the file when it cannot be read", () => {
    assert.throws(
      () =>
        loadConfig({
          env: { LAGPILOT_CONFIG: "/nope.yaml" },
          readFile: () => {
            throw new Error("ENOENT");
          },
        }),
      /LAGPILOT_CONFIG=\/nope\.yaml: cannot read/,
    );
  });

  it("reads credentials from mounted files and names a missing one", () => {
    const files: Record<string, string> = { "/s/user": "alice\n", "/s/pass": "secret\n" };
    const read = (p: string) => {
      const v = files[p];
      if (v === undefined) throw new Error("ENOENT");
      return v;
    };
    const kafka = parseConfig({
      ...minimal,
      kafka: {
        bootstrapServers: ["k:1"],
        sasl: { mechanism: "scram-sha-512", usernameFile: "/s/user", passwordFile: "/s/pass" },
      },
    }).kafka;
    assert.deepEqual(resolveSecrets(kafka, read).sasl, {
      mechanism: "scram-sha-512",
      username: "alice",
      password: "secret",
    });
    const broken = { ...kafka, sasl: { ...kafka.sasl, passwordFile: "/s/missing" } } as typeof kafka;
    assert.throws(() => resolveSecrets(broken, read), /kafka\.sasl\.passwordFile: cannot read \/s\/missing/);
  });

  it("makes main.ts exit 2 with a message naming the field", () => {
    const dir = mkdtempSync(join(tmpdir(), "lagpilot-config-"));
    const file = join(dir, "config.json");
    writeFileSync(file, JSON.stringify({ ...minimal, batch: { size: 0 } }));
    const main = resolve(import.meta.dirname, "../../../consumer-runtime/src/main.ts");
    const result = spawnSync(process.execPath, [main], {
      env: { ...process.env, LAGPILOT_CONFIG: file },
      encoding: "utf8",
    });
    assert.equal(result.status, 2);
    assert.match(result.stdout, /batch\.size/);
  });
});

describe("runtime config and the KafkaConsumerGroup API", () => {
  it("share tier names, commit modes, handler names, ordering modes and built-in defaults", async () => {
    const api = await import("../../../operator/src/api/profiles.ts");
    const processing = await import("../../../operator/src/api/spec-processing.ts");
    const runtime = await import("../../../consumer-runtime/src/config.ts");
    assert.deepEqual(runtime.tierNames, api.tierNames);
    assert.deepEqual(runtime.commitModes, api.commitModes);
    assert.deepEqual(runtime.builtinHandlerNames, processing.builtinHandlerNames);
    assert.deepEqual(runtime.processingSchema.shape.ordering.unwrap().options, processing.orderingModes);
    assert.deepEqual(runtime.builtinDefaults.batch, api.builtinDefaults.batch);
    assert.deepEqual(runtime.builtinDefaults.consumer, api.builtinDefaults.consumer);
    assert.deepEqual(runtime.builtinDefaults.commit, api.builtinDefaults.commit);
  });
});
