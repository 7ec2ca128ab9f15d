// The owned objects exactly as the apiserver receives them (what `kubectl get -o yaml` shows a user), for the
// smallest spec and for one that sets every pod-template field; the config file the runtime reads; the names
// and labels of long group names; when a reconcile asks Kafka again.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { resolveSettings } from "../../../operator/src/api/resolve.ts";
import { type KafkaConsumerGroupSpecInput, specSchema } from "../../../operator/src/api/spec.ts";
import type { RenderContext } from "../../../operator/src/reconcile/desired/context.ts";
import { labelValue, objectNames } from "../../../operator/src/reconcile/desired/names.ts";
import {
  desiredConfigMap,
  desiredDeployment,
  desiredPodDisruptionBudget,
  desiredService,
  heapCapOption,
  memoryBytes,
} from "../../../operator/src/reconcile/desired/objects.ts";
import { renderRuntimeConfig } from "../../../operator/src/reconcile/desired/runtime-config.ts";
import { pollDue } from "../../../operator/src/reconcile/poll-due.ts";
import { contentHash } from "../../../operator/src/reconcile/spec-hash.ts";

const base: KafkaConsumerGroupSpecInput = {
  kafka: { bootstrapServers: ["kafka:9092"] },
  topics: ["orders"],
  processing: { handler: { builtin: { name: "noop" } } },
};

function context(overrides: Partial<KafkaConsumerGroupSpecInput> = {}, replicas = 2, name = "orders"): RenderContext {
  const spec = specSchema.parse({ ...base, ...overrides });
  return {
    group: { namespace: "shop", name, uid: "uid-1" },
    spec,
    resolved: resolveSettings(spec, { namespace: "shop", name }),
    replicas,
    runtimeImage: "lagpilot/consumer-runtime:0.1.0",
  };
}

const labels = {
  "lagpilot.dev/consumer-group": "orders",
  "app.kubernetes.io/name": "lagpilot-consumer",
  "app.kubernetes.io/instance": "orders",
  "app.kubernetes.io/component": "consumer",
  "app.kubernetes.io/managed-by": "lagpilot",
};
const selector = { "lagpilot.dev/consumer-group": "orders" };
const owner = {
  apiVersion: "lagpilot.dev/v1alpha1",
  kind: "KafkaConsumerGroup",
  name: "orders",
  uid: "uid-1",
  controller: true,
  blockOwnerDeletion: true,
};
const meta = (name: string) => ({ name, namespace: "shop", labels, ownerReferences: [owner] });

