// plan(): observed world, memory and clock in; writes, status, Events, logs and the next memory out.
// Every row names the world it starts from and what the plan must say about it.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type * as k8s from "@kubernetes/client-node";
import { type Validation, validateKafkaConsumerGroup } from "../../../operator/src/api/validate.ts";
import type { GroupSnapshot } from "../../../operator/src/observability/metrics.ts";
import type { GroupMemory } from "../../../operator/src/reconcile/memory.ts";
import type { KafkaReading, Observed, StoredGroup } from "../../../operator/src/reconcile/observe.ts";
import {
  type Plan,
  type PlanInput,
  type PlannedEvent,
  type PlannedLog,
  plan,
  planTarget,
} from "../../../operator/src/reconcile/plan.ts";
import type { ScalingDecision, ScalingInput } from "../../../operator/src/scaling/types.ts";

const NOW = Date.parse("2026-03-01T10:00:00Z");
const POLL_MS = 15_000;
const IMAGE = "lagpilot/consumer-runtime:test";

const baseSpec = {
  kafka: { bootstrapServers: ["kafka:9092"] },
  topics: ["orders"],
  processing: { handler: { builtin: { name: "noop" } } },
  replicas: 2,
  autoscaling: { pollIntervalSeconds: POLL_MS / 1000 },
};

function storedGroup(spec: Record<string, unknown>, generation = 1, status?: StoredGroup["status"]): StoredGroup {
  return {
    apiVersion: "lagpilot.dev/v1alpha1",
    kind: "KafkaConsumerGroup",
    metadata: { name: "orders", namespace: "shop", uid: "uid-1", generation, resourceVersion: "7" },
    spec,
    ...(status ? { status } : {}),
  };
}

interface ReadingSpec {
  reachable?: boolean;
  reason?: "KafkaUnreachable" | "SecretMissing";
  partitions?: number;
  /** Messages behind on every partition. */
  lag?: number;
  atMs?: number;
  generation?: number;
  /** Topics of spec.topics Kafka answered it does not have. */
  missing?: string[];
  /** Hash of the credentials read from the Secrets at this poll. */
  secretsHash?: string;
  /** processing.deadLetter.topic, when Kafka answered it does not have it. */
  deadLetterMissing?: string;
}

function reading(r: ReadingSpec = {}): KafkaReading {
  const atMs = r.atMs ?? NOW;
  const generation = r.generation ?? 1;
  if (r.reachable === false) {
    const reason = r.reason ?? "KafkaUnreachable";
    const message = reason === "SecretMissing" ? "spec.kafka.sasl: Secret shop/creds does not exist" : "no route";
    return { atMs, generation, kafka: { reachable: false, reason, message }, pollError: message };
  }
  const hash = r.secretsHash ? { secretsHash: r.secretsHash } : {};
  const dlq = r.deadLetterMissing ? { missingDeadLetterTopic: r.deadLetterMissing } : {};
  if (r.missing) {
    return {
      atMs,
      generation,
      kafka: { reachable: true, missingTopics: r.missing, ...dlq, message: "connected to kafka:9092" },
    };
  }
  const count = r.partitions ?? 6;
  return {
    atMs,
    generation,
    kafka: { reachable: true, ...dlq, message: "connected to kafka:9092" },
    ...hash,
    topics: { orders: count },
    poll: {
      timeMs: atMs,
      groupState: "Stable",
      members: 1,
      partitions: Array.from({ length: count }, (_, partition) => ({
        topic: "orders",
        partition,
        logStartOffset: 0,
        logEndOffset: 1000,
        committedOffset: 1000 - (r.lag ?? 0),
        owner: "m-0",
      })),
    },
  };
}

function observedOf(stored: StoredGroup | undefined, owned: Observed["owned"], r?: KafkaReading): Observed {
  const key = { namespace: "shop", name: "orders" };
  if (!stored) return { key, owned };
  const validation: Validation = validateKafkaConsumerGroup(stored);
  return { key, stored, validation, owned, ...(r ? { reading: r } : {}) };
}

function input(observed: Observed, memory: GroupMemory | undefined, extra: Partial<PlanInput> = {}): PlanInput {
  return { observed, memory, nowMs: NOW, runtimeImage: IMAGE, resyncMs: 30 * 60_000, ...extra };
}

/** The objects a plan applied, as the apiserver would hold them; the Deployment reports `ready` replicas. */
function ownedFrom(applied: k8s.KubernetesObject[], ready?: number): Observed["owned"] {
  const find = <T>(kind: string) => applied.find((o) => o.kind === kind) as T | undefined;
  const deployment = find<k8s.V1Deployment>("Deployment");
  const replicas = deployment?.spec?.replicas ?? 0;
  const readyReplicas = ready ?? replicas;
  return {
    configMap: find("ConfigMap"),
    service: find("Service"),
    pdb: find("PodDisruptionBudget"),
    ...(deployment
      ? {
          deployment: {
            ...deployment,
            metadata: { ...deployment.metadata, generation: 1 },
            status: { observedGeneration: 1, replicas, updatedReplicas: replicas, readyReplicas },
          },
        }
      : {}),
  };
}

/** A group that was reconciled at NOW - 5 s with everything applied and ready: the next plan is a no-op. */
function steadyWorld(spec: Record<string, unknown> = baseSpec, ready?: number) {
  const t0 = NOW - 5000;
  const first = plan(input(observedOf(storedGroup(spec), {}, reading({ atMs: t0 })), undefined, { nowMs: t0 }));
  const owned = ownedFrom(first.apply, ready);
  const settled = plan(input(observedOf(storedGroup(spec), owned), first.memory, { nowMs: t0 }));
  const status = settled.status ?? first.status;
  return { owned, memory: settled.memory as GroupMemory, status };
}

const conditionOf = (status: Plan["status"], type: string) => status?.conditions?.find((c) => c.type === type);
const kinds = (objects: { kind?: string }[]) => objects.map((o) => o.kind ?? "");
const reasons = (p: Plan) => p.events.map((e) => e.reason);

function decision(replicas: number, extra: Partial<ScalingDecision> = {}): ScalingDecision {
  return {
    replicas,
    direction: "none",
    reason: "LagTarget",
    message: `lag 48s > 30s target -> ${replicas} replicas`,
    state: { recommendations: [] },
    ...extra,
  };
}

