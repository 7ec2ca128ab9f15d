// Settings resolution: explicit spec > profile > built-in defaults, with the origin of each value reported.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { profileNames, profiles } from "../../../operator/src/api/profiles.ts";
import { resolveSettings } from "../../../operator/src/api/resolve.ts";
import { specSchema } from "../../../operator/src/api/spec.ts";

const where = { namespace: "shop", name: "orders" };

function spec(extra: Record<string, unknown>) {
  return specSchema.parse({
    kafka: { bootstrapServers: ["kafka:9092"] },
    topics: ["orders"],
    processing: { handler: { builtin: { name: "noop" } } },
    ...extra,
  });
}

const cases: {
  name: string;
  spec: Record<string, unknown>;
  expect: Record<string, unknown>;
  sources?: Record<string, string>;
}[] = [
  {
    name: "no profile, nothing set: built-in defaults, Standard without batch",
    spec: {},
    expect: { groupId: "shop.orders", tier: "Standard", batch: undefined, "consumer.maxPollRecords": 500 },
    sources: { tier: "default", "consumer.maxPollRecords": "default" },
  },
  {
    name: "explicit groupId",
    spec: { groupId: "orders-eu" },
    expect: { groupId: "orders-eu" },
  },
  {
    name: "Buffered without batch settings gets the default batch of 32",
    spec: { tier: "Buffered" },
    expect: { tier: "Buffered", "batch.size": 32, "batch.maxWaitMs": 50 },
    sources: { tier: "spec", "batch.size": "default" },
  },
  {
    name: "analytics profile: Buffered 64, fetch 10 KiB / 500 ms",
    spec: { profile: "analytics" },
    expect: {
      tier: "Buffered",
      profile: "analytics",
      "batch.size": 64,
      "consumer.fetchMinBytes": 10_240,
      "consumer.fetchMaxWaitMs": 500,
    },
    sources: { tier: "profile", "batch.size": "profile", "batch.maxWaitMs": "default" },
  },
  {
    name: "explicit values win over the analytics profile",
    spec: { profile: "analytics", batch: { size: 128 }, consumer: { fetchMinBytes: 1 } },
    expect: { tier: "Buffered", "batch.size": 128, "consumer.fetchMinBytes": 1, "consumer.fetchMaxWaitMs": 500 },
    sources: { "batch.size": "spec", "consumer.fetchMinBytes": "spec", "consumer.fetchMaxWaitMs": "profile" },
  },
  {
    name: "explicit tier wins over the profile's; the profile's batch follows to Dedicated",
    spec: { profile: "analytics", tier: "Dedicated" },
    expect: { tier: "Dedicated", "batch.size": 64 },
    sources: { tier: "spec" },
  },
  {
    name: "explicit Standard tier over a batching profile drops batching",
    spec: { profile: "db-writer", tier: "Standard" },
    expect: { tier: "Standard", batch: undefined, "commit.mode": "batch", "consumer.maxPollRecords": 1000 },
  },
  {
    name: "high-volume profile: Dedicated, fetch 50 KiB / 100 ms",
    spec: { profile: "high-volume" },
    expect: { tier: "Dedicated", "consumer.fetchMinBytes": 51_200, "consumer.fetchMaxWaitMs": 100, "batch.size": 32 },
  },
  {
    name: "ai-inference profile: one message held per partition, 15 minute rebalance timeout, 60 s session",
    spec: { profile: "ai-inference" },
    expect: {
      tier: "Standard",
      "consumer.maxPollRecords": 1,
      "consumer.rebalanceTimeoutMs": 900_000,
      "consumer.sessionTimeoutMs": 60_000,
      "consumer.heartbeatIntervalMs": 3000,
    },
  },
  {
    name: "io-bound profile: 20 records, 60 s request timeout",
    spec: { profile: "io-bound" },
    expect: { "consumer.maxPollRecords": 20, "consumer.requestTimeoutMs": 60_000 },
  },
  {
    name: "db-writer profile: batches of 1000, commit after each batch",
    spec: { profile: "db-writer" },
    expect: { tier: "Buffered", "batch.size": 1000, "consumer.maxPollRecords": 1000, "commit.mode": "batch" },
    sources: { "commit.mode": "profile", "commit.intervalMs": "default" },
  },
  {
    name: "explicit commit mode wins over db-writer's",
    spec: {
      profile: "db-writer",
      processing: { handler: { builtin: { name: "noop" } }, commit: { mode: "interval" } },
    },
    expect: { "commit.mode": "interval" },
    sources: { "commit.mode": "spec" },
  },
  {
    name: "realtime profile: short session",
    spec: { profile: "realtime" },
    expect: { tier: "Standard", "consumer.sessionTimeoutMs": 10_000, "consumer.fetchMinBytes": 1 },
  },
  {
    name: "a short explicit session pulls the default heartbeat down to a third of it",
    spec: { consumer: { sessionTimeoutMs: 6000 } },
    expect: { "consumer.sessionTimeoutMs": 6000, "consumer.heartbeatIntervalMs": 2000 },
    sources: { "consumer.heartbeatIntervalMs": "derived" },
  },
  {
    name: "a long explicit heartbeat pushes the profile's session up to three times it",
    spec: { profile: "realtime", consumer: { heartbeatIntervalMs: 5000 } },
    expect: { "consumer.sessionTimeoutMs": 15_000, "consumer.heartbeatIntervalMs": 5000 },
    sources: { "consumer.sessionTimeoutMs": "derived" },
  },
];