describe("the owned objects of the smallest spec", () => {
  const c = context();

  it("Deployment: one restricted consumer container with probes, config mount, heap cap and a surge-only rollout", () => {
    assert.deepEqual(desiredDeployment(c), {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: meta("orders-consumer"),
      spec: {
        replicas: 2,
        revisionHistoryLimit: 3,
        selector: { matchLabels: selector },
        strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
        template: {
          metadata: {
            labels,
            annotations: { "lagpilot.dev/config-hash": contentHash(renderRuntimeConfig(c)) },
          },
          spec: {
            automountServiceAccountToken: false,
            terminationGracePeriodSeconds: 30,
            securityContext: {
              runAsNonRoot: true,
              runAsUser: 10001,
              runAsGroup: 10001,
              fsGroup: 10001,
              seccompProfile: { type: "RuntimeDefault" },
            },
            containers: [
              {
                name: "consumer",
                image: "lagpilot/consumer-runtime:0.1.0",
                env: [
                  { name: "LAGPILOT_CONFIG", value: "/etc/lagpilot/config.json" },
                  { name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
                  { name: "POD_NAMESPACE", valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } } },
                  { name: "NODE_OPTIONS", value: "--max-old-space-size=384" },
                ],
                ports: [{ name: "metrics", containerPort: 8080, protocol: "TCP" }],
                startupProbe: {
                  httpGet: { path: "/healthz", port: "metrics" },
                  periodSeconds: 2,
                  timeoutSeconds: 3,
                  failureThreshold: 90,
                },
                livenessProbe: {
                  httpGet: { path: "/healthz", port: "metrics" },
                  periodSeconds: 10,
                  timeoutSeconds: 3,
                  failureThreshold: 3,
                },
                readinessProbe: {
                  httpGet: { path: "/readyz", port: "metrics" },
                  periodSeconds: 5,
                  timeoutSeconds: 3,
                  failureThreshold: 3,
                },
                resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "512Mi" } },
                securityContext: {
                  allowPrivilegeEscalation: false,
                  readOnlyRootFilesystem: true,
                  runAsNonRoot: true,
                  capabilities: { drop: ["ALL"] },
                  seccompProfile: { type: "RuntimeDefault" },
                },
                volumeMounts: [
                  { name: "config", mountPath: "/etc/lagpilot", readOnly: true },
                  { name: "tmp", mountPath: "/tmp" },
                ],
              },
            ],
            volumes: [
              { name: "config", configMap: { name: "orders-consumer-config" } },
              { name: "tmp", emptyDir: { sizeLimit: "64Mi" } },
            ],
          },
        },
      },
    });
  });

  it("Service: headless, the metrics port of the group's Pods", () => {
    assert.deepEqual(desiredService(c), {
      apiVersion: "v1",
      kind: "Service",
      metadata: meta("orders-consumer-metrics"),
      spec: {
        type: "ClusterIP",
        clusterIP: "None",
        selector,
        ports: [{ name: "metrics", port: 8080, targetPort: "metrics", protocol: "TCP" }],
      },
    });
  });

  it("PodDisruptionBudget: one Pod down at a time", () => {
    assert.deepEqual(desiredPodDisruptionBudget(c), {
      apiVersion: "policy/v1",
      kind: "PodDisruptionBudget",
      metadata: meta("orders-consumer"),
      spec: { maxUnavailable: 1, selector: { matchLabels: selector } },
    });
  });

  it("ConfigMap: the runtime config as indented JSON under config.json", () => {
    const configMap = desiredConfigMap(c);
    assert.deepEqual(configMap.metadata, meta("orders-consumer-config"));
    assert.deepEqual(Object.keys(configMap.data ?? {}), ["config.json"]);
    const text = configMap.data?.["config.json"] ?? "";
    assert.ok(text.endsWith("}\n") && text.includes('\n  "groupId": "shop.orders"'), text.slice(0, 80));
    assert.deepEqual(JSON.parse(text), JSON.parse(JSON.stringify(renderRuntimeConfig(c))));
  });

  it("runtime config: the resolved settings, a client id naming the group, the grace period less 5 s", () => {
    const config = renderRuntimeConfig(context({ template: { terminationGracePeriodSeconds: 45 } }));
    assert.deepEqual(
      {
        groupId: config.groupId,
        topics: config.topics,
        kafka: config.kafka,
        server: config.server,
        shutdown: config.shutdown,
        handler: (config.processing as { handler: unknown }).handler,
      },
      {
        groupId: "shop.orders",
        topics: ["orders"],
        kafka: { bootstrapServers: ["kafka:9092"], clientId: "lagpilot-shop-orders" },
        server: { port: 8080 },
        shutdown: { gracePeriodMs: 40_000 },
        handler: { builtin: { name: "noop" } },
      },
    );
    const tight = renderRuntimeConfig(context({ template: { terminationGracePeriodSeconds: 2 } }));
    assert.deepEqual(tight.shutdown, { gracePeriodMs: 1000 }, "never less than a second");
  });
});

