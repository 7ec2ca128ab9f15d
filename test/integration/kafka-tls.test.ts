// spec.kafka.tls against the local stack's real broker: its TLS listener (the broker's certificate signed by the
// stack's CA) and its mutual-TLS listener (a client certificate the CA signed is required). The consumer runtime
// reads the CA, certificate and key from files, as a Pod reads its mounted Secrets; the operator reads them from
// Secrets and polls lag through the same listeners.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, afterEach, before, describe, it } from "node:test";
import { Kafka, logLevel } from "kafkajs";
import type { RuntimeConfigInput } from "../../consumer-runtime/src/config.ts";
import { connectAdmin, type KafkaAdmin } from "../../operator/src/kafka/admin.ts";
import { consumerProtocolClient } from "../../operator/src/kafka/consumer-protocol.ts";
import { muteKafkajsTimerWarning } from "../../operator/src/kafka/kafkajs-timer-warning.ts";
import { tlsFailureOf } from "../../operator/src/kafka/tls-failure.ts";
import {
  killAllRuntimes,
  parseLine,
  produce,
  spawnRuntime,
  stopRuntime,
  waitFor,
  writeModule,
} from "../bench/runtime-harness.ts";
import { makeCa } from "../env/tls-material.ts";
import {
  applyYaml,
  condition,
  createNamespace,
  deleteNamespace,
  groupClient,
  groupManifest,
  installCrd,
} from "../support/cluster.ts";
import { startLocalOperator } from "../support/local-operator.ts";
import { killAllStarted, type ManagedProcess } from "../support/processes.ts";
import { eventually, stackEnv, uniqueName, withTimeout } from "../support/stack-env.ts";

muteKafkajsTimerWarning();

// Counts handled messages in a file, one line per message.
const counterSource = `
import { appendFileSync } from "node:fs";
export async function handleBatch(messages) {
  appendFileSync(process.env.RECORD_FILE, messages.map((m) => m.partition + " " + m.offset + "\\n").join(""));
}
`;

const handledCount = (file: string) => readFileSync(file, "utf8").split("\n").filter(Boolean).length;

