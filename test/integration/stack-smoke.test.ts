// Proves the local stack is made of the real things: Kafka answers our admin code, Kafka's own tools agree
// with what we consumed and committed, SASL/SCRAM is enforced, and the apiserver serves watches of CRDs.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import * as k8s from "@kubernetes/client-node";
import { connectAdmin, type KafkaAdmin } from "../../operator/src/kafka/admin.ts";
import { kafkaClient } from "../../operator/src/kafka/connection.ts";
import { eventually, runTool, stackEnv, uniqueName, withTimeout } from "../support/stack-env.ts";

describe("local stack: Kafka", () => {
  const env = stackEnv();
  const connection = { bootstrapServers: [env.kafka.bootstrap] };
  let admin: KafkaAdmin;

  before(async () => {
    admin = await connectAdmin(connection);
  });
  after(async () => {
    await admin?.close();
  });

  it("creates a topic, consumes 10,000 messages with a group, and Kafka's own tool reports zero lag", async () => {
    const topic = uniqueName("smoke");
    const groupId = uniqueName("smoke-group");
    assert.equal(await admin.createTopic(topic, 6), true);
    assert.equal((await admin.partitionCounts([topic])).get(topic), 6);

    const kafka = kafkaClient(connection);
    const producer = kafka.producer();
    await producer.connect();
    const total = 10_000;
    for (let start = 0; start < total; start += 1000) {
      const messages = Array.from({ length: 1000 }, (_, i) => ({ key: `k${start + i}`, value: `v${start + i}` }));
      await producer.send({ topic, messages });
    }
    await producer.disconnect();
    const produced = (await admin.logOffsets([topic])).reduce((sum, p) => sum + p.logEndOffset, 0);
    assert.equal(produced, total);

    const consumer = kafka.consumer({ groupId });
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    const seen = new Set<string>();
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`consumed only ${seen.size} of ${total}`)), 90_000);
      consumer
        .run({
          autoCommit: false,
          eachBatch: async ({ batch, resolveOffset, heartbeat, commitOffsetsIfNecessary }) => {
            for (const message of batch.messages) {
              seen.add(String(message.value));
              resolveOffset(message.offset);
            }
            await commitOffsetsIfNecessary({
              topics: [
                {
                  topic: batch.topic,
                  partitions: [{ partition: batch.partition, offset: String(Number(batch.lastOffset()) + 1) }],
                },
              ],
            });
            await heartbeat();
            if (seen.size === total) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
    await consumer.disconnect();
    assert.equal(seen.size, total);

    const committed = await admin.committedOffsets(groupId, [topic]);
    assert.equal(
      committed.reduce((sum, p) => sum + p.offset, 0),
      total,
    );

    // The independent yardstick: Kafka's own consumer-groups tool.
    const describe = await runTool("kafka-consumer-groups", [
      "--bootstrap-server",
      env.kafka.bootstrap,
      "--describe",
      "--group",
      groupId,
    ]);
    const rows = describe
      .split("\n")
      .map((line) => line.trim().split(/\s+/))
      .filter((cols) => cols[1] === topic);
    assert.equal(rows.length, 6, describe);
    for (const cols of rows) {
      const [current, end, lag] = [Number(cols[3]), Number(cols[4]), Number(cols[5])];
      assert.equal(lag, 0, describe);
      assert.equal(current, end, describe);
    }
    assert.equal(
      rows.reduce((sum, cols) => sum + Number(cols[3]), 0),
      total,
    );
  });

  it("reports -1 as the committed offset of a partition a group never committed", async () => {
    const topic = uniqueName("fresh");
    await admin.createTopic(topic, 2);
    const committed = await admin.committedOffsets(uniqueName("nobody"), [topic]);
    assert.deepEqual(
      committed.map((c) => c.offset),
      [-1, -1],
    );
  });

  it("authenticates over SASL/SCRAM (SHA-512 and SHA-256) and refuses a wrong password", async () => {
    const saslAdmin = await connectAdmin({ bootstrapServers: [env.kafka.saslBootstrap], sasl: env.kafka.sasl });
    assert.match(await saslAdmin.clusterId(), /\S+/);
    await saslAdmin.close();

    const sha256 = await connectAdmin({
      bootstrapServers: [env.kafka.saslBootstrap],
      sasl: { mechanism: "scram-sha-256", ...env.kafka.scramSha256 },
    });
    assert.match(await sha256.clusterId(), /\S+/);
    await sha256.close();

    await assert.rejects(
      connectAdmin({
        bootstrapServers: [env.kafka.saslBootstrap],
        sasl: { ...env.kafka.sasl, password: "wrong" },
      }),
      /SASL|authentic/i,
    );
  });

  it("is reachable by an independent client (kcat)", async () => {
    const metadata = await runTool("kcat", ["-b", env.kafka.bootstrap, "-L", "-J"]);
    const parsed = JSON.parse(metadata) as { brokers: { id: number }[] };
    assert.equal(parsed.brokers.length, 1);
  });
});

describe("local stack: Kubernetes", () => {
  const env = stackEnv();

  it("applies a CRD and an object with kubectl and sees the object arrive through a client-node watch", async () => {
    const suffix = Math.floor(Math.random() * 1e9).toString(36);
    const group = `smoke${suffix}.lagpilot.dev`;
    const crd = {
      apiVersion: "apiextensions.k8s.io/v1",
      kind: "CustomResourceDefinition",
      metadata: { name: `widgets.${group}` },
      spec: {
        group,
        scope: "Namespaced",
        names: { plural: "widgets", singular: "widget", kind: "Widget" },
        versions: [
          {
            name: "v1",
            served: true,
            storage: true,
            schema: {
              openAPIV3Schema: {
                type: "object",
                properties: { spec: { type: "object", properties: { size: { type: "integer" } } } },
              },
            },
          },
        ],
      },
    };
    await runTool("kubectl", ["apply", "-f", "-"], JSON.stringify(crd));
    // A CRD created a moment ago has no conditions yet, and kubectl wait fails on that instead of waiting.
    await eventually(() =>
      runTool("kubectl", ["wait", "--for=condition=Established", `crd/widgets.${group}`, "--timeout=60s"]),
    );
    // Established means accepted; serving the new resource can lag a moment behind (429 meanwhile).
    await eventually(() => runTool("kubectl", ["get", `widgets.${group}`]));

    const kubeConfig = new k8s.KubeConfig();
    kubeConfig.loadFromFile(env.kubeconfig);
    const watch = new k8s.Watch(kubeConfig);
    const seen: { type: string; name: string; size: number }[] = [];
    let abort: AbortController | undefined;
    const arrived = new Promise<void>((resolve, reject) => {
      watch
        .watch(
          `/apis/${group}/v1/namespaces/default/widgets`,
          {},
          (type, object: { metadata: { name: string }; spec: { size: number } }) => {
            seen.push({ type, name: object.metadata.name, size: object.spec.size });
            if (object.metadata.name === "first") resolve();
          },
          (error) => error && reject(error),
        )
        .then((controller) => {
          abort = controller;
        }, reject);
    });
    // Give the watch a moment to be established before the object is created.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const widget = { apiVersion: `${group}/v1`, kind: "Widget", metadata: { name: "first" }, spec: { size: 3 } };
    await runTool("kubectl", ["apply", "-f", "-"], JSON.stringify(widget));
    await withTimeout(arrived, 30_000, "no watch event within 30s");
    abort?.abort();
    assert.deepEqual(seen[0], { type: "ADDED", name: "first", size: 3 });

    await runTool("kubectl", ["delete", "crd", `widgets.${group}`, "--wait=true"]);
  });
});
