// The watch caches keep only what a reconcile reads of an owned object (cached-fields.ts). A plan over the
// objects as cached must decide exactly what it decides over the objects in full.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type * as k8s from "@kubernetes/client-node";
import { validateKafkaConsumerGroup } from "../../../operator/src/api/validate.ts";
import { ObjectCache } from "../../../operator/src/controller/object-cache.ts";
import { keptFields } from "../../../operator/src/reconcile/cached-fields.ts";
import type { OwnedObjects } from "../../../operator/src/reconcile/memory.ts";
import type { KafkaReading, Observed, StoredGroup } from "../../../operator/src/reconcile/observe.ts";
import { type Plan, plan } from "../../../operator/src/reconcile/plan.ts";

const NOW = Date.parse("2026-03-01T10:00:00Z");

const stored = (spec: Record<string, unknown>, generation = 1): StoredGroup => ({
  apiVersion: "lagpilot.dev/v1alpha1",
  kind: "KafkaConsumerGroup",
  metadata: { name: "orders", namespace: "shop", uid: "uid-1", generation, resourceVersion: "7" },
  spec,
});

const spec = (extra: Record<string, unknown> = {}) => ({
  kafka: {
    bootstrapServers: ["kafka:9092"],
    sasl: { mechanism: "scram-sha-512", credentialsSecret: { name: "creds" } },
  },
  topics: ["orders"],
  processing: { handler: { builtin: { name: "noop" } } },
  replicas: 2,
  ...extra,
});

/** Kafka as read by this reconcile: reachable, six partitions, nothing behind. */
function reading(generation: number, atMs: number): KafkaReading {
  return {
    atMs,
    generation,
    kafka: { reachable: true, message: "connected to kafka:9092" },
    secretsHash: "s1",
    topics: { orders: 6 },
    poll: {
      timeMs: atMs,
      groupState: "Stable",
      members: 2,
      partitions: Array.from({ length: 6 }, (_, partition) => ({
        topic: "orders",
        partition,
        logStartOffset: 0,
        logEndOffset: 100,
        committedOffset: 100,
        owner: `m-${partition % 2}`,
      })),
    },
  };
}

/** The group as observed: a new generation is read from Kafka in the same reconcile, as observe() does. */
function observed(group: StoredGroup, owned: OwnedObjects, atMs = NOW): Observed {
  const validation = validateKafkaConsumerGroup(group);
  assert.ok(validation.valid, "the fixture's spec is valid");
  const generation = group.metadata.generation ?? 0;
  return {
    key: { namespace: "shop", name: "orders" },
    stored: group,
    validation,
    owned,
    ...(generation > 1 ? { reading: reading(generation, atMs) } : {}),
  };
}

/** What the apiserver would hold after the plan's applies, with the Deployment rolled out to `ready` replicas. */
function asStored(applied: k8s.KubernetesObject[], ready: number): OwnedObjects {
  const find = <T>(kind: string) => applied.find((o) => o.kind === kind) as T | undefined;
  const deployment = find<k8s.V1Deployment>("Deployment");
  const meta = (object: k8s.KubernetesObject | undefined) =>
    object && {
      ...object,
      metadata: {
        ...object.metadata,
        uid: `uid-${object.kind}`,
        resourceVersion: "42",
        generation: 1,
        managedFields: [{ manager: "lagpilot", operation: "Apply" }],
      },
    };
  return {
    configMap: meta(find("ConfigMap")),
    service: meta(find("Service")),
    pdb: meta(find("PodDisruptionBudget")),
    deployment: deployment && {
      ...meta(deployment),
      status: {
        observedGeneration: 1,
        replicas: 2,
        updatedReplicas: 2,
        readyReplicas: ready,
        availableReplicas: ready,
      },
    },
  } as OwnedObjects;
}

function cached(owned: OwnedObjects): OwnedObjects {
  const cache = new ObjectCache(keptFields);
  const kinds = { configMap: "ConfigMap", deployment: "Deployment", service: "Service", pdb: "PodDisruptionBudget" };
  const out: OwnedObjects = {};
  for (const [field, kind] of Object.entries(kinds) as [keyof OwnedObjects, string][]) {
    const object = owned[field];
    if (!object) continue;
    cache.put(kind, object);
    Object.assign(out, { [field]: cache.get(kind, "shop", object.metadata?.name ?? "") });
  }
  return out;
}

const outcome = (p: Plan) => ({
  apply: p.apply.map((o) => [o.kind, o.metadata?.annotations]),
  remove: p.remove,
  status: p.status,
  events: p.events,
  logs: p.logs,
});

describe("cached fields", () => {
  const first = plan({
    observed: { ...observed(stored(spec()), {}), reading: reading(1, NOW) },
    memory: undefined,
    nowMs: NOW,
    runtimeImage: "rt:1",
    resyncMs: 1_800_000,
  });

  const worlds: { name: string; group: StoredGroup; ready: number }[] = [
    { name: "rolled out and ready", group: stored(spec()), ready: 2 },
    { name: "one replica not ready", group: stored(spec()), ready: 1 },
    { name: "spec changed: more replicas", group: stored(spec({ replicas: 3 }), 2), ready: 2 },
    { name: "down to one replica: the PodDisruptionBudget deleted", group: stored(spec({ replicas: 1 }), 2), ready: 2 },
  ];
  for (const world of worlds) {
    it(`plans the same over cached and full objects: ${world.name}`, () => {
      const full = asStored(first.apply, world.ready);
      const at = { memory: first.memory, nowMs: NOW + 1000, runtimeImage: "rt:1", resyncMs: 1_800_000 };
      const overFull = plan({ observed: observed(world.group, full), ...at });
      const overCached = plan({ observed: observed(world.group, cached(full)), ...at });
      assert.deepEqual(outcome(overCached), outcome(overFull));
    });
  }

  it("the worlds above differ: a plan that writes and one that does not", () => {
    const full = asStored(first.apply, 2);
    const at = { memory: first.memory, nowMs: NOW + 1000, runtimeImage: "rt:1", resyncMs: 1_800_000 };
    assert.deepEqual(plan({ observed: observed(stored(spec()), cached(full)), ...at }).apply, []);
    const grown = plan({ observed: observed(stored(spec({ replicas: 3 }), 2), cached(full)), ...at });
    assert.deepEqual(
      grown.apply.map((o) => o.kind),
      ["Deployment"],
    );
    const shrunk = plan({ observed: observed(stored(spec({ replicas: 1 }), 2), cached(full)), ...at });
    assert.deepEqual(
      shrunk.remove.map((r) => r.kind),
      ["PodDisruptionBudget"],
    );
  });

  it("keeps no ConfigMap data and no Pod spec", () => {
    const full = asStored(first.apply, 2);
    const kept = cached(full);
    assert.ok(full.configMap && Object.keys((full.configMap as k8s.V1ConfigMap).data ?? {}).length > 0);
    assert.equal((kept.configMap as k8s.V1ConfigMap).data, undefined);
    assert.equal(kept.deployment?.spec?.template?.spec, undefined);
    assert.equal(kept.deployment?.metadata?.managedFields, undefined);
    assert.equal(kept.deployment?.spec?.replicas, full.deployment?.spec?.replicas);
  });

  it("keeps a KafkaConsumerGroup whole (its spec and status are read)", () => {
    const group = {
      ...stored(spec()),
      metadata: { ...stored(spec()).metadata, managedFields: [{ manager: "kubectl" }] },
    };
    const kept = keptFields("KafkaConsumerGroup", group) as StoredGroup;
    assert.deepEqual(kept.spec, group.spec);
  });
});
