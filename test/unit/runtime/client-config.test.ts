// Every consumer setting of a KafkaConsumerGroup reaches the client library it is meant for: the value given
// to the adapter is the value the library is configured with, under the library's own name.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ConsumerClientOptions } from "../../../consumer-runtime/src/client/contract.ts";
import { kafkajsConfig, kafkajsConsumerConfig } from "../../../consumer-runtime/src/client/kafkajs.ts";
import {
  instanceIdStillHeld,
  membershipLost,
  platformaticConsumerOptions,
  reconnectDelayMs,
} from "../../../consumer-runtime/src/client/platformatic.ts";

// Distinct values, so a setting wired to the wrong option shows.
const options: ConsumerClientOptions = {
  clientId: "lagpilot-shop-orders",
  groupProtocol: "classic",
  groupId: "shop.orders",
  bootstrapServers: ["kafka:9092"],
  sessionTimeoutMs: 45_001,
  heartbeatIntervalMs: 3_002,
  rebalanceTimeoutMs: 60_003,
  requestTimeoutMs: 30_004,
  fetchMinBytes: 10_005,
  fetchMaxWaitMs: 506,
  maxBytesPerPartition: 1_048_007,
  tls: { ca: "CA", cert: "CERT", key: "KEY", insecureSkipVerify: false },
  sasl: { mechanism: "scram-sha-512", username: "orders-app", password: "secret" },
};

interface Case {
  setting: string;
  /** Where the value must show in each library's configuration. */
  kafkajs: (o: ConsumerClientOptions) => unknown;
  platformatic: (o: ConsumerClientOptions) => unknown;
  expected: unknown;
}

const kafkajsConsumer = (o: ConsumerClientOptions) => kafkajsConsumerConfig(o) as unknown as Record<string, unknown>;
const kafkajsClient = (o: ConsumerClientOptions) => kafkajsConfig(o) as unknown as Record<string, unknown>;
const platformatic = (o: ConsumerClientOptions) => platformaticConsumerOptions(o) as unknown as Record<string, unknown>;

describe("consumer settings reach the client libraries", () => {
  const cases: Case[] = [
    {
      setting: "consumer.sessionTimeoutMs",
      kafkajs: (o) => kafkajsConsumer(o).sessionTimeout,
      platformatic: (o) => platformatic(o).sessionTimeout,
      expected: 45_001,
    },
    {
      setting: "consumer.heartbeatIntervalMs",
      kafkajs: (o) => kafkajsConsumer(o).heartbeatInterval,
      platformatic: (o) => platformatic(o).heartbeatInterval,
      expected: 3_002,
    },
    {
      setting: "consumer.rebalanceTimeoutMs",
      kafkajs: (o) => kafkajsConsumer(o).rebalanceTimeout,
      platformatic: (o) => platformatic(o).rebalanceTimeout,
      expected: 60_003,
    },
    {
      setting: "consumer.requestTimeoutMs",
      kafkajs: (o) => kafkajsClient(o).requestTimeout,
      platformatic: (o) => platformatic(o).timeout,
      expected: 30_004,
    },
    {
      setting: "consumer.fetchMinBytes",
      kafkajs: (o) => kafkajsConsumer(o).minBytes,
      platformatic: (o) => platformatic(o).minBytes,
      expected: 10_005,
    },
    {
      setting: "consumer.fetchMaxWaitMs",
      kafkajs: (o) => kafkajsConsumer(o).maxWaitTimeInMs,
      platformatic: (o) => platformatic(o).maxWaitTime,
      expected: 506,
    },
    {
      setting: "consumer.maxBytesPerPartition",
      kafkajs: (o) => kafkajsConsumer(o).maxBytesPerPartition,
      platformatic: (o) => platformatic(o).maxBytesPerPartition,
      expected: 1_048_007,
    },
    {
      setting: "groupId",
      kafkajs: (o) => kafkajsConsumer(o).groupId,
      platformatic: (o) => platformatic(o).groupId,
      expected: "shop.orders",
    },
    {
      setting: "kafka.bootstrapServers",
      kafkajs: (o) => kafkajsClient(o).brokers,
      platformatic: (o) => platformatic(o).bootstrapBrokers,
      expected: ["kafka:9092"],
    },
    {
      setting: "kafka.tls (CA, client certificate and key, verification on)",
      kafkajs: (o) => {
        const ssl = kafkajsClient(o).ssl as Record<string, unknown>;
        return [ssl.ca, ssl.cert, ssl.key, ssl.rejectUnauthorized];
      },
      platformatic: (o) => {
        const tls = platformatic(o).tls as Record<string, unknown>;
        return [[tls.ca], tls.cert, tls.key, tls.rejectUnauthorized];
      },
      expected: [["CA"], "CERT", "KEY", true],
    },
    {
      setting: "kafka.tls.insecureSkipVerify",
      kafkajs: (o) =>
        (kafkajsClient({ ...o, tls: { insecureSkipVerify: true } }).ssl as Record<string, unknown>).rejectUnauthorized,
      platformatic: (o) =>
        (platformatic({ ...o, tls: { insecureSkipVerify: true } }).tls as Record<string, unknown>).rejectUnauthorized,
      expected: false,
    },
    {
      setting: "kafka.sasl (mechanism, username, password)",
      kafkajs: (o) => {
        const sasl = kafkajsClient(o).sasl as Record<string, unknown>;
        return [String(sasl.mechanism).toLowerCase(), sasl.username, sasl.password];
      },
      platformatic: (o) => {
        const sasl = platformatic(o).sasl as Record<string, unknown>;
        return [String(sasl.mechanism).toLowerCase(), sasl.username, sasl.password];
      },
      expected: ["scram-sha-512", "orders-app", "secret"],
    },
  ];
  for (const c of cases) {
    it(`${c.setting} reaches kafkajs and @platformatic/kafka`, () => {
      assert.deepEqual(c.kafkajs(options), c.expected, "kafkajs");
      assert.deepEqual(c.platformatic(options), c.expected, "@platformatic/kafka");
    });
  }

  it("without TLS settings neither library is told to use TLS", () => {
    const { tls: _tls, ...plain } = options;
    assert.equal(kafkajsClient(plain).ssl, undefined);
    assert.equal(platformatic(plain).tls, undefined);
  });
});