describe("a spec that sets every pod-template field and Kafka security", () => {
  const c = context({
    kafka: {
      bootstrapServers: ["kafka:9093"],
      tls: { caSecret: { name: "kafka-ca" }, clientCertSecret: { name: "client-tls" } },
      sasl: { mechanism: "scram-sha-512", credentialsSecret: { name: "kafka-user", username: "orders-app" } },
    },
    template: {
      image: "registry.example/orders:1.2",
      imagePullPolicy: "Always",
      imagePullSecrets: [{ name: "pull" }],
      resources: { limits: { memory: "1Gi" } },
      env: [
        { name: "NODE_OPTIONS", value: "--enable-source-maps" },
        { name: "REGION", value: "eu" },
      ],
      envFrom: [{ configMapRef: { name: "shared" } }],
      labels: { team: "shop" },
      annotations: { "example.com/owner": "shop" },
      serviceAccountName: "orders",
      priorityClassName: "high",
      nodeSelector: { pool: "consumers" },
      tolerations: [{ key: "dedicated", operator: "Exists" }],
      affinity: { nodeAffinity: {} },
      topologySpreadConstraints: [{ maxSkew: 1, topologyKey: "zone", whenUnsatisfiable: "ScheduleAnyway" }],
      terminationGracePeriodSeconds: 60,
      containers: [{ name: "proxy", image: "proxy:1" }],
      volumes: [{ name: "cache", emptyDir: {} }],
      volumeMounts: [{ name: "cache", mountPath: "/cache" }],
    },
  });
  const deployment = desiredDeployment(c);
  const pod = deployment.spec?.template;
  const consumer = pod?.spec?.containers[0];

  it("the pod spec carries each field as given", () => {
    const { containers: _containers, volumes: _volumes, securityContext: _security, ...rest } = pod?.spec ?? {};
    assert.deepEqual(rest, {
      serviceAccountName: "orders",
      automountServiceAccountToken: false,
      priorityClassName: "high",
      nodeSelector: { pool: "consumers" },
      tolerations: [{ key: "dedicated", operator: "Exists" }],
      affinity: { nodeAffinity: {} },
      topologySpreadConstraints: [{ maxSkew: 1, topologyKey: "zone", whenUnsatisfiable: "ScheduleAnyway" }],
      imagePullSecrets: [{ name: "pull" }],
      terminationGracePeriodSeconds: 60,
    });
    assert.deepEqual(
      pod?.spec?.containers.map((x) => x.name),
      ["consumer", "proxy"],
    );
    assert.deepEqual(pod?.metadata?.labels, { team: "shop", ...labels });
    assert.equal(pod?.metadata?.annotations?.["example.com/owner"], "shop");
    assert.match(pod?.metadata?.annotations?.["lagpilot.dev/config-hash"] ?? "", /^[0-9a-f]{16}$/);
  });

  it("the consumer container: the user's image, pull policy, env (theirs win by name), envFrom and mounts", () => {
    assert.equal(consumer?.image, "registry.example/orders:1.2");
    assert.equal(consumer?.imagePullPolicy, "Always");
    assert.deepEqual(consumer?.env, [
      { name: "LAGPILOT_CONFIG", value: "/etc/lagpilot/config.json" },
      { name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
      { name: "POD_NAMESPACE", valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } } },
      { name: "NODE_OPTIONS", value: "--enable-source-maps" },
      { name: "REGION", value: "eu" },
    ]);
    assert.deepEqual(consumer?.envFrom, [{ configMapRef: { name: "shared" } }]);
    assert.deepEqual(consumer?.resources, { limits: { memory: "1Gi" } });
    assert.deepEqual(consumer?.volumeMounts, [
      { name: "config", mountPath: "/etc/lagpilot", readOnly: true },
      { name: "tmp", mountPath: "/tmp" },
      { name: "kafka-sasl", mountPath: "/etc/lagpilot/kafka/sasl", readOnly: true },
      { name: "kafka-ca", mountPath: "/etc/lagpilot/kafka/ca", readOnly: true },
      { name: "kafka-client-cert", mountPath: "/etc/lagpilot/kafka/client", readOnly: true },
      { name: "cache", mountPath: "/cache" },
    ]);
    assert.deepEqual(pod?.spec?.volumes, [
      { name: "config", configMap: { name: "orders-consumer-config" } },
      { name: "tmp", emptyDir: { sizeLimit: "64Mi" } },
      { name: "kafka-sasl", secret: { secretName: "kafka-user", defaultMode: 0o440 } },
      { name: "kafka-ca", secret: { secretName: "kafka-ca", defaultMode: 0o440 } },
      { name: "kafka-client-cert", secret: { secretName: "client-tls", defaultMode: 0o440 } },
      { name: "cache", emptyDir: {} },
    ]);
  });

  it("the runtime config names the mounted files, never a secret", () => {
    assert.deepEqual(renderRuntimeConfig(c).kafka, {
      bootstrapServers: ["kafka:9093"],
      clientId: "lagpilot-shop-orders",
      tls: {
        caFile: "/etc/lagpilot/kafka/ca/ca.crt",
        certFile: "/etc/lagpilot/kafka/client/tls.crt",
        keyFile: "/etc/lagpilot/kafka/client/tls.key",
        insecureSkipVerify: false,
      },
      sasl: {
        mechanism: "scram-sha-512",
        username: "orders-app",
        passwordFile: "/etc/lagpilot/kafka/sasl/password",
      },
    });
    const byKey = context({
      kafka: {
        bootstrapServers: ["kafka:9093"],
        sasl: { mechanism: "scram-sha-512", credentialsSecret: { name: "kafka-user" } },
      },
    });
    assert.deepEqual((renderRuntimeConfig(byKey).kafka as { sasl: unknown }).sasl, {
      mechanism: "scram-sha-512",
      usernameFile: "/etc/lagpilot/kafka/sasl/username",
      passwordFile: "/etc/lagpilot/kafka/sasl/password",
    });
  });

  it("TLS switched off mounts no certificate and sends no TLS settings", () => {
    const off = context({ kafka: { bootstrapServers: ["kafka:9092"], tls: { enabled: false } } });
    assert.deepEqual(
      desiredDeployment(off).spec?.template.spec?.volumes?.map((v) => v.name),
      ["config", "tmp"],
    );
    assert.equal((renderRuntimeConfig(off).kafka as { tls?: unknown }).tls, undefined);
  });
});

