// The operator against the real apiserver (with its Deployment and garbage collector controllers) and the
// real Kafka broker of the local stack.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import * as k8s from "@kubernetes/client-node";
import { connectAdmin } from "../../operator/src/kafka/admin.ts";
import {
  applyYaml,
  condition,
  crdFile,
  createNamespace,
  deleteNamespace,
  groupClient,
  groupManifest,
  installCrd,
  kubeConfig,
} from "../support/cluster.ts";
import { startLocalOperator } from "../support/local-operator.ts";
import { killAllStarted, type ManagedProcess } from "../support/processes.ts";
import { eventually, runTool, stackEnv, uniqueName } from "../support/stack-env.ts";

const CONFIG_HASH = "lagpilot.dev/config-hash";

function startOperator(namespace: string, extra: NodeJS.ProcessEnv = {}): ManagedProcess {
  return startLocalOperator(namespace, { LOG_LEVEL: "debug", ...extra });
}

async function metricsPort(operator: ManagedProcess): Promise<number> {
  const line = await operator.waitForLine(/"operator starting"/);
  return (JSON.parse(line) as { metricsPort: number }).metricsPort;
}

async function metricValue(port: number, name: string): Promise<number> {
  const body = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  return body
    .split("\n")
    .filter((line) => line.startsWith(name))
    .reduce((sum, line) => sum + Number(line.split(" ").pop()), 0);
}

/** Requests the operator sent to the apiserver, watches left out (they stay open). */
async function apiserverRequests(port: number): Promise<number> {
  const body = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  return body
    .split("\n")
    .filter((line) => line.startsWith("lagpilot_apiserver_requests_total{") && !line.includes('verb="watch"'))
    .reduce((sum, line) => sum + Number(line.split(" ").pop()), 0);
}

async function resourceVersions(namespace: string, name: string): Promise<Record<string, string>> {
  const out = await runTool("kubectl", [
    "get",
    `kafkaconsumergroup/${name}`,
    `deployment/${name}-consumer`,
    `configmap/${name}-consumer-config`,
    `service/${name}-consumer-metrics`,
    "-n",
    namespace,
    "-o",
    "json",
  ]);
  const list = JSON.parse(out) as { items: { kind: string; metadata: { resourceVersion: string } }[] };
  return Object.fromEntries(list.items.map((item) => [item.kind, item.metadata.resourceVersion]));
}

const apps = () => kubeConfig().makeApiClient(k8s.AppsV1Api);