interface Case {
  name: string;
  /** Spec fields over the base spec (2 replicas, Kafka kafka:9092, topic orders, 15 s polls). */
  spec?: Record<string, unknown>;
  /** "new": nothing exists yet; "steady": applied and ready, status written, last poll 5 s ago. */
  world: "new" | "steady" | "gone";
  /** Ready replicas in the steady world (default: all). */
  ready?: number;
  /** Kafka read in this reconcile; "none": between polls. */
  reading?: ReadingSpec | "none";
  /** Changes to the steady world's memory. */
  memory?: (memory: GroupMemory) => GroupMemory;
  /** Changes to the objects the steady world owns. */
  owned?: (owned: Observed["owned"]) => Observed["owned"];
  generation?: number;
  nowMs?: number;
  applyError?: string;
  decide?: (input: ScalingInput) => ScalingDecision;
  expect: {
    ready?: [status: string, reason: string];
    conditions?: Record<string, [status: string, reason: string]>;
    applies?: string[];
    removes?: string[];
    partitions?: { topic: string; count: number }[];
    /** Replicas of the Deployment applied (when one is). */
    replicas?: number;
    events?: string[];
    statusWritten?: boolean;
    invalid?: RegExp;
    logs?: string[];
    requeueAfterMs?: number;
    forgotten?: boolean;
    lastScaleReason?: RegExp;
    message?: RegExp;
    /** lagpilot_group_kafka_reachable as exported. */
    kafkaReachableMetric?: boolean;
    /** The Events in full: type, reason and message. */
    eventList?: PlannedEvent[];
    /** The log lines in full: level, message and fields. */
    logList?: PlannedLog[];
    /** Fields of the metrics snapshot kept in memory. */
    snapshot?: Partial<GroupSnapshot>;
    /** Replica and partition changes counted so far. */
    scaleEvents?: Record<string, number>;
    /** Top-level status fields (other than conditions). */
    statusFields?: Record<string, unknown>;
    /** When the objects were last re-applied, as remembered. */
    lastResyncMs?: number;
    /** What the scaling decision was asked with. */
    decideSaw?: Partial<ScalingInput>;
    /** Fields of the next memory (undefined: absent). */
    remembers?: Partial<GroupMemory>;
  };
}

/** The plan, and the status the group has after it (the stored one when the plan leaves it unchanged). */
function run(c: Case): { p: Plan; status: Plan["status"] } {
  const spec = { ...baseSpec, ...c.spec };
  if (c.world === "gone") {
    const p = plan(input(observedOf(undefined, {}), undefined));
    return { p, status: p.status };
  }
  const at = { atMs: c.nowMs ?? NOW, generation: c.generation };
  const r = c.reading === "none" ? undefined : c.reading ? reading({ ...at, ...c.reading }) : undefined;
  if (c.world === "new") {
    const observed = observedOf(storedGroup(spec, c.generation), {}, r ?? reading(at));
    const p = plan(input(observed, undefined, extras(c)));
    return { p, status: p.status };
  }
  const world = steadyWorld(baseSpec, c.ready);
  const owned = c.owned ? c.owned(world.owned) : world.owned;
  const memory = c.memory ? c.memory(world.memory) : world.memory;
  const observed = observedOf(storedGroup(spec, c.generation, world.status), owned, r);
  const p = plan(input(observed, memory, extras(c)));
  return { p, status: p.status ?? world.status };
}

/** What the last decide() call was given. */
let decideInput: ScalingInput | undefined;

function extras(c: Case): Partial<PlanInput> {
  const decide = c.decide;
  return {
    ...(c.nowMs !== undefined ? { nowMs: c.nowMs } : {}),
    ...(c.applyError !== undefined ? { applyError: c.applyError } : {}),
    ...(decide
      ? {
          decide: (i: ScalingInput) => {
            decideInput = i;
            return decide(i);
          },
        }
      : {}),
  };
}

