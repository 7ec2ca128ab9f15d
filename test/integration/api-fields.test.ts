// KafkaConsumerGroup fields that only the running operator can show honoured, against the real apiserver and the
// real broker's SASL listener.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Kafka, logLevel } from "kafkajs";
import type { AutoscalingStatus } from "../../operator/src/api/status.ts";
import { connectAdmin } from "../../operator/src/kafka/admin.ts";
import { killAllRuntimes, spawnRuntime } from "../bench/runtime-harness.ts";
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
import { killAllStarted } from "../support/processes.ts";
import { eventually, runTool, stackEnv, uniqueName } from "../support/stack-env.ts";

describe("KafkaConsumerGroup fields honoured by the operator", { concurrency: false }, () => {
  const env = stackEnv();
  const namespace = uniqueName("fields");
  const topic = uniqueName("shipments");
  const groups = groupClient();
  let metricsPort = 0;

  before(async () => {
    await installCrd();
    await createNamespace(namespace);
    const admin = await connectAdmin({ bootstrapServers: [env.kafka.bootstrap] });
    await admin.createTopic(topic, 2);
    await admin.close();
    const operator = startLocalOperator(namespace, { LOG_LEVEL: "debug" });
    const starting = await operator.waitForLine(/"operator starting"/);
    metricsPort = (JSON.parse(starting) as { metricsPort: number }).metricsPort;
    await operator.waitForLine(/"watches synced"/);
  });

  after(async () => {
    await killAllRuntimes();
    await killAllStarted();
    await deleteNamespace(namespace);
  });

  const deploymentReplicas = async (name: string) =>
    Number(
      await runTool("kubectl", [
        "get",
        "deployment",
        `${name}-consumer`,
        "-n",
        namespace,
        "-o",
        "jsonpath={.spec.replicas}",
      ]),
    );

  it("paused: spec changes reach nothing until paused is false again; status still reports", async () => {
    const spec = {
      kafka: { bootstrapServers: [env.kafka.bootstrap] },
      topics: [topic],
      processing: { handler: { builtin: { name: "noop" } } },
      replicas: 1,
    };
    await applyYaml(groupManifest(namespace, "held", spec));
    await eventually(async () => assert.equal(await deploymentReplicas("held"), 1), 60_000);
    const config = () =>
      runTool("kubectl", ["get", "configmap", "held-consumer-config", "-n", namespace, "-o", "jsonpath={.data}"]);
    const configBefore = await config();

    await groups.patchSpec(namespace, "held", { paused: true, replicas: 2, processing: { concurrency: 4 } });
    // Status is still reported while paused: Kafka is polled (a broker that has just started may fail the first
    // poll, so the next ones are waited for).
    await eventually(async () => {
      const group = await groups.get(namespace, "held");
      assert.equal(group.status?.observedGeneration, group.metadata.generation);
      const ready = condition(group, "Ready");
      assert.equal(ready?.reason, "Paused", JSON.stringify(ready));
      const kafka = condition(group, "KafkaReachable");
      assert.equal(kafka?.status, "True", `status is still reported while paused: ${JSON.stringify(kafka)}`);
    }, 60_000);
    // A few more reconciles (the poll interval is the default) change nothing either.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    assert.equal(await deploymentReplicas("held"), 1);
    assert.equal(await config(), configBefore);

    await groups.patchSpec(namespace, "held", { paused: false });
    await eventually(async () => assert.equal(await deploymentReplicas("held"), 2), 60_000);
    assert.notEqual(await config(), configBefore);
  });

  it("paused: the autoscaler's state does not move while paused; it decides again once resumed", async () => {
    const lagged = uniqueName("lagged");
    const admin = await connectAdmin({ bootstrapServers: [env.kafka.bootstrap] });
    await admin.createTopic(lagged, 3);
    await admin.close();
    const spec = {
      // The listener Pods reach: the group's consumer Pod runs on the node and must join like any member.
      kafka: { bootstrapServers: [env.kafka.podBootstrap] },
      topics: [lagged],
      startFrom: "earliest",
      // One record a second per consumer: the lag below stays for the whole test.
      processing: { handler: { builtin: { name: "simulate-work", workMs: 1000, workKind: "sleep" } } },
      autoscaling: { enabled: true, minReplicas: 1, maxReplicas: 3, lagPerReplica: 50, pollIntervalSeconds: 1 },
    };
    await applyYaml(groupManifest(namespace, "frozen", spec));
    await eventually(async () => assert.equal(await deploymentReplicas("frozen"), 1), 60_000);
    // A member of the group, so that the autoscaler has a group to size (a group without members is held).
    await spawnRuntime({
      groupId: `${namespace}.frozen`,
      topics: [lagged],
      startFrom: "earliest",
      kafka: { bootstrapServers: [env.kafka.bootstrap] },
      processing: { handler: { builtin: { name: "simulate-work", workMs: 1000, workKind: "sleep" } } },
    });
    await groups.patchSpec(namespace, "frozen", { paused: true });
    const frozen = await eventually(async () => {
      const group = await groups.get(namespace, "frozen");
      assert.equal(condition(group, "Ready")?.reason, "Paused");
      return group;
    }, 60_000);
    const autoscalingBefore = JSON.stringify(frozen.status?.autoscaling ?? null);

    // 600 records waiting: 12 replicas' worth at lagPerReplica 50, capped at maxReplicas 3. Each partition holds
    // fewer than lag.maxMessagesPerPartition (1000), but at one record a second they soon wait longer than
    // lag.maxSeconds (30 s): a backlog all the same.
    const producer = new Kafka({ brokers: [env.kafka.bootstrap], logLevel: logLevel.NOTHING }).producer();
    await producer.connect();
    await producer.send({ topic: lagged, messages: Array.from({ length: 600 }, (_, i) => ({ value: String(i) })) });
    await producer.disconnect();
    await eventually(async () => {
      const group = await groups.get(namespace, "frozen");
      const lag = Number(group.status?.totalLag ?? 0);
      assert.ok(lag >= 500, `lag ${lag} observed while paused`);
    }, 60_000);
    // Several polls later: nothing was decided.
    await new Promise((resolve) => setTimeout(resolve, 4000));
    const still = await groups.get(namespace, "frozen");
    assert.equal(still.status?.desiredReplicas, 1, "the replicas wanted moved while paused");
    assert.equal(JSON.stringify(still.status?.autoscaling ?? null), autoscalingBefore, "status.autoscaling moved");
    assert.equal(await deploymentReplicas("frozen"), 1);

    await groups.patchSpec(namespace, "frozen", { paused: false });
    await eventually(async () => assert.equal(await deploymentReplicas("frozen"), 3), 60_000);
    // The decision is on record, as a user reading status sees it.
    await eventually(async () => {
      const resumed = (await groups.get(namespace, "frozen")).status?.autoscaling as AutoscalingStatus | undefined;
      const scaledUp = resumed?.decisions?.find((d) => d.fromReplicas === 1 && d.toReplicas === 3);
      assert.equal(scaledUp?.reason, "ScaledUp", JSON.stringify(resumed?.decisions));
    }, 30_000);
  });

  it("alerts: the operator exports each group's spec.alerts as the series the chart's rules join", async () => {
    const spec = (alerts: Record<string, unknown>) => ({
      kafka: { bootstrapServers: [env.kafka.bootstrap] },
      topics: [topic],
      processing: { handler: { builtin: { name: "noop" } } },
      lag: { maxSeconds: 90 },
      alerts,
    });
    await applyYaml(groupManifest(namespace, "loud", spec({ severity: "critical", forSeconds: 60, lagSeconds: 15 })));
    await applyYaml(groupManifest(namespace, "hushed", spec({ enabled: false, minMessagesPerSecond: 40 })));
    const series = async (name: string) => {
      const body = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
      return body
        .split("\n")
        .filter((line) => line.startsWith("lagpilot_group_alert") && line.includes(`name="${name}"`))
        .sort();
    };
    const labels = (name: string) => `namespace="${namespace}",name="${name}"`;
    await eventually(async () => {
      assert.deepEqual(await series("loud"), [
        `lagpilot_group_alert_for_seconds{${labels("loud")}} 60`,
        `lagpilot_group_alert_threshold{${labels("loud")},alert="dead_letters_per_minute"} 1`,
        `lagpilot_group_alert_threshold{${labels("loud")},alert="error_rate_percent"} 5`,
        `lagpilot_group_alert_threshold{${labels("loud")},alert="lag_seconds"} 15`,
        `lagpilot_group_alert_threshold{${labels("loud")},alert="p99_processing_ms"} 500`,
        `lagpilot_group_alerts_enabled{${labels("loud")},severity="critical"} 1`,
      ]);
      assert.deepEqual(await series("hushed"), [
        `lagpilot_group_alert_for_seconds{${labels("hushed")}} 300`,
        `lagpilot_group_alert_threshold{${labels("hushed")},alert="dead_letters_per_minute"} 1`,
        `lagpilot_group_alert_threshold{${labels("hushed")},alert="error_rate_percent"} 5`,
        `lagpilot_group_alert_threshold{${labels("hushed")},alert="lag_seconds"} 90`,
        `lagpilot_group_alert_threshold{${labels("hushed")},alert="min_messages_per_second"} 40`,
        `lagpilot_group_alert_threshold{${labels("hushed")},alert="p99_processing_ms"} 500`,
        `lagpilot_group_alerts_enabled{${labels("hushed")},severity="warning"} 0`,
      ]);
    }, 60_000);

    // An edit reaches the series without a restart.
    await groups.patchSpec(namespace, "loud", { alerts: { lagSeconds: 20, severity: "warning" } });
    await eventually(async () => {
      const now = await series("loud");
      assert.ok(
        now.includes(`lagpilot_group_alert_threshold{${labels("loud")},alert="lag_seconds"} 20`),
        now.join("\n"),
      );
      assert.ok(now.includes(`lagpilot_group_alerts_enabled{${labels("loud")},severity="warning"} 1`), now.join("\n"));
    }, 60_000);
  });

  it("topics: a typo'd topic is TopicsMissing with its own Event, no Kafka alert, and other groups keep polling", async () => {
    const typo = `${topic}-typo`;
    const spec = (topics: string[]) => ({
      kafka: { bootstrapServers: [env.kafka.bootstrap] },
      topics,
      processing: { handler: { builtin: { name: "noop" } } },
      autoscaling: { pollIntervalSeconds: 1 },
    });
    // Same cluster, same credentials: both groups share the operator's one admin connection.
    await applyYaml(groupManifest(namespace, "neighbour", spec([topic])));
    await applyYaml(groupManifest(namespace, "typo", spec([typo])));
    const missing = await eventually(async () => {
      const group = await groups.get(namespace, "typo");
      assert.equal(condition(group, "Ready")?.reason, "TopicsMissing", JSON.stringify(group.status));
      return group;
    }, 60_000);
    assert.equal(condition(missing, "Ready")?.status, "False");
    assert.match(condition(missing, "Ready")?.message ?? "", new RegExp(`${typo} of spec\\.topics do not exist`));
    assert.equal(condition(missing, "KafkaReachable")?.status, "True", "Kafka answered: not an outage");
    await eventually(async () => {
      const events = await runTool("kubectl", [
        "get",
        "events",
        "-n",
        namespace,
        "--field-selector",
        "reason=TopicsMissing,involvedObject.name=typo",
        "-o",
        "jsonpath={.items[*].message}",
      ]);
      assert.match(events, new RegExp(typo));
    }, 30_000);

    const metrics = async () => (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    const value = (body: string, line: string) =>
      Number(
        body
          .split("\n")
          .find((l) => l.startsWith(line))
          ?.split(" ")
          .pop(),
      );
    const reachable = (name: string) =>
      `lagpilot_group_kafka_reachable{namespace="${namespace}",name="${name}",consumergroup="${namespace}.${name}"}`;
    const adminErrors = (body: string) =>
      body
        .split("\n")
        .filter((l) => l.startsWith("lagpilot_kafka_admin_errors_total{"))
        .reduce((sum, l) => sum + Number(l.split(" ").pop()), 0);
    const before = await metrics();
    // Both groups poll every second: a few seconds are several polls of each.
    await new Promise((resolve) => setTimeout(resolve, 4000));
    const after = await metrics();
    assert.equal(value(after, reachable("typo")), 1, "LagpilotKafkaUnreachable has nothing to fire on");
    assert.equal(adminErrors(after), adminErrors(before), "no failed Kafka call, so the shared connection stays");
    const neighbour = await groups.get(namespace, "neighbour");
    assert.equal(condition(neighbour, "KafkaReachable")?.status, "True");
    assert.notEqual(condition(neighbour, "Ready")?.reason, "TopicsMissing");
    assert.notEqual(condition(neighbour, "Ready")?.reason, "KafkaUnreachable");

    // Creating the topic is enough: the next poll measures the group.
    const admin = await connectAdmin({ bootstrapServers: [env.kafka.bootstrap] });
    try {
      await admin.createTopic(typo, 1);
    } finally {
      await admin.close();
    }
    await eventually(async () => {
      const group = await groups.get(namespace, "typo");
      assert.notEqual(condition(group, "Ready")?.reason, "TopicsMissing");
      const topics = (group.status?.topics ?? []) as { name: string }[];
      assert.deepEqual(
        topics.map((t) => t.name),
        [typo],
      );
    }, 60_000);
    const found = await runTool("kubectl", [
      "get",
      "events",
      "-n",
      namespace,
      "--field-selector",
      "reason=TopicsFound,involvedObject.name=typo",
      "-o",
      "name",
    ]);
    assert.notEqual(found.trim(), "");
  });

  it("processing.deadLetter.topic: a missing dead-letter topic is Degraded=DeadLetterTopicMissing with its own Event", async () => {
    const deadLetter = `${topic}-dlq`;
    await applyYaml(
      groupManifest(namespace, "nodlq", {
        kafka: { bootstrapServers: [env.kafka.bootstrap] },
        topics: [topic],
        processing: { handler: { builtin: { name: "noop" } }, deadLetter: { topic: deadLetter } },
        autoscaling: { pollIntervalSeconds: 1 },
      }),
    );
    const degraded = await eventually(async () => {
      const group = await groups.get(namespace, "nodlq");
      assert.equal(condition(group, "Degraded")?.reason, "DeadLetterTopicMissing", JSON.stringify(group.status));
      return group;
    }, 60_000);
    assert.equal(condition(degraded, "Degraded")?.status, "True");
    assert.match(
      condition(degraded, "Degraded")?.message ?? "",
      new RegExp(`processing\\.deadLetter\\.topic ${deadLetter} does not exist in Kafka.*create the topic`),
    );
    assert.equal(condition(degraded, "KafkaReachable")?.status, "True", "Kafka answered: not an outage");
    assert.notEqual(condition(degraded, "Ready")?.reason, "TopicsMissing", "the consumed topics are all there");
    const eventsOf = (reason: string) =>
      runTool("kubectl", [
        "get",
        "events",
        "-n",
        namespace,
        "--field-selector",
        `reason=${reason},involvedObject.name=nodlq`,
        "-o",
        "jsonpath={.items[*].message}",
      ]);
    await eventually(
      async () => assert.match(await eventsOf("DeadLetterTopicMissing"), new RegExp(deadLetter)),
      30_000,
    );

    const admin = await connectAdmin({ bootstrapServers: [env.kafka.bootstrap] });
    try {
      await admin.createTopic(deadLetter, 1);
    } finally {
      await admin.close();
    }
    await eventually(async () => {
      const group = await groups.get(namespace, "nodlq");
      assert.equal(condition(group, "Degraded")?.status, "False", JSON.stringify(group.status));
    }, 60_000);
    await eventually(async () => assert.match(await eventsOf("DeadLetterTopicFound"), new RegExp(deadLetter)), 30_000);
  });

  it("ApplyFailed: the condition and the Event carry the apiserver's whole reason, quotes and all", async () => {
    // The schema lets resources through as quantities; the apiserver refuses requests above limits.
    await applyYaml(
      groupManifest(namespace, "refused", {
        kafka: { bootstrapServers: [env.kafka.bootstrap] },
        topics: [topic],
        processing: { handler: { builtin: { name: "noop" } } },
        template: { resources: { requests: { cpu: "2" }, limits: { cpu: "1" } } },
      }),
    );
    const whole =
      /^could not apply the consumer's objects: Deployment\.apps "refused-consumer" is invalid: spec\.template\.spec\.containers\[0\]\.resources\.requests: Invalid value: "2": must be less than or equal to cpu limit/;
    const refused = await eventually(async () => {
      const group = await groups.get(namespace, "refused");
      assert.equal(condition(group, "Ready")?.reason, "ApplyFailed", JSON.stringify(group.status));
      return group;
    }, 60_000);
    assert.match(condition(refused, "Ready")?.message ?? "", whole);
    await eventually(async () => {
      const events = await runTool("kubectl", [
        "get",
        "events",
        "-n",
        namespace,
        "--field-selector",
        "reason=ApplyFailed,involvedObject.name=refused",
        "-o",
        "jsonpath={.items[0].message}",
      ]);
      assert.match(
        events,
        /^Deployment\.apps "refused-consumer" is invalid: .*must be less than or equal to cpu limit/,
      );
    }, 30_000);
  });

  it("credentialsSecret: a rotated password reaches the consumers (their Pods roll); other keys do not roll them", async () => {
    const { username, password } = env.kafka.sasl;
    const secret = (data: Record<string, string>) =>
      applyYaml({ apiVersion: "v1", kind: "Secret", metadata: { name: "rotating", namespace }, stringData: data });
    await secret({ username, password });
    await applyYaml(
      groupManifest(namespace, "rotated", {
        kafka: {
          bootstrapServers: [env.kafka.saslBootstrap],
          sasl: { mechanism: env.kafka.sasl.mechanism, credentialsSecret: { name: "rotating" } },
        },
        topics: [topic],
        processing: { handler: { builtin: { name: "noop" } } },
        autoscaling: { pollIntervalSeconds: 1 },
      }),
    );
    const podHash = () =>
      runTool("kubectl", [
        "get",
        "deployment",
        "rotated-consumer",
        "-n",
        namespace,
        "-o",
        "jsonpath={.spec.template.metadata.annotations.lagpilot\\.dev/secrets-hash}",
      ]);
    const first = await eventually(async () => {
      const hash = await podHash();
      assert.match(hash, /^[0-9a-f]{16}$/);
      return hash;
    }, 60_000);

    // A key the consumer does not read: polls see the same credentials, the Pods stay.
    await secret({ username, password, note: "rotated on Tuesday" });
    await new Promise((resolve) => setTimeout(resolve, 4000));
    assert.equal(await podHash(), first);

    // The password itself: the next poll reads it and the Pod template changes, so the Deployment rolls.
    await secret({ username, password: `${password}-next` });
    const second = await eventually(async () => {
      const hash = await podHash();
      assert.notEqual(hash, first);
      return hash;
    }, 30_000);
    assert.match(second, /^[0-9a-f]{16}$/);
    const config = await runTool("kubectl", ["get", "deployment", "rotated-consumer", "-n", namespace, "-o", "json"]);
    assert.ok(!config.includes(`${password}-next`), "the Pod template carries a hash, never the password");
  });

  const saslGroup = (name: string, credentialsSecret: Record<string, string>) =>
    groupManifest(namespace, name, {
      kafka: {
        bootstrapServers: [env.kafka.saslBootstrap],
        sasl: { mechanism: env.kafka.sasl.mechanism, credentialsSecret },
      },
      topics: [topic],
      processing: { handler: { builtin: { name: "noop" } } },
    });

  it("credentialsSecret: a Strimzi KafkaUser Secret (password, sasl.jaas.config) with the username in the spec", async () => {
    const { username, password } = env.kafka.sasl;
    // The layout Strimzi's User Operator writes for a SCRAM-SHA-512 KafkaUser: no username key.
    await applyYaml({
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "shipments-user", namespace },
      stringData: {
        password,
        "sasl.jaas.config": `org.apache.kafka.common.security.scram.ScramLoginModule required username="${username}" password="${password}";`,
      },
    });
    await applyYaml(saslGroup("literal", { name: "shipments-user", username }));
    await applyYaml(saslGroup("keyed", { name: "shipments-user" }));

    const reachable = await eventually(async () => {
      const c = condition(await groups.get(namespace, "literal"), "KafkaReachable");
      assert.equal(c?.status, "True", JSON.stringify(c));
      return c;
    }, 60_000);
    assert.equal(reachable?.reason, "Connected");
    const config = JSON.parse(
      await runTool("kubectl", [
        "get",
        "configmap",
        "literal-consumer-config",
        "-n",
        namespace,
        "-o",
        "jsonpath={.data.config\\.json}",
      ]),
    ) as { kafka: { sasl: Record<string, string> } };
    assert.deepEqual(config.kafka.sasl, {
      mechanism: "scram-sha-512",
      username,
      passwordFile: "/etc/lagpilot/kafka/sasl/password",
    });

    // Without the username in the spec, the same Secret lacks the default key: said, naming it.
    const missing = await eventually(async () => {
      const c = condition(await groups.get(namespace, "keyed"), "KafkaReachable");
      assert.equal(c?.status, "False", JSON.stringify(c));
      return c;
    }, 60_000);
    assert.match(missing?.message ?? "", /credentialsSecret.*has no key "username"/);
  });
});