describe("spec.kafka.tls against a real broker", { concurrency: false }, () => {
  const env = stackEnv();
  const tls = env.kafka.tls;
  const handler = writeModule(counterSource);
  const dir = mkdtempSync(join(tmpdir(), "lagpilot-tls-"));
  // A CA that signed nothing the broker has: the wrong CA a user might mount.
  const wrongCa = makeCa("openssl", dir, "wrong-ca", "/CN=not-the-broker-ca").caFile;
  const total = 200;
  const clients = ["kafkajs", "platformatic"] as const;
  let admin: KafkaAdmin;
  let topic: string;

  const config = (client: "kafkajs" | "platformatic", kafka: RuntimeConfigInput["kafka"]): RuntimeConfigInput => ({
    groupId: uniqueName("tls-group"),
    topics: [topic],
    startFrom: "earliest",
    client,
    kafka,
    processing: { handler: { module: { path: handler.path } }, commit: { mode: "interval", intervalMs: 100 } },
    // kafkajs speaks only the classic group protocol; @platformatic/kafka runs the consumer protocol (KIP-848).
    consumer: {
      groupProtocol: client === "kafkajs" ? "classic" : "consumer",
      sessionTimeoutMs: 10_000,
      heartbeatIntervalMs: 1000,
    },
    shutdown: { gracePeriodMs: 10_000 },
  });

  /** Runs the runtime until it handled every message and committed them all, then stops it. */
  const consumesAll = async (cfg: RuntimeConfigInput) => {
    const file = join(dir, `${uniqueName("records")}.txt`);
    writeFileSync(file, "");
    const runtime = await spawnRuntime(cfg, { env: { RECORD_FILE: file }, timeoutMs: 90_000 });
    // The log's end, not the count sent: a producer retrying a send whose acknowledgement timed out on a busy
    // machine writes some records twice.
    const logEnd = (await admin.logOffsets([topic])).reduce((sum, p) => sum + p.logEndOffset, 0);
    await waitFor(async () => (handledCount(file) >= logEnd ? true : undefined), 60_000, `${cfg.client}: all handled`);
    let committed = 0;
    await waitFor(
      async () => {
        const offsets = await admin.committedOffsets(cfg.groupId, [topic]);
        committed = offsets.reduce((sum, p) => sum + Math.max(0, p.offset), 0);
        return committed === logEnd ? true : undefined;
      },
      30_000,
      `${cfg.client}: committed up to the log's end`,
    ).catch((error: Error) => {
      throw new Error(`${error.message}: committed ${committed} of ${logEnd}`);
    });
    assert.equal(await stopRuntime(runtime), 0, `${cfg.client} stopped cleanly`);
  };

  /** Runs the runtime and returns the error it logged before exiting with 1. */
  const failsWith = async (cfg: RuntimeConfigInput): Promise<string> => {
    const runtime = await spawnRuntime(cfg, { env: { RECORD_FILE: join(dir, "never.txt") }, waitReady: false });
    const code = await withTimeout(runtime.exited, 120_000, `${cfg.client}: still running with a bad TLS setup`);
    assert.equal(code, 1, `${cfg.client}: exit code\n${runtime.lines.join("\n")}`);
    const errors = runtime.lines.map(parseLine).filter((line) => line?.level === "error");
    return errors.map((line) => String(line?.msg)).join("\n");
  };

  before(async () => {
    admin = await connectAdmin({ bootstrapServers: [env.kafka.bootstrap] });
    topic = uniqueName("tls");
    await admin.createTopic(topic, 2);
    await produce({ bootstrap: env.kafka.bootstrap, topic, count: total });
  });
  afterEach(async () => {
    await killAllRuntimes();
  });
  after(async () => {
    await killAllRuntimes();
    const raw = new Kafka({ brokers: [env.kafka.bootstrap], logLevel: logLevel.NOTHING }).admin();
    await withTimeout(
      (async () => {
        await raw.connect();
        await raw.deleteTopics({ topics: [topic] }).catch(() => {});
        await raw.disconnect();
        await admin?.close();
      })(),
      30_000,
      "deleting the test topic",
    ).catch(() => {});
    rmSync(dir, { recursive: true, force: true });
    rmSync(handler.dir, { recursive: true, force: true });
  });

  it("the consumer runtime consumes through the TLS listener, trusting the CA of a mounted file", async () => {
    // Each client in a group of its own, side by side.
    await Promise.all(
      clients.map((client) =>
        consumesAll(config(client, { bootstrapServers: [env.kafka.tlsBootstrap], tls: { caFile: tls.caFile } })),
      ),
    );
  });

  it("the consumer runtime consumes through the mutual-TLS listener with a client certificate and key", async () => {
    const [refused] = await Promise.all([
      // The listener does require the certificate: without one the broker refuses, and the error says what to set.
      failsWith(config("kafkajs", { bootstrapServers: [env.kafka.mtlsBootstrap], tls: { caFile: tls.caFile } })),
      ...clients.map((client) =>
        consumesAll(
          config(client, {
            bootstrapServers: [env.kafka.mtlsBootstrap],
            tls: { caFile: tls.caFile, certFile: tls.certFile, keyFile: tls.keyFile },
          }),
        ),
      ),
    ]);
    assert.match(refused ?? "", /kafka\.tls\.certFile is not set and the broker requires a client certificate/);
  });

  it("a wrong CA fails with an error naming kafka.tls.caFile; insecureSkipVerify then connects", async () => {
    const [, ...messages] = await Promise.all([
      consumesAll(
        config("kafkajs", {
          bootstrapServers: [env.kafka.tlsBootstrap],
          tls: { caFile: wrongCa, insecureSkipVerify: true },
        }),
      ),
      ...clients.map((client) =>
        failsWith(config(client, { bootstrapServers: [env.kafka.tlsBootstrap], tls: { caFile: wrongCa } })),
      ),
    ]);
    for (const [i, message] of messages.entries()) {
      const client = clients[i];
      assert.match(message ?? "", /kafka\.tls\.caFile: the broker's certificate is not signed by the CA in/, client);
      assert.ok(message?.includes(wrongCa), `${client}: names the file\n${message}`);
    }
  });

  it("a broker refusing the operator's certificate is an error to report, not a crash", async () => {
    // The consumer-protocol probe's connection: the refusal arrives after the handshake, as a socket error.
    const client = consumerProtocolClient({
      bootstrapServers: [env.kafka.mtlsBootstrap],
      tls: { ca: readFileSync(tls.caFile, "utf8") },
    });
    try {
      const error = await withTimeout(
        client.supportsConsumerProtocol().then(
          () => undefined,
          (e: unknown) => e,
        ),
        30_000,
        "the probe neither answered nor failed",
      );
      assert.ok(error instanceof Error, "the probe fails");
      assert.equal(tlsFailureOf(error), "client-certificate-refused", String(error));
    } finally {
      await client.close();
    }
  });

  describe("the operator reads lag through TLS, with the CA and client certificate from Secrets", () => {
    const namespace = uniqueName("tls-op");
    const groups = groupClient();
    let operator: ManagedProcess;
    const groupId = `${namespace}.secure`;
    const committed = [30, 50];

    before(async () => {
      await installCrd();
      await createNamespace(namespace);
      // Non-default keys, so certKey, keyKey and caSecret.key are what finds them.
      const secret = (name: string, stringData: Record<string, string>) =>
        applyYaml({ apiVersion: "v1", kind: "Secret", metadata: { name, namespace }, stringData });
      await secret("broker-ca", { "root.pem": readFileSync(tls.caFile, "utf8") });
      await secret("wrong-ca", { "root.pem": readFileSync(wrongCa, "utf8") });
      await secret("client-cert", {
        "client.pem": readFileSync(tls.certFile, "utf8"),
        "client-key.pem": readFileSync(tls.keyFile, "utf8"),
      });
      // A group with commits but no member: its lag is the log end minus the commits, and stays so.
      const raw = new Kafka({ brokers: [env.kafka.bootstrap], logLevel: logLevel.NOTHING }).admin();
      await raw.connect();
      await raw.setOffsets({
        groupId,
        topic,
        partitions: committed.map((offset, partition) => ({ partition, offset: String(offset) })),
      });
      await raw.disconnect();
      operator = startLocalOperator(namespace);
      await operator.waitForLine(/"watches synced"/, 60_000);
    });
    after(async () => {
      await killAllStarted();
      await deleteNamespace(namespace);
    });

    it("reports KafkaReachable=True and the group's lag over mutual TLS", async () => {
      const logEnd = (await admin.logOffsets([topic])).map((p) => p.logEndOffset);
      const expectedLag = logEnd.reduce((sum, end, partition) => sum + end - (committed[partition] ?? 0), 0);
      await applyYaml(
        groupManifest(namespace, "secure", {
          kafka: {
            bootstrapServers: [env.kafka.mtlsBootstrap],
            tls: {
              caSecret: { name: "broker-ca", key: "root.pem" },
              clientCertSecret: { name: "client-cert", certKey: "client.pem", keyKey: "client-key.pem" },
            },
          },
          topics: [topic],
          groupId,
          processing: { handler: { builtin: { name: "noop" } } },
          // No consumer runs: the lag stays what the commits above make it.
          replicas: 0,
          autoscaling: { pollIntervalSeconds: 1 },
        }),
      );
      const group = await eventually(
        async () => {
          const g = await groups.get(namespace, "secure");
          assert.equal(condition(g, "KafkaReachable")?.status, "True", JSON.stringify(g.status?.conditions));
          assert.equal(g.status?.totalLag, expectedLag);
          return g;
        },
        60_000,
        500,
      );
      assert.equal(group.status?.partitions, 2);
    });

    it("names spec.kafka.tls.caSecret when the CA is wrong, and connects again with insecureSkipVerify", async () => {
      await groups.patchSpec(namespace, "secure", {
        kafka: { tls: { caSecret: { name: "wrong-ca", key: "root.pem" } } },
      });
      const refused = await eventually(
        async () => {
          const g = await groups.get(namespace, "secure");
          assert.equal(condition(g, "KafkaReachable")?.status, "False");
          return g;
        },
        60_000,
        500,
      );
      const message = condition(refused, "KafkaReachable")?.message ?? "";
      assert.match(message, /spec\.kafka\.tls\.caSecret: the broker's certificate is not signed by the CA in Secret/);
      assert.match(message, new RegExp(`${namespace}/wrong-ca key "root\\.pem"`));
      await groups.patchSpec(namespace, "secure", { kafka: { tls: { insecureSkipVerify: true } } });
      await eventually(
        async () => {
          const g = await groups.get(namespace, "secure");
          assert.equal(condition(g, "KafkaReachable")?.status, "True", JSON.stringify(g.status?.conditions));
          assert.equal(g.status?.observedGeneration, g.metadata.generation);
        },
        60_000,
        500,
      );
    });
  });
});