const cases: Case[] = [
  // Lifecycle.
  {
    name: "a new group: every owned object is applied, Created, Ready=False while rolling out",
    world: "new",
    expect: {
      applies: ["ConfigMap", "Deployment", "Service", "PodDisruptionBudget"],
      replicas: 2,
      events: ["Created"],
      ready: ["False", "RollingOut"],
      conditions: { KafkaReachable: ["True", "Connected"], Progressing: ["False", "Stable"] },
      statusWritten: true,
      requeueAfterMs: POLL_MS,
    },
  },
  {
    name: "one replica: no PodDisruptionBudget",
    world: "new",
    spec: { replicas: 1 },
    expect: { applies: ["ConfigMap", "Deployment", "Service"], replicas: 1 },
  },
  {
    name: "steady, between polls: nothing to write, no Event, no status",
    world: "steady",
    reading: "none",
    expect: { applies: [], removes: [], events: [], statusWritten: false, logs: [], requeueAfterMs: POLL_MS - 5000 },
  },
  {
    name: "steady, a poll that sees the same: still nothing to write",
    world: "steady",
    reading: {},
    nowMs: NOW + 10_000,
    expect: { applies: [], events: [], statusWritten: false, requeueAfterMs: POLL_MS },
  },
  {
    name: "the group is gone: forget it, write nothing",
    world: "gone",
    expect: { applies: [], events: [], statusWritten: false, forgotten: true },
  },
  {
    name: "a Deployment deleted by hand is applied again, Created",
    world: "steady",
    reading: "none",
    owned: ({ deployment: _gone, ...rest }) => rest,
    expect: { applies: ["Deployment"], events: ["Created"], ready: ["False", "RollingOut"], statusWritten: true },
  },
  {
    name: "a spec change: ConfigMap and Deployment applied, Updated",
    world: "steady",
    spec: { tier: "Buffered" },
    generation: 2,
    reading: { generation: 2 },
    expect: { applies: ["ConfigMap", "Deployment"], events: ["Updated"], statusWritten: true },
  },
  {
    name: "the resync period has passed: every object is applied again, without an Event",
    world: "steady",
    reading: "none",
    nowMs: NOW + 30 * 60_000,
    memory: (m) => ({ ...m, lastResyncMs: NOW - 30 * 60_000 }),
    expect: { applies: ["ConfigMap", "Deployment", "Service", "PodDisruptionBudget"], events: [] },
  },
  {
    name: "down to one replica: the PodDisruptionBudget we own is deleted, ScaledDown",
    world: "steady",
    spec: { replicas: 1 },
    generation: 2,
    reading: { generation: 2 },
    expect: { applies: ["Deployment"], removes: ["PodDisruptionBudget"], replicas: 1, events: ["ScaledDown"] },
  },
  {
    name: "a PodDisruptionBudget someone else owns is left alone",
    world: "steady",
    spec: { replicas: 1 },
    generation: 2,
    reading: { generation: 2 },
    owned: (o) => ({ ...o, pdb: { ...o.pdb, metadata: { ...o.pdb?.metadata, ownerReferences: [] } } }),
    expect: { removes: [] },
  },
  // Ready.
  {
    name: "all replicas ready: Ready=True/Consuming",
    world: "steady",
    reading: {},
    nowMs: NOW + 10_000,
    expect: { ready: ["True", "Consuming"], message: /2 of 2 replicas ready/ },
  },
  {
    name: "one replica not ready: Ready=False/RollingOut",
    world: "steady",
    ready: 1,
    reading: "none",
    expect: { ready: ["False", "RollingOut"], message: /1 of 2 replicas ready/ },
  },
  {
    name: "spec.replicas 0: Ready=True/ScaledToZero, no PodDisruptionBudget",
    world: "new",
    spec: { replicas: 0 },
    expect: { ready: ["True", "ScaledToZero"], replicas: 0, applies: ["ConfigMap", "Deployment", "Service"] },
  },
  {
    name: "paused: nothing applied, Ready=Unknown/Paused",
    world: "new",
    spec: { paused: true },
    expect: { applies: [], events: [], ready: ["Unknown", "Paused"], partitions: [] },
  },
  {
    name: "Kafka unreachable on the first poll: Ready=False/KafkaUnreachable, a Warning and a log line",
    world: "new",
    reading: { reachable: false },
    expect: {
      ready: ["False", "KafkaUnreachable"],
      conditions: { KafkaReachable: ["False", "KafkaUnreachable"] },
      events: ["KafkaUnreachable", "Created"],
      logs: ["Kafka unreachable"],
    },
  },
  {
    name: "a missing Secret: Ready=False/SecretMissing, a Warning",
    world: "new",
    reading: { reachable: false, reason: "SecretMissing" },
    expect: {
      ready: ["False", "SecretMissing"],
      conditions: { KafkaReachable: ["False", "SecretMissing"] },
      events: ["SecretMissing", "Created"],
      message: /Secret shop\/creds/,
    },
  },
  {
    name: "the apiserver refused a write: Ready=False/ApplyFailed with its whole message, no Created",
    world: "new",
    applyError: 'Deployment.apps "orders-consumer" is invalid: spec.template.spec.containers[0].image: Required value',
    expect: {
      ready: ["False", "ApplyFailed"],
      events: ["ApplyFailed"],
      message: /containers\[0\]\.image: Required value$/,
    },
  },
  {
    name: "an invalid spec: Ready=False/InvalidSpec naming the field, one Warning, not retried",
    world: "new",
    spec: { tier: "Turbo" },
    expect: {
      ready: ["False", "InvalidSpec"],
      applies: [],
      events: ["InvalidSpec"],
      invalid: /spec\.tier/,
      statusWritten: true,
      message: /spec\.tier/,
    },
  },
  // Kafka transitions: an Event and a log line once per change, none while it stays.
  {
    name: "Kafka lost: one Warning and one log line",
    world: "steady",
    reading: { reachable: false },
    nowMs: NOW + 10_000,
    expect: { events: ["KafkaUnreachable"], logs: ["Kafka unreachable"], ready: ["False", "KafkaUnreachable"] },
  },
  {
    name: "Kafka still lost: no Event, no log line",
    world: "steady",
    reading: { reachable: false },
    nowMs: NOW + 10_000,
    memory: (m) => ({
      ...m,
      kafkaReachable: false,
      lastPoll: { atMs: NOW - 5000, generation: 1, kafka: { reachable: false, message: "no route" } },
    }),
    expect: { events: [], logs: [] },
  },
  {
    name: "Kafka back: a Normal KafkaReachable Event and a log line",
    world: "steady",
    reading: {},
    nowMs: NOW + 10_000,
    memory: (m) => ({ ...m, kafkaReachable: false }),
    expect: { events: ["KafkaReachable"], logs: ["Kafka reachable again"], ready: ["True", "Consuming"] },
  },
  // Replicas: which source wins.
  {
    name: "Kafka unreachable: the replicas running now are kept, whatever spec.replicas says",
    world: "steady",
    spec: { replicas: 5 },
    generation: 2,
    reading: { reachable: false, generation: 2 },
    expect: { applies: [], events: ["KafkaUnreachable"] },
  },
  {
    name: "Kafka unreachable and no Deployment yet: spec.replicas",
    world: "new",
    spec: { replicas: 3 },
    reading: { reachable: false },
    expect: { replicas: 3 },
  },
  {
    name: "autoscaling: the decision's replicas win over spec.replicas, ScaledUp with its message",
    world: "steady",
    spec: { autoscaling: { enabled: true, minReplicas: 1, maxReplicas: 10, pollIntervalSeconds: 15 } },
    generation: 2,
    reading: { generation: 2 },
    decide: () => decision(4, { direction: "up" }),
    expect: {
      replicas: 4,
      events: ["ScaledUp"],
      logs: ["scaling decision", "scaled"],
      lastScaleReason: /-> 4 replicas/,
    },
  },
  {
    name: "autoscaling between polls: the last decision is re-used, no new decision",
    world: "steady",
    spec: { autoscaling: { enabled: true, minReplicas: 1, maxReplicas: 10, pollIntervalSeconds: 15 } },
    reading: "none",
    memory: (m) => ({ ...m, lastDecision: decision(3) }),
    decide: () => {
      throw new Error("no decision between polls");
    },
    expect: { replicas: 3, events: ["ScaledUp"], logs: ["scaled"] },
  },
  {
    name: "autoscaling, the first poll of a new group: the real decision holds at minReplicas",
    world: "new",
    spec: { autoscaling: { enabled: true, minReplicas: 2, maxReplicas: 10, pollIntervalSeconds: 15 } },
    expect: { replicas: 2, events: ["Created"] },
  },
  {
    name: "autoscaling while Kafka is unreachable: the replicas running now are kept",
    world: "steady",
    spec: { autoscaling: { enabled: true, minReplicas: 1, maxReplicas: 10, pollIntervalSeconds: 15 } },
    generation: 2,
    reading: { reachable: false, generation: 2 },
    decide: () => decision(7),
    expect: { applies: [], events: ["KafkaUnreachable"] },
  },
  {
    name: "kubectl scale (spec.replicas) without autoscaling: ScaledUp with a spec.replicas message",
    world: "steady",
    spec: { replicas: 3 },
    generation: 2,
    reading: { generation: 2 },
    expect: { replicas: 3, events: ["ScaledUp"], lastScaleReason: /spec\.replicas 2 -> 3/ },
  },
  // Partitions: a level.
  {
    name: "a decision to grow raises the topic's level: grow to 12, PartitionsGrown",
    world: "steady",
    spec: { autoscaling: { enabled: true, minReplicas: 1, maxReplicas: 12, pollIntervalSeconds: 15 } },
    generation: 2,
    reading: { generation: 2 },
    decide: () => decision(2, { partitions: [{ topic: "orders", from: 6, to: 12 }] }),
    expect: {
      partitions: [{ topic: "orders", count: 12 }],
      events: ["PartitionsGrown"],
      lastScaleReason: /grew partitions of orders from 6 to 12/,
    },
  },
  {
    name: "a level above what the last poll saw: grow again (the executor checks Kafka first), no new Event",
    world: "steady",
    reading: "none",
    memory: (m) => ({ ...m, desiredPartitions: { orders: 12 } }),
    expect: { partitions: [{ topic: "orders", count: 12 }], events: [] },
  },
  {
    name: "a level the topic has reached: nothing to grow",
    world: "steady",
    reading: { partitions: 12 },
    nowMs: NOW + 10_000,
    memory: (m) => ({ ...m, desiredPartitions: { orders: 12 } }),
    expect: { partitions: [] },
  },
  {
    name: "a smaller decision never lowers the level",
    world: "steady",
    spec: { autoscaling: { enabled: true, minReplicas: 1, maxReplicas: 12, pollIntervalSeconds: 15 } },
    generation: 2,
    reading: { generation: 2 },
    memory: (m) => ({ ...m, desiredPartitions: { orders: 12 } }),
    decide: () => decision(2, { partitions: [{ topic: "orders", from: 6, to: 8 }] }),
    expect: { partitions: [{ topic: "orders", count: 12 }] },
  },
  {
    name: "while Kafka is unreachable, no topic is grown",
    world: "steady",
    reading: { reachable: false },
    nowMs: NOW + 10_000,
    memory: (m) => ({ ...m, desiredPartitions: { orders: 12 } }),
    expect: { partitions: [] },
  },
  // A topic of spec.topics missing from Kafka: the user's typo, not an outage.
  {
    name: "a typo'd topic on the first poll: Ready=False/TopicsMissing naming it, Kafka reachable, its own Warning",
    world: "new",
    spec: { topics: ["ordres"] },
    reading: { missing: ["ordres"] },
    expect: {
      ready: ["False", "TopicsMissing"],
      message: /topic\(s\) ordres of spec\.topics do not exist in Kafka .*fix the name in spec\.topics/,
      conditions: { KafkaReachable: ["True", "Connected"], LagWithinTarget: ["Unknown", "NoObservations"] },
      events: ["TopicsMissing", "Created"],
      logs: ["topics missing"],
      kafkaReachableMetric: true,
    },
  },
  {
    name: "a topic gone from a running group: replicas held, no topic grown, one TopicsMissing Warning",
    world: "steady",
    spec: { topics: ["orders", "refunds"], replicas: 4 },
    generation: 2,
    reading: { missing: ["refunds"], generation: 2 },
    memory: (m) => ({ ...m, desiredPartitions: { orders: 12 } }),
    expect: {
      ready: ["False", "TopicsMissing"],
      events: ["TopicsMissing", "Updated"],
      replicas: 2,
      partitions: [],
      kafkaReachableMetric: true,
    },
  },
  {
    name: "still missing at the next poll: no second Warning",
    world: "steady",
    reading: { missing: ["ordres"] },
    nowMs: NOW + 10_000,
    memory: (m) => ({ ...m, missingTopics: ["ordres"] }),
    expect: { ready: ["False", "TopicsMissing"], events: [] },
  },
  {
    name: "the topic created: TopicsFound, and the group is measured again",
    world: "steady",
    reading: {},
    nowMs: NOW + 10_000,
    memory: (m) => ({ ...m, missingTopics: ["orders"] }),
    expect: {
      ready: ["True", "Consuming"],
      events: ["TopicsFound"],
      conditions: { LagWithinTarget: ["True", "WithinTarget"] },
    },
  },
  // processing.deadLetter.topic missing from Kafka: the group consumes, but a poison message would stop its partition.
  {
    name: "a missing dead-letter topic on the first poll: Degraded=True/DeadLetterTopicMissing naming the field, a Warning, still consuming",
    world: "new",
    spec: { processing: { handler: { builtin: { name: "noop" } }, deadLetter: { topic: "orders-dlq" } } },
    reading: { deadLetterMissing: "orders-dlq" },
    expect: {
      ready: ["False", "RollingOut"],
      conditions: { Degraded: ["True", "DeadLetterTopicMissing"], LagWithinTarget: ["True", "WithinTarget"] },
      events: ["DeadLetterTopicMissing", "Created"],
      logs: ["dead-letter topic missing"],
    },
  },
  {
    name: "a dead-letter topic gone from a running group: one Warning whose message names the field and the fix",
    world: "steady",
    spec: { processing: { handler: { builtin: { name: "noop" } }, deadLetter: { topic: "orders-dlq" } } },
    generation: 2,
    reading: { deadLetterMissing: "orders-dlq", generation: 2 },
    expect: {
      conditions: { Degraded: ["True", "DeadLetterTopicMissing"] },
      eventList: [
        {
          type: "Warning",
          reason: "DeadLetterTopicMissing",
          message:
            "processing.deadLetter.topic orders-dlq does not exist in Kafka: a message that fails its last retry waits, and stops its partition, until the topic is created; create the topic or fix the name",
        },
        { type: "Normal", reason: "Updated", message: "updated Deployment orders-consumer" },
      ],
    },
  },
  {
    name: "the dead-letter topic still missing at the next poll: no second Warning",
    world: "steady",
    reading: { deadLetterMissing: "orders-dlq" },
    nowMs: NOW + 10_000,
    memory: (m) => ({ ...m, missingDeadLetterTopic: "orders-dlq" }),
    expect: { conditions: { Degraded: ["True", "DeadLetterTopicMissing"] }, events: [] },
  },
  {
    name: "while Kafka is unreachable, a missing dead-letter topic is neither reported found nor forgotten",
    world: "steady",
    reading: { reachable: false },
    nowMs: NOW + 10_000,
    memory: (m) => ({ ...m, kafkaReachable: true, missingDeadLetterTopic: "orders-dlq" }),
    expect: {
      events: ["KafkaUnreachable"],
      logs: ["Kafka unreachable"],
      remembers: { missingDeadLetterTopic: "orders-dlq" },
    },
  },
  {
    name: "the dead-letter topic created: DeadLetterTopicFound, Degraded clears",
    world: "steady",
    reading: {},
    nowMs: NOW + 10_000,
    memory: (m) => ({ ...m, missingDeadLetterTopic: "orders-dlq" }),
    expect: {
      events: ["DeadLetterTopicFound"],
      logs: ["dead-letter topic found"],
      conditions: { Degraded: ["False", "Healthy"] },
      remembers: { missingDeadLetterTopic: undefined },
    },
  },
  // Lag and requeue.
  {
    name: "a partition far behind: LagWithinTarget=False",
    world: "steady",
    spec: { lag: { maxMessagesPerPartition: 100 } },
    generation: 2,
    reading: { lag: 500, generation: 2 },
    expect: { conditions: { LagWithinTarget: ["False", "LagAboveTarget"] } },
  },
  {
    name: "no poll yet answered: LagWithinTarget=Unknown",
    world: "new",
    reading: { reachable: false },
    expect: { conditions: { LagWithinTarget: ["Unknown", "NoObservations"] } },
  },
  {
    name: "a requeue never comes sooner than 100 ms",
    world: "steady",
    reading: "none",
    nowMs: NOW + POLL_MS,
    expect: { requeueAfterMs: 100 },
  }, // Everything a user sees of one reconcile, in full.
  {
    name: "a new group in full: the Created Event, the exported snapshot, the status fields",
    world: "new",
    expect: {
      eventList: [
        { type: "Normal", reason: "Created", message: "created Deployment orders-consumer with 2 replica(s)" },
      ],
      logList: [],
      snapshot: {
        labels: { namespace: "shop", name: "orders", consumergroup: "shop.orders" },
        lagTargetSeconds: 30,
        replicasMax: 2,
        replicasDesired: 2,
        replicasReady: 0,
        kafkaReachable: true,
        scalingLimited: false,
        partitions: 6,
        // Exported at 0 from the first reconcile: the replica changes a group without autoscaling can have.
        scaleEvents: { "up/Manual": 0, "down/Manual": 0 },
      },
      scaleEvents: {},
      statusFields: {
        observedGeneration: 1,
        selector: "lagpilot.dev/consumer-group=orders",
        desiredReplicas: 2,
        replicas: 0,
        readyReplicas: 0,
        partitions: 6,
      },
      lastResyncMs: NOW,
    },
  },
  {
    name: "autoscaling up in full: ScaledUp with the decision's message, its log lines, counted by reason",
    world: "steady",
    spec: { autoscaling: { enabled: true, minReplicas: 1, maxReplicas: 10, pollIntervalSeconds: 15 } },
    generation: 2,
    reading: { generation: 2 },
    memory: (m) => ({ ...m, scaleEvents: { "up/LagTarget": 2 } }),
    decide: () => decision(4, { direction: "up", recommendation: 4, throughputPerReplica: 500 }),
    expect: {
      eventList: [{ type: "Normal", reason: "ScaledUp", message: "lag 48s > 30s target -> 4 replicas" }],
      logList: [
        {
          level: "debug",
          msg: "scaling decision",
          fields: {
            reason: "LagTarget",
            replicas: 4,
            recommendation: 4,
            throughputPerReplica: 500,
            message: "lag 48s > 30s target -> 4 replicas",
          },
        },
        { level: "info", msg: "scaled", fields: { from: 2, to: 4, reason: "lag 48s > 30s target -> 4 replicas" } },
      ],
      scaleEvents: { "up/LagTarget": 3 },
      snapshot: { replicasMax: 10, replicasDesired: 4, replicasReady: 2 },
      statusFields: { desiredReplicas: 4, lastScaleTime: new Date(NOW).toISOString() },
    },
  },
  {
    name: "kubectl scale down in full: ScaledDown, counted as down/Manual",
    world: "steady",
    spec: { replicas: 1 },
    generation: 2,
    reading: { generation: 2 },
    expect: {
      eventList: [{ type: "Normal", reason: "ScaledDown", message: "spec.replicas 2 -> 1" }],
      logList: [{ level: "info", msg: "scaled", fields: { from: 2, to: 1, reason: "spec.replicas 2 -> 1" } }],
      scaleEvents: { "down/Manual": 1 },
    },
  },
  {
    name: "a spec change without a replica change in full: Updated",
    world: "steady",
    spec: { tier: "Buffered" },
    generation: 2,
    reading: { generation: 2 },
    expect: {
      eventList: [{ type: "Normal", reason: "Updated", message: "updated Deployment orders-consumer" }],
      scaleEvents: {},
    },
  },
  {
    name: "partitions grown in full: the Event, the log line, counted as partitions/<reason>",
    world: "steady",
    spec: { autoscaling: { enabled: true, minReplicas: 1, maxReplicas: 12, pollIntervalSeconds: 15 } },
    generation: 2,
    reading: { generation: 2 },
    decide: () =>
      decision(2, { reason: "HotPartition", message: "hot", partitions: [{ topic: "orders", from: 6, to: 12 }] }),
    expect: {
      eventList: [
        { type: "Normal", reason: "PartitionsGrown", message: "grew partitions of orders from 6 to 12: hot" },
      ],
      logList: [
        {
          level: "debug",
          msg: "scaling decision",
          fields: {
            reason: "HotPartition",
            replicas: 2,
            recommendation: undefined,
            throughputPerReplica: undefined,
            message: "hot",
          },
        },
        { level: "info", msg: "partitions grown", fields: { topic: "orders", from: 6, to: 12 } },
      ],
      scaleEvents: { "partitions/HotPartition": 1 },
    },
  },
  {
    name: "Kafka lost in full: a Warning with Kafka's message, a log line with reason and message",
    world: "steady",
    reading: { reachable: false },
    nowMs: NOW + 10_000,
    expect: {
      eventList: [{ type: "Warning", reason: "KafkaUnreachable", message: "no route" }],
      logList: [
        { level: "warn", msg: "Kafka unreachable", fields: { reason: "KafkaUnreachable", message: "no route" } },
      ],
      snapshot: { kafkaReachable: false, partitions: 6 },
      statusFields: { partitions: 6 },
    },
  },
  {
    name: "Kafka back in full: a Normal Event and a log line with the connection message",
    world: "steady",
    reading: {},
    nowMs: NOW + 10_000,
    memory: (m) => ({ ...m, kafkaReachable: false }),
    expect: {
      eventList: [{ type: "Normal", reason: "KafkaReachable", message: "connected to kafka:9092" }],
      logList: [{ level: "info", msg: "Kafka reachable again", fields: { message: "connected to kafka:9092" } }],
      snapshot: { kafkaReachable: true },
    },
  },
  {
    name: "a write refused in full: one Warning with the apiserver's message, no scale counted",
    world: "steady",
    spec: { replicas: 3 },
    generation: 2,
    reading: { generation: 2 },
    applyError: "admission webhook denied the request",
    expect: {
      eventList: [{ type: "Warning", reason: "ApplyFailed", message: "admission webhook denied the request" }],
      scaleEvents: {},
      ready: ["False", "ApplyFailed"],
      message: /could not apply the consumer's objects: admission webhook denied the request/,
    },
  },
  // The Deployment's own rollout state.
  {
    name: "the Deployment controller has not seen the latest spec: Progressing=True, Ready=False",
    world: "steady",
    reading: "none",
    owned: (o) => ({
      ...o,
      deployment: { ...o.deployment, metadata: { ...o.deployment?.metadata, generation: 2 } },
    }),
    expect: {
      conditions: { Progressing: ["True", "RollingOut"] },
      ready: ["False", "RollingOut"],
      message: /2 of 2 replicas ready/,
    },
  },
  {
    name: "not every replica updated yet: still rolling out",
    world: "steady",
    reading: "none",
    owned: (o) => ({
      ...o,
      deployment: { ...o.deployment, status: { ...o.deployment?.status, updatedReplicas: 1 } },
    }),
    expect: { conditions: { Progressing: ["True", "RollingOut"] }, ready: ["False", "RollingOut"] },
  },
  {
    name: "an extra old Pod still running (surge): still rolling out",
    world: "steady",
    reading: "none",
    owned: (o) => ({
      ...o,
      deployment: { ...o.deployment, status: { ...o.deployment?.status, replicas: 3 } },
    }),
    expect: {
      conditions: { Progressing: ["True", "RollingOut"] },
      ready: ["False", "RollingOut"],
      statusFields: { replicas: 3, readyReplicas: 2 },
    },
  },
  {
    name: "a Deployment without status yet: nothing ready, rolling out",
    world: "steady",
    reading: "none",
    owned: (o) => ({ ...o, deployment: { ...o.deployment, status: undefined } }),
    expect: {
      ready: ["False", "RollingOut"],
      statusFields: { replicas: 0, readyReplicas: 0 },
      snapshot: { replicasReady: 0 },
    },
  },
  // Resync.
  {
    name: "exactly one resync period later: every object is applied again and the time remembered",
    world: "steady",
    reading: "none",
    nowMs: NOW + 60_000,
    memory: (m) => ({ ...m, lastResyncMs: NOW + 60_000 - 30 * 60_000 }),
    expect: { applies: ["ConfigMap", "Deployment", "Service", "PodDisruptionBudget"], lastResyncMs: NOW + 60_000 },
  },
  {
    name: "just under a resync period: nothing applied, the last resync kept",
    world: "steady",
    reading: "none",
    nowMs: NOW + 60_000,
    memory: (m) => ({ ...m, lastResyncMs: NOW + 60_001 - 30 * 60_000 }),
    expect: { applies: [], lastResyncMs: NOW + 60_001 - 30 * 60_000 },
  },
  {
    name: "paused past the resync period: nothing applied, the last resync kept",
    world: "steady",
    spec: { paused: true },
    reading: "none",
    nowMs: NOW + 60_000,
    memory: (m) => ({ ...m, lastResyncMs: NOW - 30 * 60_000 }),
    expect: { applies: [], lastResyncMs: NOW - 30 * 60_000 },
  },
  // What the decision is asked with.
  {
    name: "the decision hears why Kafka could not be polled, and the replicas running now",
    world: "steady",
    spec: { autoscaling: { enabled: true, minReplicas: 1, maxReplicas: 10, pollIntervalSeconds: 15 } },
    generation: 2,
    reading: { reachable: false, generation: 2 },
    decide: () => decision(2),
    expect: { decideSaw: { pollError: "no route", currentReplicas: 2, observation: undefined, nowMs: NOW } },
  },
  {
    name: "a new group's first decision starts from minReplicas",
    world: "new",
    spec: { autoscaling: { enabled: true, minReplicas: 3, maxReplicas: 10, pollIntervalSeconds: 15 } },
    decide: () => decision(3),
    expect: { decideSaw: { currentReplicas: 3 } },
  },
  {
    name: "a decision that is limited: ScalingLimited=True, exported, a recommendation in status",
    world: "steady",
    spec: { autoscaling: { enabled: true, minReplicas: 1, maxReplicas: 10, pollIntervalSeconds: 15 } },
    generation: 2,
    reading: { generation: 2 },
    decide: () =>
      decision(2, { limited: { reason: "PartitionCount", message: "6 partitions cap the group at 6 replicas" } }),
    expect: {
      conditions: { ScalingLimited: ["True", "PartitionCount"] },
      snapshot: { scalingLimited: true },
      statusFields: {
        recommendations: [{ type: "PartitionCount", message: "6 partitions cap the group at 6 replicas" }],
      },
    },
  },
  // An invalid spec remembered.
  {
    name: "an invalid spec on a group the operator knows: reported, memory kept",
    world: "steady",
    spec: { tier: "Turbo" },
    reading: "none",
    expect: { events: ["InvalidSpec"], statusWritten: true, invalid: /spec\.tier/, forgotten: false },
  },
];