describe("operator: reconciling a KafkaConsumerGroup", { concurrency: false }, () => {
  const env = stackEnv();
  const namespace = uniqueName("op");
  const topic = uniqueName("orders");
  const groups = groupClient();
  let operator: ManagedProcess;

  before(async () => {
    await installCrd();
    await createNamespace(namespace);
    const admin = await connectAdmin({ bootstrapServers: [env.kafka.bootstrap] });
    await admin.createTopic(topic, 6);
    await admin.close();
    operator = startOperator(namespace);
    await operator.waitForLine(/"watches synced"/);
  });

  after(async () => {
    await killAllStarted();
    await deleteNamespace(namespace);
  });

  const spec = (overrides: Record<string, unknown> = {}) => ({
    kafka: { bootstrapServers: [env.kafka.bootstrap] },
    topics: [topic],
    processing: { handler: { builtin: { name: "noop" } } },
    replicas: 2,
    autoscaling: { pollIntervalSeconds: 1 },
    ...overrides,
  });

  it("creates the Deployment, ConfigMap, metrics Service and PDB, owned by the group", async () => {
    await applyYaml(groupManifest(namespace, "orders", spec()));
    const deployment = await eventually(() => apps().readNamespacedDeployment({ name: "orders-consumer", namespace }));
    const group = await groups.get(namespace, "orders");
    for (const kind of ["configmap/orders-consumer-config", "service/orders-consumer-metrics", "pdb/orders-consumer"]) {
      const owners = JSON.parse(await runTool("kubectl", ["get", kind, "-n", namespace, "-o", "json"])).metadata
        .ownerReferences as { uid: string; controller: boolean }[];
      assert.deepEqual(
        owners.map((o) => ({ uid: o.uid, controller: o.controller })),
        [{ uid: group.metadata.uid, controller: true }],
        kind,
      );
    }
    assert.equal(deployment.metadata?.ownerReferences?.[0]?.uid, group.metadata.uid);
    assert.equal(deployment.spec?.replicas, 2);
    const pod = deployment.spec?.template.spec;
    const container = pod?.containers[0];
    assert.equal(container?.name, "consumer");
    assert.equal(container?.securityContext?.readOnlyRootFilesystem, true);
    assert.equal(container?.securityContext?.allowPrivilegeEscalation, false);
    assert.deepEqual(container?.securityContext?.capabilities?.drop, ["ALL"]);
    assert.equal(pod?.securityContext?.runAsNonRoot, true);
    assert.equal(pod?.securityContext?.seccompProfile?.type, "RuntimeDefault");
    assert.equal(container?.readinessProbe?.httpGet?.path, "/readyz");
    assert.equal(container?.livenessProbe?.httpGet?.path, "/healthz");
    assert.match(deployment.spec?.template.metadata?.annotations?.[CONFIG_HASH] ?? "", /^[0-9a-f]{16}$/);

    const configMap = JSON.parse(
      await runTool("kubectl", ["get", "configmap/orders-consumer-config", "-n", namespace, "-o", "json"]),
    ) as { data: Record<string, string> };
    const runtimeConfig = JSON.parse(configMap.data["config.json"] ?? "{}");
    assert.equal(runtimeConfig.groupId, `${namespace}.orders`);
    assert.deepEqual(runtimeConfig.topics, [topic]);
    assert.equal(runtimeConfig.tier, "Standard");

    const ready = await eventually(async () => {
      const g = await groups.get(namespace, "orders");
      assert.equal(condition(g, "KafkaReachable")?.status, "True");
      assert.equal(g.status?.observedGeneration, g.metadata.generation);
      return g;
    });
    assert.equal(ready.status?.partitions, 6);
    assert.equal(ready.status?.selector, "lagpilot.dev/consumer-group=orders");
  });

  it("writes nothing when nothing changed, across several polls", async () => {
    const before = await eventually(async () => {
      const g = await groups.get(namespace, "orders");
      assert.equal(g.status?.observedGeneration, g.metadata.generation);
      return resourceVersions(namespace, "orders");
    });
    const port = await metricsPort(operator);
    const reconciles = await metricValue(port, "lagpilot_reconcile_total");
    const requests = await apiserverRequests(port);
    // Polls run every second: four seconds are several reconciles.
    await new Promise((resolve) => setTimeout(resolve, 4000));
    assert.deepEqual(await resourceVersions(namespace, "orders"), before);
    assert.ok((await metricValue(port, "lagpilot_reconcile_total")) >= reconciles + 3, "reconciles ran");
    assert.equal(await apiserverRequests(port), requests, "reconciles read from the watch caches and wrote nothing");
  });

  it("rolls the Deployment when the tier or batch size changes", async () => {
    const hashOf = async () =>
      (await apps().readNamespacedDeployment({ name: "orders-consumer", namespace })).spec?.template.metadata
        ?.annotations?.[CONFIG_HASH];
    const first = await hashOf();
    await groups.patchSpec(namespace, "orders", { tier: "Buffered", batch: { size: 64 } });
    const second = await eventually(async () => {
      const hash = await hashOf();
      assert.notEqual(hash, first);
      return hash;
    });
    await groups.patchSpec(namespace, "orders", { batch: { size: 128 } });
    await eventually(async () => assert.notEqual(await hashOf(), second));
    const config = JSON.parse(
      JSON.parse(await runTool("kubectl", ["get", "configmap/orders-consumer-config", "-n", namespace, "-o", "json"]))
        .data["config.json"],
    );
    assert.equal(config.tier, "Buffered");
    assert.equal(config.batch.size, 128);
  });

  it("recreates a Deployment deleted by hand", async () => {
    const old = await apps().readNamespacedDeployment({ name: "orders-consumer", namespace });
    await apps().deleteNamespacedDeployment({ name: "orders-consumer", namespace });
    await eventually(async () => {
      const recreated = await apps().readNamespacedDeployment({ name: "orders-consumer", namespace });
      assert.notEqual(recreated.metadata?.uid, old.metadata?.uid);
    });
  });

  it("follows kubectl scale through the scale subresource", async () => {
    await runTool("kubectl", ["scale", "kcg/orders", "-n", namespace, "--replicas=3"]);
    await eventually(async () => {
      const deployment = await apps().readNamespacedDeployment({ name: "orders-consumer", namespace });
      assert.equal(deployment.spec?.replicas, 3);
    });
  });

  it("keeps the replicas as they are and reports KafkaReachable=False when Kafka cannot be reached", async () => {
    await applyYaml(groupManifest(namespace, "offline", spec({ replicas: 2 })));
    await eventually(async () => {
      const g = await groups.get(namespace, "offline");
      assert.equal(condition(g, "KafkaReachable")?.status, "True");
    });
    await groups.patchSpec(namespace, "offline", { kafka: { bootstrapServers: ["127.0.0.1:1"] }, replicas: 5 });
    const group = await eventually(async () => {
      const g = await groups.get(namespace, "offline");
      assert.equal(condition(g, "KafkaReachable")?.status, "False");
      return g;
    }, 60_000);
    assert.match(condition(group, "KafkaReachable")?.message ?? "", /127\.0\.0\.1:1/);
    assert.equal(condition(group, "Ready")?.reason, "KafkaUnreachable");
    const deployment = await apps().readNamespacedDeployment({ name: "offline-consumer", namespace });
    assert.equal(deployment.spec?.replicas, 2);
    const events = await runTool("kubectl", ["get", "events", "-n", namespace, "-o", "json"]);
    assert.match(events, /KafkaUnreachable/);
    // The outage is logged once, when it starts, not at every poll.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const outageLines = operator.lines.filter(
      (line) => line.includes('"Kafka unreachable"') && line.includes(`"${namespace}/offline"`),
    );
    assert.equal(outageLines.length, 1, outageLines.join("\n"));
    assert.match(outageLines[0] ?? "", /127\.0\.0\.1:1/);
  });

  it("reports an object the installed CRD let through but the schema refuses (InvalidSpec), without crashing", async () => {
    // An older, looser CRD lets a bad spec reach the operator; the operator must say why and carry on.
    const loose = JSON.parse(
      await runTool("kubectl", ["get", "crd", "kafkaconsumergroups.lagpilot.dev", "-o", "json"]),
    );
    const version = loose.spec.versions[0];
    version.schema = {
      openAPIV3Schema: {
        type: "object",
        properties: {
          spec: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
          status: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
        },
      },
    };
    delete version.selectableFields;
    delete loose.metadata.resourceVersion;
    delete loose.metadata.managedFields;
    delete loose.status;
    try {
      await runTool("kubectl", ["replace", "-f", "-"], JSON.stringify(loose));
      await eventually(() => applyYaml(groupManifest(namespace, "broken", spec({ tier: "Turbo", topics: [] }))));
      const group = await eventually(async () => {
        const g = await groups.get(namespace, "broken");
        assert.equal(condition(g, "Ready")?.reason, "InvalidSpec");
        return g;
      });
      assert.match(condition(group, "Ready")?.message ?? "", /tier/);
      assert.match(condition(group, "Ready")?.message ?? "", /topics/);
      const events = await runTool("kubectl", [
        "get",
        "events",
        "-n",
        namespace,
        "--field-selector",
        "reason=InvalidSpec",
      ]);
      assert.match(events, /broken/);
      assert.equal(operator.child.exitCode, null, "the operator is still running");
      await runTool("kubectl", ["delete", "kcg", "broken", "-n", namespace]);
    } finally {
      await runTool("kubectl", ["replace", "-f", crdFile]);
      await installCrd();
    }
  });

  it("after a restart, writes nothing to objects that did not change", async () => {
    await eventually(async () => {
      const g = await groups.get(namespace, "orders");
      assert.equal(g.status?.observedGeneration, g.metadata.generation);
    });
    await operator.stop("SIGTERM");
    const before = await resourceVersions(namespace, "orders");
    operator = startOperator(namespace);
    const port = await metricsPort(operator);
    await operator.waitForLine(/"watches synced"/);
    await eventually(async () => assert.ok((await metricValue(port, "lagpilot_reconcile_total")) >= 3));
    assert.deepEqual(await resourceVersions(namespace, "orders"), before);
  });
});

