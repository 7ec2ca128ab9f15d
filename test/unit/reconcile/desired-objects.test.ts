import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { runtimeConfigSchema } from "../../../consumer-runtime/src/config.ts";
import { resolveSettings } from "../../../operator/src/api/resolve.ts";
import { type KafkaConsumerGroupSpecInput, specSchema } from "../../../operator/src/api/spec.ts";
import type { RenderContext } from "../../../operator/src/reconcile/desired/context.ts";
import {
  desiredConfigMap,
  desiredDeployment,
  desiredPodDisruptionBudget,
  desiredService,
  memoryBytes,
} from "../../../operator/src/reconcile/desired/objects.ts";
import { renderRuntimeConfig } from "../../../operator/src/reconcile/desired/runtime-config.ts";

const base: KafkaConsumerGroupSpecInput = {
  kafka: { bootstrapServers: ["kafka:9092"] },
  topics: ["orders"],
  processing: { handler: { builtin: { name: "noop" } } },
};

function context(overrides: Partial<KafkaConsumerGroupSpecInput> = {}, replicas = 2): RenderContext {
  const spec = specSchema.parse({ ...base, ...overrides });
  return {
    group: { namespace: "shop", name: "orders", uid: "uid-1" },
    spec,
    resolved: resolveSettings(spec, { namespace: "shop", name: "orders" }),
    replicas,
    runtimeImage: "lagpilot/consumer-runtime:0.1.0",
  };
}

const consumerOf = (c: RenderContext) => desiredDeployment(c).spec?.template.spec?.containers[0];
const envOf = (c: RenderContext) => Object.fromEntries((consumerOf(c)?.env ?? []).map((v) => [v.name, v.value]));