describe("plan", () => {
  for (const c of cases) {
    it(c.name, () => {
      const { p, status } = run(c);
      const e = c.expect;
      if (e.applies) assert.deepEqual(kinds(p.apply), e.applies, "applies");
      if (e.removes) assert.deepEqual(kinds(p.remove), e.removes, "removes");
      if (e.partitions) assert.deepEqual(p.partitions, e.partitions, "partitions");
      if (e.events) assert.deepEqual(reasons(p), e.events, "events");
      if (e.logs)
        assert.deepEqual(
          p.logs.map((l) => l.msg),
          e.logs,
          "logs",
        );
      if (e.statusWritten !== undefined) assert.equal(p.status !== undefined, e.statusWritten, "status written");
      if (e.requeueAfterMs !== undefined) assert.equal(p.requeueAfterMs, e.requeueAfterMs, "requeueAfterMs");
      if (e.forgotten !== undefined) assert.equal(p.memory === undefined, e.forgotten, "forgotten");
      if (e.invalid) assert.match(p.invalid ?? "", e.invalid);
      else assert.equal(p.invalid, undefined, "not invalid");
      if (e.replicas !== undefined) {
        const deployment = p.apply.find((o) => o.kind === "Deployment") as k8s.V1Deployment | undefined;
        assert.equal(deployment?.spec?.replicas, e.replicas, "replicas");
        assert.equal(p.memory?.snapshot?.replicasDesired, e.replicas, "replicas exported");
      }
      if (e.ready) {
        const ready = conditionOf(status, "Ready");
        assert.deepEqual([ready?.status, ready?.reason], e.ready, "Ready");
        if (e.message) assert.match(ready?.message ?? "", e.message);
      }
      for (const [type, expected] of Object.entries(e.conditions ?? {})) {
        const condition = conditionOf(status, type);
        assert.deepEqual([condition?.status, condition?.reason], expected, type);
      }
      if (e.kafkaReachableMetric !== undefined)
        assert.equal(p.memory?.snapshot?.kafkaReachable, e.kafkaReachableMetric, "lagpilot_group_kafka_reachable");
      if (e.lastScaleReason) assert.match(status?.lastScaleReason ?? "", e.lastScaleReason);
      if (e.eventList) assert.deepEqual(p.events, e.eventList, "events in full");
      if (e.logList) assert.deepEqual(p.logs, e.logList, "log lines in full");
      for (const [field, value] of Object.entries(e.snapshot ?? {})) {
        assert.deepEqual(p.memory?.snapshot?.[field as keyof GroupSnapshot], value, `snapshot.${field}`);
      }
      if (e.scaleEvents) assert.deepEqual(p.memory?.scaleEvents, e.scaleEvents, "scaleEvents");
      for (const [field, value] of Object.entries(e.statusFields ?? {})) {
        assert.deepEqual(status?.[field as keyof typeof status], value, `status.${field}`);
      }
      if (e.lastResyncMs !== undefined) assert.equal(p.memory?.lastResyncMs, e.lastResyncMs, "lastResyncMs");
      for (const [field, value] of Object.entries(e.remembers ?? {})) {
        assert.deepEqual(p.memory?.[field as keyof GroupMemory], value, `memory.${field}`);
      }
      for (const [field, value] of Object.entries(e.decideSaw ?? {})) {
        assert.deepEqual(decideInput?.[field as keyof ScalingInput], value, `decide saw ${field}`);
      }
    });
  }
});