function at(value: unknown, path: string): unknown {
  return path.split(".").reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], value);
}

describe("resolveSettings", () => {
  for (const testCase of cases) {
    it(testCase.name, () => {
      const resolved = resolveSettings(spec(testCase.spec), where);
      for (const [path, expected] of Object.entries(testCase.expect)) {
        assert.deepEqual(at(resolved, path), expected, path);
      }
      for (const [field, source] of Object.entries(testCase.sources ?? {})) {
        assert.equal(resolved.sources[field], source, `sources[${field}]`);
      }
    });
  }

  const protocolCases: {
    name: string;
    spec: Record<string, unknown>;
    broker?: { consumerGroupProtocol: boolean };
    protocol: string;
    source: string;
  }[] = [
    { name: "broker not asked yet: the built-in default", spec: {}, protocol: "consumer", source: "default" },
    {
      name: "a broker with KIP-848: consumer",
      spec: {},
      broker: { consumerGroupProtocol: true },
      protocol: "consumer",
      source: "broker",
    },
    {
      name: "a broker without KIP-848: classic",
      spec: {},
      broker: { consumerGroupProtocol: false },
      protocol: "classic",
      source: "broker",
    },
    {
      name: "the spec's choice wins over the broker's",
      spec: { consumer: { groupProtocol: "classic" } },
      broker: { consumerGroupProtocol: true },
      protocol: "classic",
      source: "spec",
    },
  ];
  for (const c of protocolCases) {
    it(`group protocol: ${c.name}`, () => {
      const resolved = resolveSettings(spec(c.spec), where, c.broker);
      assert.equal(resolved.consumer.groupProtocol, c.protocol);
      assert.equal(resolved.sources["consumer.groupProtocol"], c.source);
    });
  }

  it("always keeps the heartbeat at most a third of the session", () => {
    for (const profile of profileNames) {
      for (const sessionTimeoutMs of [6000, 10_000, 45_000, undefined]) {
        const consumer = sessionTimeoutMs ? { sessionTimeoutMs } : undefined;
        const resolved = resolveSettings(spec({ profile, consumer }), where);
        assert.ok(resolved.consumer.heartbeatIntervalMs * 3 <= resolved.consumer.sessionTimeoutMs, profile);
      }
    }
  });

  it("gives every profile a one-line summary and only values the schema accepts", () => {
    for (const name of profileNames) {
      const profile = profiles[name];
      assert.ok(profile.summary.length > 10, name);
      const explicit = spec({
        profile: name,
        tier: profile.tier ?? "Standard",
        consumer: profile.consumer,
        ...(profile.batch && profile.tier !== "Standard" ? { batch: profile.batch } : {}),
      });
      assert.ok(explicit, name);
    }
  });
});
