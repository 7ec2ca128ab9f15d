// Objects the API must refuse, as JSON merge patches (RFC 7386) over one valid object. The unit test checks the
// operator's zod validation refuses each; the integration test checks the real apiserver does, with kubectl.
import { API_VERSION, KIND } from "../../../operator/src/api/group.ts";

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export interface InvalidCase {
  name: string;
  /** Merge patch over validBase() (null deletes a key). */
  patch: { [key: string]: Json };
  /** The field the rejection must name, as kubectl prints paths. */
  field: string;
  /** For cross-field rules: their own words, which the apiserver and the operator both report. */
  says?: RegExp;
  /**
   * Rules comparing an object with its previous version: the valid base is created first (with this status, if
   * any), then the patch is applied as an update. The operator's validation sees one version, so only the
   * apiserver checks these. `base` is merged into the valid base before it is created.
   */
  onUpdate?: { base?: { [key: string]: Json }; status?: { [key: string]: Json } };
}

export function validBase(name = "orders"): { [key: string]: Json } {
  return {
    apiVersion: API_VERSION,
    kind: KIND,
    metadata: { name },
    spec: {
      kafka: { bootstrapServers: ["kafka-0.kafka:9092"] },
      topics: ["orders", "refunds"],
      processing: { handler: { module: { path: "/app/handler.js" } } },
    },
  };
}

export function mergePatch(target: Json, patch: Json): Json {
  if (patch === null || typeof patch !== "object" || Array.isArray(patch)) return structuredClone(patch);
  const result: { [key: string]: Json } =
    target !== null && typeof target === "object" && !Array.isArray(target) ? structuredClone(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key] ?? null, value);
  }
  return result;
}

const spec = (value: { [key: string]: Json }) => ({ spec: value });