describe("plan: Secret rotation reaches the consumers", () => {
  const saslSpec = {
    ...baseSpec,
    kafka: {
      bootstrapServers: ["kafka:9092"],
      sasl: { mechanism: "scram-sha-512", credentialsSecret: { name: "creds" } },
    },
  };
  const podHash = (p: Plan) =>
    (p.apply.find((o) => o.kind === "Deployment") as k8s.V1Deployment | undefined)?.spec?.template.metadata
      ?.annotations?.["lagpilot.dev/secrets-hash"];
  const first = () =>
    plan(input(observedOf(storedGroup(saslSpec), {}, reading({ secretsHash: "aaa" })), undefined, { nowMs: NOW }));

  it("the Pod template carries a hash of the referenced Secrets' content", () => {
    assert.equal(podHash(first()), "aaa");
  });

  it("a changed Secret changes the hash: the Deployment is applied again, so its Pods roll", () => {
    const p1 = first();
    const owned = ownedFrom(p1.apply);
    const later = reading({ secretsHash: "bbb", atMs: NOW + POLL_MS });
    const p2 = plan(input(observedOf(storedGroup(saslSpec), owned, later), p1.memory, { nowMs: NOW + POLL_MS }));
    assert.deepEqual(kinds(p2.apply), ["Deployment"]);
    assert.equal(podHash(p2), "bbb");
  });

  it("the same content at the next poll: nothing applied", () => {
    const p1 = first();
    const owned = ownedFrom(p1.apply);
    const later = reading({ secretsHash: "aaa", atMs: NOW + POLL_MS });
    const p2 = plan(input(observedOf(storedGroup(saslSpec), owned, later), p1.memory, { nowMs: NOW + POLL_MS }));
    assert.deepEqual(kinds(p2.apply), []);
  });

  it("a Secret that cannot be read keeps the hash the Pods carry: no restart on a failed read", () => {
    const p1 = first();
    const owned = ownedFrom(p1.apply);
    const later = reading({ reachable: false, reason: "SecretMissing", atMs: NOW + POLL_MS });
    const p2 = plan(input(observedOf(storedGroup(saslSpec), owned, later), p1.memory, { nowMs: NOW + POLL_MS }));
    assert.deepEqual(kinds(p2.apply), []);
  });

  it("a group without Secrets carries no hash", () => {
    const p = plan(input(observedOf(storedGroup(baseSpec), {}, reading()), undefined));
    assert.equal(podHash(p), undefined);
  });
});