describe("the heap cap follows the memory limit", () => {
  const cases: { name: string; limit?: string; expected: string[] }[] = [
    { name: "three quarters of 1Gi", limit: "1Gi", expected: ["--max-old-space-size=768"] },
    { name: "decimal units: 2G", limit: "2G", expected: ["--max-old-space-size=1430"] },
    { name: "never under 64 MB", limit: "50Mi", expected: ["--max-old-space-size=64"] },
    { name: "no limit: no cap", expected: [] },
    { name: "an unreadable limit: no cap", limit: "lots", expected: [] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const resources = c.limit ? { limits: { memory: c.limit } } : {};
      assert.deepEqual(
        heapCapOption(resources).map((v) => v.value),
        c.expected,
      );
    });
  }
  it("reads plain bytes, fractions, and refuses units it does not know or text around the number", () => {
    assert.deepEqual(
      ["268435456", "1.5Ki", "1k", "3T", "2Ti", "1Mi ", " 1Mi", "1.Mi", "1.5xMi", "1m"].map((q) => memoryBytes(q)),
      [268435456, 1536, 1000, 3e12, 2 * 2 ** 40, undefined, undefined, undefined, undefined, undefined],
    );
  });
});

describe("names of a group's objects", () => {
  it("derive from the group's name", () => {
    assert.deepEqual(objectNames("orders"), {
      deployment: "orders-consumer",
      configMap: "orders-consumer-config",
      service: "orders-consumer-metrics",
      pdb: "orders-consumer",
    });
  });

  it("label values keep a name of 63 characters as is", () => {
    const name = "a".repeat(63);
    assert.equal(labelValue(name), name);
  });

  it("label values shorten a longer name to 63 characters with a hash that tells names apart", () => {
    const one = labelValue(`${"a".repeat(60)}-one`);
    const two = labelValue(`${"a".repeat(60)}-two`);
    assert.equal(one.length, 63);
    assert.match(one, /^a{54}-[0-9a-f]{8}$/);
    assert.notEqual(one, two);
    assert.equal(one, labelValue(`${"a".repeat(60)}-one`), "the same name, the same value");
  });

  it("a shortened value does not end its prefix in separators", () => {
    const value = labelValue(`${"a".repeat(51)}-._b${"c".repeat(20)}`);
    assert.match(value, /^a{51}-[0-9a-f]{8}$/);
  });

  it("a long group name labels its Pods with the shortened value", () => {
    const long = "orders-".repeat(10);
    const deployment = desiredDeployment(context({}, 2, long));
    const value = deployment.spec?.selector.matchLabels?.["lagpilot.dev/consumer-group"] ?? "";
    assert.equal(value, labelValue(long));
    assert.equal(deployment.metadata?.labels?.["app.kubernetes.io/instance"], value);
  });
});

describe("pollDue", () => {
  const cases: {
    name: string;
    last?: { atMs: number; generation: number };
    generation: number;
    nowMs: number;
    expected: boolean;
  }[] = [
    { name: "never polled", generation: 1, nowMs: 0, expected: true },
    {
      name: "the spec changed since",
      last: { atMs: 10_000, generation: 1 },
      generation: 2,
      nowMs: 10_001,
      expected: true,
    },
    {
      name: "a second after a poll",
      last: { atMs: 10_000, generation: 1 },
      generation: 1,
      nowMs: 11_000,
      expected: false,
    },
    {
      name: "a little early (90% of the interval) still polls",
      last: { atMs: 10_000, generation: 1 },
      generation: 1,
      nowMs: 23_500,
      expected: true,
    },
    {
      name: "just under 90% of the interval waits",
      last: { atMs: 10_000, generation: 1 },
      generation: 1,
      nowMs: 23_499,
      expected: false,
    },
    {
      name: "a whole interval later",
      last: { atMs: 10_000, generation: 1 },
      generation: 1,
      nowMs: 25_000,
      expected: true,
    },
  ];
  for (const c of cases) it(c.name, () => assert.equal(pollDue(c.last, c.generation, 15, c.nowMs), c.expected));
});