export const invalidCases: InvalidCase[] = [
  { name: "no kafka section", patch: spec({ kafka: null }), field: "spec.kafka" },
  {
    name: "no bootstrap server",
    patch: spec({ kafka: { bootstrapServers: [] } }),
    field: "spec.kafka.bootstrapServers",
  },
  {
    name: "bootstrap server without a port",
    patch: spec({ kafka: { bootstrapServers: ["kafka-0.kafka"] } }),
    field: "spec.kafka.bootstrapServers",
  },
  {
    name: "bootstrap server with a port above 65535",
    patch: spec({ kafka: { bootstrapServers: ["kafka:99999"] } }),
    field: "spec.kafka.bootstrapServers",
    says: /a port is from 1 to 65535/,
  },
  {
    name: "bootstrap server with port 0",
    patch: spec({ kafka: { bootstrapServers: ["kafka-0.kafka:9092", "kafka-1.kafka:0"] } }),
    field: "spec.kafka.bootstrapServers",
    says: /a port is from 1 to 65535/,
  },
  {
    name: "bootstrap server as an IPv6 address, which the consumer's client cannot parse",
    patch: spec({ kafka: { bootstrapServers: ["[fd00::10]:9092"] } }),
    field: "spec.kafka.bootstrapServers",
    says: /takes no IPv6 address: use a DNS name/,
  },
  { name: "no topic", patch: spec({ topics: [] }), field: "spec.topics" },
  { name: "topic name with a slash", patch: spec({ topics: ["orders/eu"] }), field: "spec.topics" },
  { name: "the same topic twice", patch: spec({ topics: ["orders", "orders"] }), field: "spec.topics" },
  { name: "unknown tier", patch: spec({ tier: "Turbo" }), field: "spec.tier" },
  {
    name: "batch settings on the Standard tier",
    patch: spec({ tier: "Standard", batch: { size: 64 } }),
    field: "spec.batch",
    says: /only to the Buffered and Dedicated tiers/,
  },
  {
    name: "batch settings with a profile whose tier does not batch",
    patch: spec({ profile: "ai-inference", batch: { size: 8 } }),
    field: "spec.batch",
    says: /only to the Buffered and Dedicated tiers/,
  },
  { name: "batch size 0", patch: spec({ tier: "Buffered", batch: { size: 0 } }), field: "spec.batch.size" },
  {
    name: "batch size above 10000",
    patch: spec({ tier: "Buffered", batch: { size: 10_001 } }),
    field: "spec.batch.size",
  },
  { name: "unknown startFrom", patch: spec({ startFrom: "beginning" }), field: "spec.startFrom" },
  { name: "unknown profile", patch: spec({ profile: "gaming" }), field: "spec.profile" },
  {
    name: "session timeout below what brokers allow",
    patch: spec({ consumer: { sessionTimeoutMs: 1000 } }),
    field: "spec.consumer.sessionTimeoutMs",
  },
  {
    name: "heartbeat longer than a third of the session timeout",
    patch: spec({ consumer: { sessionTimeoutMs: 30_000, heartbeatIntervalMs: 20_000 } }),
    field: "spec.consumer.heartbeatIntervalMs",
    says: /at most a third/,
  },
  {
    name: "max poll records 0",
    patch: spec({ consumer: { maxPollRecords: 0 } }),
    field: "spec.consumer.maxPollRecords",
  },
  {
    name: "two handler kinds",
    patch: spec({ processing: { handler: { builtin: { name: "log" } } } }),
    field: "spec.processing.handler",
    says: /exactly one of module, http or builtin/,
  },
  {
    name: "no handler kind",
    patch: spec({ processing: { handler: { module: null } } }),
    field: "spec.processing.handler",
    says: /exactly one of module, http or builtin/,
  },
  {
    name: "http handler with a non-http URL",
    patch: spec({ processing: { handler: { module: null, http: { url: "ftp://sidecar/handle" } } } }),
    field: "spec.processing.handler.http.url",
  },
  {
    name: "module handler with a relative path",
    patch: spec({ processing: { handler: { module: { path: "handler.js" } } } }),
    field: "spec.processing.handler.module.path",
  },
  {
    name: "forward-to-topic without a topic",
    patch: spec({ processing: { handler: { module: null, builtin: { name: "forward-to-topic" } } } }),
    field: "spec.processing.handler.builtin.topic",
    says: /required when name is forward-to-topic/,
  },
  {
    name: "forward-to-topic into a source topic",
    patch: spec({ processing: { handler: { module: null, builtin: { name: "forward-to-topic", topic: "refunds" } } } }),
    field: "spec.processing.handler.builtin.topic",
    says: /would loop/,
  },
  { name: "unknown ordering", patch: spec({ processing: { ordering: "random" } }), field: "spec.processing.ordering" },
  { name: "concurrency 0", patch: spec({ processing: { concurrency: 0 } }), field: "spec.processing.concurrency" },
  {
    name: "commit interval with batch commits",
    patch: spec({ processing: { commit: { mode: "batch", intervalMs: 500 } } }),
    field: "spec.processing.commit.intervalMs",
    says: /applies only to mode interval/,
  },
  {
    name: "commit interval under a profile that commits per batch",
    patch: spec({ profile: "db-writer", processing: { commit: { intervalMs: 500 } } }),
    field: "spec.processing.commit.intervalMs",
    says: /profile db-writer commits after every batch/,
  },
  {
    name: "retry backoff above its maximum",
    patch: spec({ processing: { retries: { backoffMs: 20_000, maxBackoffMs: 10_000 } } }),
    field: "spec.processing.retries.backoffMs",
    says: /must not exceed/,
  },
  {
    name: "dead-letter topic that is a source topic",
    patch: spec({ processing: { deadLetter: { topic: "orders" } } }),
    field: "spec.processing.deadLetter.topic",
    says: /must not be one of topics/,
  },
  { name: "lag target of 0 seconds", patch: spec({ lag: { maxSeconds: 0 } }), field: "spec.lag.maxSeconds" },
  { name: "negative replicas", patch: spec({ replicas: -1 }), field: "spec.replicas" },
  {
    name: "minReplicas above maxReplicas",
    patch: spec({ autoscaling: { enabled: true, minReplicas: 5, maxReplicas: 3 } }),
    field: "spec.autoscaling.minReplicas",
    says: /must not exceed autoscaling.maxReplicas/,
  },
  {
    name: "tolerance above the 50 percent the autoscaler honours",
    patch: spec({ autoscaling: { enabled: true, tolerancePercent: 60 } }),
    field: "spec.autoscaling.tolerancePercent",
  },
  {
    name: "partition growth without a maximum",
    patch: spec({ autoscaling: { partitions: { enabled: true } } }),
    field: "spec.autoscaling.partitions.max",
    says: /required when partition growth is enabled/,
  },
  {
    name: "keyed topic that the group does not consume",
    patch: spec({ autoscaling: { partitions: { keyedTopics: ["payments"] } } }),
    field: "spec.autoscaling.partitions.keyedTopics",
    says: /only topics of this group/,
  },
  {
    name: "unknown keyed topic policy",
    patch: spec({ autoscaling: { partitions: { keyedTopicPolicy: "Always" } } }),
    field: "spec.autoscaling.partitions.keyedTopicPolicy",
  },
  {
    name: "partition growth stabilization over an hour",
    patch: spec({ autoscaling: { partitions: { stabilizationSeconds: 3601 } } }),
    field: "spec.autoscaling.partitions.stabilizationSeconds",
  },
  {
    name: "unsupported SASL mechanism",
    patch: spec({ kafka: { sasl: { mechanism: "gssapi", credentialsSecret: { name: "kafka-user" } } } }),
    field: "spec.kafka.sasl.mechanism",
  },
  {
    name: "SASL password written inline",
    patch: spec({
      kafka: { sasl: { mechanism: "plain", password: "hunter2", credentialsSecret: { name: "kafka-user" } } },
    }),
    field: "spec.kafka.sasl.password",
  },
  {
    name: "SASL without a credentials Secret",
    patch: spec({ kafka: { sasl: { mechanism: "scram-sha-512" } } }),
    field: "spec.kafka.sasl.credentialsSecret",
  },
  {
    name: "SASL username both written and taken from a Secret key",
    patch: spec({
      kafka: {
        sasl: {
          mechanism: "scram-sha-512",
          credentialsSecret: { name: "kafka-user", username: "a", usernameKey: "u" },
        },
      },
    }),
    field: "spec.kafka.sasl.credentialsSecret.usernameKey",
    says: /set username .* or usernameKey .*, not both/,
  },
  {
    name: "TLS disabled with a CA Secret",
    patch: spec({ kafka: { tls: { enabled: false, caSecret: { name: "kafka-ca" } } } }),
    field: "spec.kafka.tls.enabled",
    says: /remove caSecret/,
  },
  {
    name: "extra container named like the consumer",
    patch: spec({ template: { containers: [{ name: "consumer", image: "busybox" }] } }),
    field: "spec.template.containers",
    says: /must not use the name "consumer"/,
  },
  {
    name: "Pod label under the reserved prefix",
    patch: spec({ template: { labels: { "lagpilot.dev/group": "x" } } }),
    field: "spec.template.labels",
    says: /reserved|must not use keys under lagpilot.dev/,
  },
  {
    name: "resource quantity that is not one",
    patch: spec({ template: { resources: { limits: { cpu: "lots" } } } }),
    field: "spec.template.resources.limits.cpu",
  },
  {
    name: "image name with spaces around it",
    patch: spec({ template: { image: " registry.local/lagpilot/runtime:1 " } }),
    field: "spec.template.image",
  },
  {
    name: "unknown image pull policy",
    patch: spec({ template: { imagePullPolicy: "Sometimes" } }),
    field: "spec.template.imagePullPolicy",
  },
  { name: "unknown alert severity", patch: spec({ alerts: { severity: "page" } }), field: "spec.alerts.severity" },
  {
    name: "name that cannot name a Service",
    patch: { metadata: { name: "orders.eu" } },
    field: "metadata.name",
    says: /DNS label of at most 55 characters/,
  },
  {
    name: "groupId changed after creation",
    patch: spec({ groupId: "orders-v2" }),
    field: "spec.groupId",
    says: /cannot be set, changed or removed after creation/,
    onUpdate: {},
  },
  {
    name: "replicas changed while autoscaling is on",
    patch: spec({ replicas: 4 }),
    field: "spec.replicas",
    says: /cannot change while autoscaling.enabled is true/,
    onUpdate: { base: spec({ autoscaling: { enabled: true, maxReplicas: 6 } }) },
  },
  {
    name: "partition maximum set below a topic's current partitions",
    patch: spec({ autoscaling: { partitions: { enabled: true, max: 12 } } }),
    field: "spec.autoscaling.partitions.max",
    says: /partitions never shrink/,
    onUpdate: { status: { topics: [{ name: "orders", partitions: 24 }] } },
  },
];