describe("planTarget", () => {
  it("names the stored group, with its uid, for Events and status", () => {
    const observed = observedOf(storedGroup(baseSpec), {});
    assert.deepEqual(planTarget(observed), {
      apiVersion: "lagpilot.dev/v1alpha1",
      kind: "KafkaConsumerGroup",
      namespace: "shop",
      name: "orders",
      uid: "uid-1",
    });
  });

  it("a group already gone: its key and kind, nothing else", () => {
    assert.deepEqual(planTarget(observedOf(undefined, {})), {
      apiVersion: "",
      kind: "KafkaConsumerGroup",
      namespace: "shop",
      name: "orders",
      uid: "",
    });
  });
});

describe("plan: a fresh memory starts from what status kept", () => {
  const spec = { ...baseSpec, autoscaling: { enabled: true, minReplicas: 1, maxReplicas: 6, pollIntervalSeconds: 15 } };
  const kept = (observedAt: string): StoredGroup["status"] => ({
    autoscaling: {
      decisions: [
        {
          time: "2026-03-01T09:58:00.000Z",
          fromReplicas: 1,
          toReplicas: 3,
          reason: "ScaledUp",
          cause: "LagTarget",
          message: "lag 48s > 10s target -> 3 replicas",
          figures: { lag: 9000, throughputPerReplica: 240 },
        },
      ],
      learned: { throughputPerReplica: 250, throughputMeasurements: 4, leadSeconds: 21, observedAt },
    },
  });
  const planWith = (status: StoredGroup["status"], memory?: GroupMemory) => {
    let saw: ScalingInput | undefined;
    const observed = observedOf(storedGroup(spec, 1, status), {}, reading());
    const p = plan(
      input(observed, memory, {
        decide: (i) => {
          saw = i;
          return decision(i.currentReplicas, { state: i.state });
        },
      }),
    );
    return { p, saw };
  };

  it("after a restart or a leader change, the decision is asked with the learned throughput and lead time", () => {
    const { p, saw } = planWith(kept("2026-03-01T09:59:30.000Z"));
    assert.equal(saw?.state.throughput?.perReplica, 250);
    assert.equal(saw?.state.throughput?.measurements, 4);
    assert.equal(saw?.state.leadTime?.seconds, 21);
    assert.equal(saw?.state.decisions?.length, 1);
    const restored = p.logs.find((l) => l.msg === "restored learned scaling state");
    assert.deepEqual(restored?.fields, { throughputPerReplica: 250, leadSeconds: 21, decisions: 1 });
    assert.equal(p.status?.autoscaling?.learned?.throughputPerReplica, 250, "written back unchanged");
    assert.equal(p.status?.autoscaling?.decisions?.length, 1, "the history is not wiped");
  });

  it("learned figures older than an hour are not restored; the history is", () => {
    const { p, saw } = planWith(kept("2026-03-01T08:59:00.000Z"));
    assert.equal(saw?.state.throughput, undefined);
    assert.equal(saw?.state.leadTime, undefined);
    assert.equal(saw?.state.decisions?.length, 1);
    assert.equal(
      p.logs.find((l) => l.msg === "restored learned scaling state"),
      undefined,
    );
  });

  it("a remembered group is not read back from status: memory is newer", () => {
    const { memory } = steadyWorld(spec);
    const { saw } = planWith(kept("2026-03-01T09:59:30.000Z"), memory);
    assert.equal(saw?.state.throughput, undefined);
  });
});