describe("desired objects", () => {
  it("are the same for the same input (no clocks, no random names)", () => {
    assert.deepEqual(desiredDeployment(context()), desiredDeployment(context()));
    assert.deepEqual(desiredConfigMap(context()), desiredConfigMap(context()));
  });

  it("are all owned by the group, as its controller", () => {
    const c = context();
    for (const object of [
      desiredDeployment(c),
      desiredConfigMap(c),
      desiredService(c),
      desiredPodDisruptionBudget(c),
    ]) {
      assert.deepEqual(
        object?.metadata?.ownerReferences?.map((o) => [o.uid, o.controller]),
        [["uid-1", true]],
      );
    }
  });

  const pdbCases = [
    { name: "no PodDisruptionBudget for one replica", replicas: 1, expected: false },
    { name: "no PodDisruptionBudget when scaled to zero", replicas: 0, expected: false },
    { name: "a PodDisruptionBudget for two replicas", replicas: 2, expected: true },
  ];
  for (const c of pdbCases) {
    it(c.name, () => assert.equal(desiredPodDisruptionBudget(context({}, c.replicas)) !== undefined, c.expected));
  }

  it("rolls the pods when the runtime config changes, and only then", () => {
    const hash = (c: RenderContext) =>
      desiredDeployment(c).spec?.template.metadata?.annotations?.["lagpilot.dev/config-hash"];
    assert.equal(hash(context({}, 2)), hash(context({}, 5)), "replicas alone do not roll pods");
    assert.notEqual(hash(context()), hash(context({ tier: "Buffered" })));
  });

  it("mounts credentials from Secrets and names only their file paths in the config", () => {
    const c = context({
      kafka: {
        bootstrapServers: ["kafka:9093"],
        sasl: { mechanism: "scram-sha-512", credentialsSecret: { name: "kafka-user" } },
        tls: { caSecret: { name: "kafka-ca" } },
      },
    });
    const config = renderRuntimeConfig(c) as { kafka: { sasl: Record<string, string>; tls: Record<string, string> } };
    assert.deepEqual(config.kafka.sasl, {
      mechanism: "scram-sha-512",
      usernameFile: "/etc/lagpilot/kafka/sasl/username",
      passwordFile: "/etc/lagpilot/kafka/sasl/password",
    });
    assert.equal(config.kafka.tls.caFile, "/etc/lagpilot/kafka/ca/ca.crt");
    const volumes = desiredDeployment(c).spec?.template.spec?.volumes ?? [];
    assert.deepEqual(
      volumes.filter((v) => v.secret).map((v) => v.secret?.secretName),
      ["kafka-user", "kafka-ca"],
    );
    assert.doesNotMatch(JSON.stringify(desiredConfigMap(c)), /password"\s*:\s*"[^/]/);
  });

  it("renders a config the runtime accepts, for every tier", () => {
    for (const tier of ["Standard", "Buffered", "Dedicated"] as const) {
      const parsed = runtimeConfigSchema.safeParse(renderRuntimeConfig(context({ tier })));
      assert.ok(parsed.success, `${tier}: ${parsed.success ? "" : parsed.error.message}`);
    }
  });

  it("runs restricted: non-root, read-only root filesystem, no privilege escalation, no capabilities", () => {
    const deployment = desiredDeployment(context());
    const pod = deployment.spec?.template.spec;
    const security = pod?.containers[0]?.securityContext;
    assert.equal(pod?.securityContext?.runAsNonRoot, true);
    assert.equal(pod?.securityContext?.seccompProfile?.type, "RuntimeDefault");
    assert.equal(security?.readOnlyRootFilesystem, true);
    assert.equal(security?.allowPrivilegeEscalation, false);
    assert.deepEqual(security?.capabilities?.drop, ["ALL"]);
  });

  const heapCases = [
    {
      name: "caps the V8 heap at three quarters of the default 512Mi limit",
      template: undefined,
      expected: "--max-old-space-size=384",
    },
    {
      name: "follows the user's memory limit",
      template: { resources: { limits: { memory: "2Gi" } } },
      expected: "--max-old-space-size=1536",
    },
    {
      name: "lets the user's own NODE_OPTIONS win",
      template: { env: [{ name: "NODE_OPTIONS", value: "--max-old-space-size=99" }] },
      expected: "--max-old-space-size=99",
    },
    {
      name: "sets no cap without a memory limit",
      template: { resources: { requests: { cpu: "1" } } },
      expected: undefined,
    },
  ];
  for (const c of heapCases) {
    it(c.name, () => {
      const ctx = context(c.template ? { template: c.template } : {});
      assert.equal(envOf(ctx).NODE_OPTIONS, c.expected);
      const names = (consumerOf(ctx)?.env ?? []).map((v) => v.name);
      assert.equal(new Set(names).size, names.length, "no variable twice");
    });
  }

  it("merges the pod overlay: labels, node selector, sidecars, service account", () => {
    const deployment = desiredDeployment(
      context({
        template: {
          labels: { team: "payments" },
          nodeSelector: { pool: "consumers" },
          serviceAccountName: "orders-reader",
          containers: [{ name: "handler", image: "example/handler:1" }],
        },
      }),
    );
    const pod = deployment.spec?.template;
    assert.equal(pod?.metadata?.labels?.team, "payments");
    assert.equal(pod?.metadata?.labels?.["lagpilot.dev/consumer-group"], "orders");
    assert.deepEqual(pod?.spec?.nodeSelector, { pool: "consumers" });
    assert.equal(pod?.spec?.serviceAccountName, "orders-reader");
    assert.deepEqual(
      pod?.spec?.containers.map((c) => c.name),
      ["consumer", "handler"],
    );
  });

  it("gives the metrics Service no cluster IP (headless): groups must not exhaust the service range", () => {
    assert.equal(desiredService(context()).spec?.clusterIP, "None");
  });
});

describe("memoryBytes", () => {
  const cases = [
    { name: "binary suffix", quantity: "512Mi", expected: 512 * 2 ** 20 },
    { name: "decimal suffix", quantity: "1G", expected: 1e9 },
    { name: "plain bytes", quantity: "1048576", expected: 1_048_576 },
    { name: "not a quantity", quantity: "lots", expected: undefined },
  ];
  for (const c of cases) it(c.name, () => assert.equal(memoryBytes(c.quantity), c.expected));
});