describe("reconnectDelayMs: the wait before @platformatic/kafka's fetch stream is started again", () => {
  const cases: { name: string; attempt: number; expected: number }[] = [
    { name: "first loss: half a second", attempt: 1, expected: 500 },
    { name: "doubles with each loss in a row", attempt: 3, expected: 2000 },
    { name: "capped at 5 s", attempt: 5, expected: 5000 },
    { name: "stays capped however long the outage", attempt: 40, expected: 5000 },
    { name: "attempt 0 counts as the first", attempt: 0, expected: 500 },
  ];
  for (const c of cases) it(c.name, () => assert.equal(reconnectDelayMs(c.attempt), c.expected));
});

describe("membershipLost: a heartbeat error that means the group no longer knows the member", () => {
  const protocolError = (apiId: string) => Object.assign(new Error(apiId), { apiId });
  const cases: { name: string; error: unknown; expected: boolean }[] = [
    { name: "UNKNOWN_MEMBER_ID itself", error: protocolError("UNKNOWN_MEMBER_ID"), expected: true },
    {
      name: "UNKNOWN_MEMBER_ID inside a response's errors",
      error: Object.assign(new Error("response"), { errors: [protocolError("UNKNOWN_MEMBER_ID")] }),
      expected: true,
    },
    {
      name: "UNKNOWN_MEMBER_ID two levels down (retries wrapping a response)",
      error: Object.assign(new Error("retries"), {
        errors: [Object.assign(new Error("response"), { errors: [protocolError("UNKNOWN_MEMBER_ID")] })],
      }),
      expected: true,
    },
    {
      name: "UNKNOWN_MEMBER_ID as the cause",
      error: Object.assign(new Error("wrapped"), { cause: protocolError("UNKNOWN_MEMBER_ID") }),
      expected: true,
    },
    {
      name: "FENCED_MEMBER_EPOCH: the library rejoins by itself",
      error: protocolError("FENCED_MEMBER_EPOCH"),
      expected: false,
    },
    { name: "a network error", error: new Error("Connection closed"), expected: false },
    { name: "nothing", error: undefined, expected: false },
  ];
  for (const c of cases) it(c.name, () => assert.equal(membershipLost(c.error), c.expected));
});

describe("instanceIdStillHeld: a first join refused while a crashed member still holds the Pod's instance id", () => {
  const protocolError = (apiId: string) => Object.assign(new Error(apiId), { apiId });
  const cases: { name: string; error: unknown; expected: boolean }[] = [
    { name: "UNRELEASED_INSTANCE_ID itself", error: protocolError("UNRELEASED_INSTANCE_ID"), expected: true },
    {
      name: "UNRELEASED_INSTANCE_ID inside the retries of a heartbeat",
      error: Object.assign(new Error("ConsumerGroupHeartbeat failed"), {
        errors: [Object.assign(new Error("response"), { errors: [protocolError("UNRELEASED_INSTANCE_ID")] })],
      }),
      expected: true,
    },
    {
      name: "FENCED_INSTANCE_ID: another process owns the id for good, not a wait",
      error: protocolError("FENCED_INSTANCE_ID"),
      expected: false,
    },
    { name: "UNKNOWN_MEMBER_ID", error: protocolError("UNKNOWN_MEMBER_ID"), expected: false },
    { name: "a network error", error: new Error("Connection closed"), expected: false },
  ];
  for (const c of cases) it(c.name, () => assert.equal(instanceIdStillHeld(c.error), c.expected));
});