describe("plan: paused, the scaling state does not move", () => {
  const autoscaled = {
    ...baseSpec,
    autoscaling: { enabled: true, minReplicas: 1, maxReplicas: 10, pollIntervalSeconds: POLL_MS / 1000 },
  };
  // A decision that would scale to 5, grow orders to 12 and learn a throughput.
  const moving = decision(5, {
    direction: "up",
    partitions: [{ topic: "orders", from: 6, to: 12 }],
    state: {
      recommendations: [{ timeMs: NOW, replicas: 5 }],
      throughput: { perReplica: 800, observedAtMs: NOW, measurements: 3 },
    },
  });
  const planFor = (paused: boolean) => {
    const world = steadyWorld(autoscaled);
    let calls = 0;
    const observed = observedOf(
      storedGroup({ ...autoscaled, paused }, 2, world.status),
      world.owned,
      reading({ generation: 2, lag: 500 }),
    );
    const p = plan(
      input(observed, world.memory, {
        decide: () => {
          calls++;
          return moving;
        },
      }),
    );
    return { p, calls, before: world.memory, running: world.owned.deployment?.spec?.replicas };
  };

  it("unpaused, the same world moves: the control for the rows below", () => {
    const { p, calls, before } = planFor(false);
    assert.equal(calls, 1);
    assert.notDeepEqual(p.memory?.scaling, before.scaling);
    assert.deepEqual(p.partitions, [{ topic: "orders", count: 12 }]);
  });

  it("paused: no decision is taken, the learned state, windows and partition levels stay, replicas stay", () => {
    const { p, calls, before, running } = planFor(true);
    assert.equal(calls, 0, "the decision was asked while paused");
    assert.deepEqual(p.memory?.scaling, before.scaling);
    assert.deepEqual(p.memory?.desiredPartitions, before.desiredPartitions);
    assert.equal(p.memory?.lastDecision, before.lastDecision);
    assert.deepEqual(p.partitions, []);
    assert.deepEqual(p.apply, []);
    assert.ok(running !== undefined && running !== 5);
    assert.equal(p.status?.desiredReplicas, running);
    assert.deepEqual(
      p.events.filter((e) => /Scaled|PartitionsGrown/.test(e.reason)),
      [],
    );
  });
});

