// spec.kafka.sasl.credentialsSecret: a username written in the spec (a Strimzi KafkaUser Secret holds only
// `password` and `sasl.jaas.config`) or a key of the Secret; both the operator's admin connection and the rendered
// runtime config take it from the same place.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { runtimeConfigSchema } from "../../../consumer-runtime/src/config.ts";
import { resolveSettings } from "../../../operator/src/api/resolve.ts";
import { type KafkaConsumerGroupSpecInput, specSchema } from "../../../operator/src/api/spec.ts";
import { renderRuntimeConfig } from "../../../operator/src/reconcile/desired/runtime-config.ts";
import { resolveKafkaConnection, type SecretReader } from "../../../operator/src/reconcile/kafka-connection.ts";

/** A Strimzi KafkaUser's Secret for SCRAM: the password and a JAAS line, no username key. */
const strimziSecret = {
  password: "s3cret",
  "sasl.jaas.config":
    'org.apache.kafka.common.security.scram.ScramLoginModule required username="orders-app" password="s3cret";',
};
const keyedSecret = { user: "legacy-app", pass: "hunter2", username: "not-this-one" };

const secrets: Record<string, Record<string, string>> = { "orders-app": strimziSecret, legacy: keyedSecret };
const read: SecretReader = async (_namespace, name) => secrets[name];

function specWith(credentialsSecret: Record<string, string>) {
  const input: KafkaConsumerGroupSpecInput = {
    kafka: {
      bootstrapServers: ["kafka:9093"],
      sasl: { mechanism: "scram-sha-512", credentialsSecret: credentialsSecret as { name: string } },
    },
    topics: ["orders"],
    processing: { handler: { builtin: { name: "noop" } } },
  };
  return specSchema.parse(input);
}

function rendered(spec: ReturnType<typeof specWith>) {
  const config = renderRuntimeConfig({
    group: { namespace: "shop", name: "orders", uid: "uid-1" },
    spec,
    resolved: resolveSettings(spec, { namespace: "shop", name: "orders" }),
    replicas: 1,
    runtimeImage: "lagpilot/consumer-runtime:0.1.0",
  });
  const parsed = runtimeConfigSchema.safeParse(config);
  assert.ok(parsed.success, parsed.success ? "" : parsed.error.message);
  return parsed.data.kafka.sasl;
}

interface Case {
  name: string;
  credentialsSecret: Record<string, string>;
  adminUsername: string;
  adminPassword: string;
  runtimeSasl: Record<string, string>;
}

const cases: Case[] = [
  {
    name: "a literal username next to a Strimzi KafkaUser Secret",
    credentialsSecret: { name: "orders-app", username: "orders-app" },
    adminUsername: "orders-app",
    adminPassword: "s3cret",
    runtimeSasl: {
      mechanism: "scram-sha-512",
      username: "orders-app",
      passwordFile: "/etc/lagpilot/kafka/sasl/password",
    },
  },
  {
    name: "keys of the Secret, named",
    credentialsSecret: { name: "legacy", usernameKey: "user", passwordKey: "pass" },
    adminUsername: "legacy-app",
    adminPassword: "hunter2",
    runtimeSasl: {
      mechanism: "scram-sha-512",
      usernameFile: "/etc/lagpilot/kafka/sasl/user",
      passwordFile: "/etc/lagpilot/kafka/sasl/pass",
    },
  },
  {
    name: "the default keys",
    credentialsSecret: { name: "legacy", passwordKey: "pass" },
    adminUsername: "not-this-one",
    adminPassword: "hunter2",
    runtimeSasl: {
      mechanism: "scram-sha-512",
      usernameFile: "/etc/lagpilot/kafka/sasl/username",
      passwordFile: "/etc/lagpilot/kafka/sasl/pass",
    },
  },
];

describe("credentialsSecret", () => {
  for (const c of cases) {
    it(`${c.name}: the operator and the runtime use the same username and password`, async () => {
      const spec = specWith(c.credentialsSecret);
      const connection = await resolveKafkaConnection(spec.kafka, "shop", read);
      assert.deepEqual(connection.sasl, {
        mechanism: "scram-sha-512",
        username: c.adminUsername,
        password: c.adminPassword,
      });
      assert.deepEqual(rendered(spec), c.runtimeSasl);
    });
  }

  it("a Strimzi Secret without a username, and no username in the spec, is an error naming the key", async () => {
    const spec = specWith({ name: "orders-app" });
    await assert.rejects(
      resolveKafkaConnection(spec.kafka, "shop", read),
      /spec\.kafka\.sasl\.credentialsSecret: Secret shop\/orders-app has no key "username"/,
    );
  });
});