describe("operator: leader election", { concurrency: false }, () => {
  const env = stackEnv();
  const namespace = uniqueName("lease");

  before(async () => {
    await installCrd();
    await createNamespace(namespace);
  });
  after(async () => {
    await killAllStarted();
    await deleteNamespace(namespace);
  });

  it("lets only the leader write, and hands over when the leader dies or stops", async () => {
    const election = { LEADER_ELECTION: "true", LEASE_DURATION_SECONDS: "4" };
    const first = startOperator(namespace, { ...election, POD_NAME: "operator-a" });
    await first.waitForLine(/started leading/);
    const second = startOperator(namespace, { ...election, POD_NAME: "operator-b" });
    const secondPort = await metricsPort(second);
    await second.waitForLine(/"watches synced"/);

    await applyYaml(
      groupManifest(namespace, "payments", {
        kafka: { bootstrapServers: [env.kafka.bootstrap] },
        topics: ["payments-never-created"],
        processing: { handler: { builtin: { name: "noop" } } },
      }),
    );
    await eventually(() => apps().readNamespacedDeployment({ name: "payments-consumer", namespace }));
    assert.equal(await metricValue(secondPort, "lagpilot_leader"), 0);
    assert.equal(await metricValue(secondPort, "lagpilot_apiserver_writes_total"), 0, "the standby wrote nothing");

    // The leader dies without releasing the lease: the standby takes over once it expires.
    first.child.kill("SIGKILL");
    await second.waitForLine(/started leading/, 30_000);
    await eventually(async () => assert.equal(await metricValue(secondPort, "lagpilot_leader"), 1));

    // A stopping leader releases the lease, so a successor need not wait for it to expire.
    await second.stop("SIGTERM");
    const lease = await kubeConfig()
      .makeApiClient(k8s.CoordinationV1Api)
      .readNamespacedLease({ name: "lagpilot-operator-leader", namespace });
    assert.equal(lease.spec?.holderIdentity ?? "", "");
  });
});