describe("plan: the group protocol follows what the broker speaks", () => {
  const runtimeProtocol = (p: Plan) => {
    const configMap = p.apply.find((o) => o.kind === "ConfigMap") as k8s.V1ConfigMap | undefined;
    const text = Object.values(configMap?.data ?? {}).join("\n");
    return /"groupProtocol":\s*"(\w+)"|groupProtocol:\s*(\w+)/.exec(text)?.slice(1).find(Boolean);
  };
  const withBroker = (consumerGroupProtocol: boolean): KafkaReading => ({
    ...reading(),
    broker: { consumerGroupProtocol },
  });

  const cases: { name: string; broker: boolean; spec?: string; expect: string; source: string }[] = [
    { name: "a broker with KIP-848: consumer", broker: true, expect: "consumer", source: "broker" },
    { name: "a broker without it: classic", broker: false, expect: "classic", source: "broker" },
    { name: "the spec's choice wins", broker: true, spec: "classic", expect: "classic", source: "spec" },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const spec = c.spec ? { ...baseSpec, consumer: { groupProtocol: c.spec } } : baseSpec;
      const p = plan(input(observedOf(storedGroup(spec), {}, withBroker(c.broker)), undefined));
      assert.equal(p.status?.resolved?.consumer.groupProtocol, c.expect);
      assert.equal(p.status?.resolved?.sources["consumer.groupProtocol"], c.source);
      assert.equal(runtimeProtocol(p), c.expect, "the consumers' config says the same");
    });
  }

  it("an unreachable broker or a restarted operator keeps the protocol chosen before", () => {
    const first = plan(input(observedOf(storedGroup(baseSpec), {}, withBroker(false)), undefined));
    const unreachable = plan(
      input(observedOf(storedGroup(baseSpec, 1, first.status), {}, reading({ reachable: false })), first.memory),
    );
    assert.equal((unreachable.status ?? first.status)?.resolved?.consumer.groupProtocol, "classic");
    assert.equal(runtimeProtocol(unreachable), "classic");
    const restarted = plan(input(observedOf(storedGroup(baseSpec, 1, first.status), {}), undefined));
    assert.equal((restarted.status ?? first.status)?.resolved?.consumer.groupProtocol, "classic");
    assert.equal(runtimeProtocol(restarted), "classic");
  });
});
