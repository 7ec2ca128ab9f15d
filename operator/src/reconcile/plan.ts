// The pure heart of a reconcile: what was observed, what the operator remembers and the clock in; the objects
// to write, the partitions each topic should have, the status, the Events and log lines, the next memory and
// when to look again out. No I/O: every case is a table test (test/unit/reconcile/plan.test.ts).
//
// Steps, in order:
//   first sight of the group (start, new leader): the autoscaler's learned state is restored from status
//   the group is gone                  -> forget it
//   the spec is invalid                -> Ready=False/InvalidSpec (status and one Event), not retried
//   Kafka: record the new reading, if any, into the lag history; a reading that lacks a topic of spec.topics
//             (TopicsMissing) measures nothing, like an unreachable Kafka, but Kafka itself is fine
//   replicas: the autoscaler's decision (made at a poll, re-used until the next), else spec.replicas;
//             while Kafka is unreachable, whatever runs now
//   partitions: a decision to grow raises the desired level of a topic; it never falls
//   objects: the desired ConfigMap, Deployment, Service (and PDB), written only when they differ
//   events and logs: on transitions only (Kafka lost or back, a topic or the dead-letter topic missing or found,
//             created, updated, scaled, grown, apply failed)
//   status: computed, and left out when it equals the stored one (no write)
import { KIND } from "../api/group.ts";
import { planInvalidSpecReport } from "../api/invalid-report.ts";
import type { KafkaConsumerGroup } from "../api/object.ts";
import { type BrokerFeatures, resolveSettings } from "../api/resolve.ts";
import type { KafkaConsumerGroupStatus } from "../api/status.ts";
import { emptyHistory, recordPoll } from "../lag/history.ts";
import { summarize } from "../lag/summary.ts";
import type { GroupLagSummary } from "../lag/types.ts";
import { groupAlertSettings } from "../observability/alert-settings.ts";
import { decideScaling } from "../scaling/decide.ts";
import { withZeroScaleEvents } from "../scaling/scale-event-kinds.ts";
import type { ScalingDecision, ScalingInput } from "../scaling/types.ts";
import { restoreScalingState } from "./autoscaling-status.ts";
import type { RenderContext } from "./desired/context.ts";
import { selectorLabels } from "./desired/names.ts";
import type { GroupMemory, LastPoll, OwnedObjects } from "./memory.ts";
import type { Observed } from "./observe.ts";
import { type ObjectRef, planObjects } from "./plan-objects.ts";
import { toLagOptions, toScalingSettings } from "./scaling-settings.ts";
import { canonicalJson, SECRETS_HASH_ANNOTATION } from "./spec-hash.ts";
import {
  computeStatus,
  type DeploymentView,
  deadLetterTopicMissingMessage,
  type KafkaOutcome,
  topicsMissingMessage,
} from "./status.ts";

export interface PlannedEvent {
  type: "Normal" | "Warning";
  reason: string;
  message: string;
}

export interface PlannedLog {
  level: "debug" | "info" | "warn";
  msg: string;
  fields?: Record<string, unknown>;
}

export interface PlanInput {
  observed: Observed;
  memory: GroupMemory | undefined;
  nowMs: number;
  runtimeImage: string;
  /** Owned objects are re-applied, changed or not, at most this often. */
  resyncMs: number;
  /** Set on the second planning of a reconcile whose writes failed: the apiserver's (or Kafka's) message. */
  applyError?: string;
  /** The scaling decision; decideScaling unless a test or another policy says otherwise. */
  decide?: (input: ScalingInput) => ScalingDecision;
}

export interface Plan {
  /** Objects to server-side apply, in order. */
  apply: import("@kubernetes/client-node").KubernetesObject[];
  remove: ObjectRef[];
  /** Topics below the partitions they should have: grow each to `count` (the executor checks Kafka first). */
  partitions: { topic: string; count: number }[];
  /** The status to write; undefined when the stored one already says this. */
  status?: KafkaConsumerGroupStatus;
  events: PlannedEvent[];
  logs: PlannedLog[];
  /** Undefined: forget the group. */
  memory?: GroupMemory;
  requeueAfterMs?: number;
  /** Set when the spec is invalid: the message; retrying cannot help until the object is edited. */
  invalid?: string;
}

const nothing = { apply: [], remove: [], partitions: [], events: [], logs: [] };

export function plan(input: PlanInput): Plan {
  const { observed } = input;
  const { stored, validation } = observed;
  if (!stored || !validation) return { ...nothing };
  if (!validation.valid) return planInvalid(input, validation.message);
  return planValid(input, validation.object);
}

function planInvalid(input: PlanInput, message: string): Plan {
  const stored = input.observed.stored;
  if (!stored) return { ...nothing };
  const report = planInvalidSpecReport(stored, message, new Date(input.nowMs));
  const status = report.statusPatch ? { ...stored.status, ...report.statusPatch.status } : undefined;
  return {
    ...nothing,
    ...(status ? { status } : {}),
    events: report.event ? [{ type: "Warning", reason: report.event.reason, message: report.event.message }] : [],
    ...(input.memory ? { memory: input.memory } : {}),
    invalid: `invalid spec: ${message}`,
  };
}

/** Memory of a group seen for the first time since start or since leading: what status kept is restored. */
function freshMemory(nowMs: number, stored: KafkaConsumerGroupStatus | undefined): GroupMemory {
  return {
    history: emptyHistory(),
    scaling: restoreScalingState({ status: stored?.autoscaling, nowMs }),
    desiredPartitions: {},
    lastResyncMs: nowMs,
    scaleEvents: {},
  };
}

export function deploymentView(owned: OwnedObjects, desiredReplicas: number): DeploymentView | undefined {
  const deployment = owned.deployment;
  if (!deployment) return undefined;
  const status = deployment.status ?? {};
  const generation = deployment.metadata?.generation ?? 0;
  const specReplicas = deployment.spec?.replicas ?? desiredReplicas;
  return {
    replicas: status.replicas ?? 0,
    readyReplicas: status.readyReplicas ?? 0,
    rolledOut:
      (status.observedGeneration ?? 0) >= generation &&
      (status.updatedReplicas ?? 0) >= specReplicas &&
      (status.replicas ?? 0) <= specReplicas,
  };
}

/** The latest Kafka reading folded into memory: history and last poll. */
function withReading(input: PlanInput, memory: GroupMemory, group: KafkaConsumerGroup, commitIntervalMs: number) {
  const reading = input.observed.reading;
  if (!reading) return memory;
  const { poll, broker, ...lastPoll } = reading;
  const history = poll ? recordPoll(memory.history, poll, toLagOptions(group.spec, commitIntervalMs)) : memory.history;
  return { ...memory, history, lastPoll: lastPoll satisfies LastPoll, ...(broker ? { broker } : {}) };
}

/** What status.resolved says the broker supported, when the group protocol was chosen from it. */
function brokerInStatus(status: KafkaConsumerGroupStatus | undefined): BrokerFeatures | undefined {
  const resolved = status?.resolved;
  const protocol = resolved?.consumer.groupProtocol;
  if (protocol === undefined || resolved?.sources["consumer.groupProtocol"] !== "broker") return undefined;
  return { consumerGroupProtocol: protocol === "consumer" };
}

const notPolled: KafkaOutcome = { reachable: false, reason: "KafkaUnreachable", message: "Kafka not polled yet" };

function decide(
  input: PlanInput,
  group: KafkaConsumerGroup,
  memory: GroupMemory,
  summary: GroupLagSummary | undefined,
  currentReplicas: number | undefined,
): ScalingDecision | undefined {
  const { autoscaling } = group.spec;
  if (!autoscaling.enabled) return undefined;
  if (!input.observed.reading && memory.lastDecision) return memory.lastDecision;
  return (input.decide ?? decideScaling)({
    nowMs: input.nowMs,
    settings: toScalingSettings(group.spec),
    observation: summary,
    ...(memory.lastPoll?.pollError ? { pollError: memory.lastPoll.pollError } : {}),
    currentReplicas: currentReplicas ?? autoscaling.minReplicas,
    state: memory.scaling,
  });
}

function planValid(input: PlanInput, group: KafkaConsumerGroup): Plan {
  const { observed, nowMs } = input;
  const { key, owned } = observed;
  const spec = group.spec;
  const commitIntervalMs = resolveSettings(spec, key).commit.intervalMs;
  const uid = group.metadata.uid ?? "";
  const lagOptions = toLagOptions(spec, commitIntervalMs);
  const remembered = withReading(
    input,
    input.memory ?? freshMemory(nowMs, observed.stored?.status),
    group,
    commitIntervalMs,
  );
  // The group protocol follows what the broker supports, as last seen (after a restart, as status says it was
  // chosen): an unreachable broker or a restarted operator changes nothing.
  const resolved = resolveSettings(spec, key, remembered.broker ?? brokerInStatus(observed.stored?.status));
  const kafka = remembered.lastPoll?.kafka ?? notPolled;
  const topics = remembered.lastPoll?.topics;
  const missingTopics = [...(kafka.missingTopics ?? [])].sort();
  const answered = kafka.reachable && missingTopics.length === 0;
  const summary = answered ? summarize(remembered.history, lagOptions) : undefined;

  // Replicas.
  const currentReplicas = owned.deployment?.spec?.replicas;
  // Paused: nothing moves, the scaling state included. No decision is taken (no learning, no windows, no
  // growth held back to be applied on resume), and the replicas wanted are the ones running.
  const decision = spec.paused ? remembered.lastDecision : decide(input, group, remembered, summary, currentReplicas);
  const freshDecision = decision !== undefined && decision !== remembered.lastDecision;
  let replicas = decision?.replicas ?? spec.replicas;
  if ((!answered || spec.paused) && currentReplicas !== undefined) replicas = currentReplicas;

  // Partitions: a level, raised by a fresh decision to grow.
  const growth = freshDecision ? decision.partitions : undefined;
  const desiredPartitions = { ...remembered.desiredPartitions };
  for (const g of growth ?? []) desiredPartitions[g.topic] = Math.max(desiredPartitions[g.topic] ?? 0, g.to);

  // Objects.
  const resync = nowMs - remembered.lastResyncMs >= input.resyncMs;
  const context: RenderContext = {
    group: { namespace: key.namespace, name: key.name, uid },
    spec,
    resolved,
    replicas,
    runtimeImage: input.runtimeImage,
    ...secretsHashOf(spec, remembered, owned),
  };
  const objects = spec.paused ? undefined : planObjects(context, owned, resync);
  const partitions =
    spec.paused || !answered
      ? []
      : Object.entries(desiredPartitions)
          .filter(([topic, count]) => (topics?.[topic] ?? 0) < count)
          .map(([topic, count]) => ({ topic, count }));

  // Events, logs and the scale record.
  const events: PlannedEvent[] = [];
  const logs: PlannedLog[] = [];
  const failed = input.applyError !== undefined;
  if (remembered.kafkaReachable !== kafka.reachable && remembered.lastPoll) {
    if (!kafka.reachable) {
      events.push({ type: "Warning", reason: kafka.reason ?? "KafkaUnreachable", message: kafka.message });
      logs.push({ level: "warn", msg: "Kafka unreachable", fields: { reason: kafka.reason, message: kafka.message } });
    } else if (remembered.kafkaReachable === false) {
      events.push({ type: "Normal", reason: "KafkaReachable", message: kafka.message });
      logs.push({ level: "info", msg: "Kafka reachable again", fields: { message: kafka.message } });
    }
  }
  const missingBefore = remembered.missingTopics ?? [];
  if (remembered.lastPoll && missingTopics.join(",") !== missingBefore.join(",")) {
    if (missingTopics.length > 0) {
      const message = topicsMissingMessage(kafka);
      events.push({ type: "Warning", reason: "TopicsMissing", message });
      logs.push({ level: "warn", msg: "topics missing", fields: { topics: missingTopics } });
    } else if (kafka.reachable) {
      const message = `topic(s) ${missingBefore.join(", ")} of spec.topics now exist in Kafka`;
      events.push({ type: "Normal", reason: "TopicsFound", message });
      logs.push({ level: "info", msg: "topics found", fields: { topics: missingBefore } });
    }
  }
  if (input.memory === undefined && spec.autoscaling.enabled) {
    const { throughput, leadTime, decisions } = remembered.scaling;
    if (throughput !== undefined || leadTime !== undefined) {
      logs.push({
        level: "info",
        msg: "restored learned scaling state",
        fields: {
          throughputPerReplica: throughput?.perReplica,
          leadSeconds: leadTime?.seconds,
          decisions: decisions?.length ?? 0,
        },
      });
    }
  }
  // The dead-letter topic: known only while Kafka answers; a change of it is an Event.
  const deadLetterBefore = remembered.missingDeadLetterTopic;
  const deadLetterNow = kafka.reachable ? kafka.missingDeadLetterTopic : deadLetterBefore;
  if (remembered.lastPoll && kafka.reachable && deadLetterNow !== deadLetterBefore) {
    if (deadLetterNow) {
      events.push({
        type: "Warning",
        reason: "DeadLetterTopicMissing",
        message: deadLetterTopicMissingMessage(deadLetterNow),
      });
      logs.push({ level: "warn", msg: "dead-letter topic missing", fields: { topic: deadLetterNow } });
    } else if (deadLetterBefore) {
      const message = `processing.deadLetter.topic ${deadLetterBefore} now exists in Kafka`;
      events.push({ type: "Normal", reason: "DeadLetterTopicFound", message });
      logs.push({ level: "info", msg: "dead-letter topic found", fields: { topic: deadLetterBefore } });
    }
  }
  if (freshDecision) {
    logs.push({
      level: "debug",
      msg: "scaling decision",
      fields: {
        reason: decision.reason,
        replicas: decision.replicas,
        recommendation: decision.recommendation,
        throughputPerReplica: decision.throughputPerReplica,
        message: decision.message,
      },
    });
  }
  const scaleEvents = { ...remembered.scaleEvents };
  let scaled: { message: string } | undefined;
  if (failed) {
    events.push({ type: "Warning", reason: "ApplyFailed", message: input.applyError ?? "" });
  } else if (objects) {
    const deploymentName = `${key.name}-consumer`;
    if (objects.creates) {
      events.push({
        type: "Normal",
        reason: "Created",
        message: `created Deployment ${deploymentName} with ${replicas} replica(s)`,
      });
    } else if (objects.updates && currentReplicas === replicas) {
      events.push({ type: "Normal", reason: "Updated", message: `updated Deployment ${deploymentName}` });
    }
    if (currentReplicas !== undefined && currentReplicas !== replicas) {
      const direction = replicas > currentReplicas ? "up" : "down";
      const message = decision?.message ?? `spec.replicas ${currentReplicas} -> ${replicas}`;
      scaled = { message };
      const kind = `${direction}/${decision?.reason ?? "Manual"}`;
      scaleEvents[kind] = (scaleEvents[kind] ?? 0) + 1;
      events.push({ type: "Normal", reason: direction === "up" ? "ScaledUp" : "ScaledDown", message });
      logs.push({ level: "info", msg: "scaled", fields: { from: currentReplicas, to: replicas, reason: message } });
    }
    for (const g of answered ? (growth ?? []) : []) {
      const message = `grew partitions of ${g.topic} from ${g.from} to ${g.to}: ${decision?.message ?? ""}`;
      scaled = { message };
      const kind = `partitions/${decision?.reason ?? "Partitions"}`;
      scaleEvents[kind] = (scaleEvents[kind] ?? 0) + 1;
      events.push({ type: "Normal", reason: "PartitionsGrown", message });
      logs.push({ level: "info", msg: "partitions grown", fields: { topic: g.topic, from: g.from, to: g.to } });
    }
  }

  // Status.
  const status = computeStatus({
    now: new Date(nowMs),
    generation: group.metadata.generation ?? 0,
    previous: observed.stored?.status,
    paused: spec.paused,
    resolved,
    desiredReplicas: replicas,
    deployment: deploymentView(owned, replicas),
    selector: Object.entries(selectorLabels({ namespace: key.namespace, name: key.name, uid: "" }))
      .map(([k, v]) => `${k}=${v}`)
      .join(","),
    kafka,
    topics: topics ? new Map(Object.entries(topics)) : undefined,
    summary,
    lagTarget: { ...spec.lag, commitSlackSeconds: lagOptions.commitSlackSeconds },
    decision,
    ...(scaled ? { scaled } : {}),
    ...(failed ? { applyError: input.applyError } : {}),
  });
  const stored = observed.stored?.status;
  const statusChanged = stored === undefined || canonicalJson(stored) !== canonicalJson(status);

  const { missingDeadLetterTopic: _deadLetterBefore, ...rememberedRest } = remembered;
  const memory: GroupMemory = {
    ...rememberedRest,
    ...(freshDecision ? { scaling: decision.state, lastDecision: decision } : {}),
    kafkaReachable: remembered.lastPoll ? kafka.reachable : remembered.kafkaReachable,
    ...(remembered.lastPoll && kafka.reachable
      ? { missingTopics }
      : remembered.missingTopics
        ? { missingTopics: remembered.missingTopics }
        : {}),
    ...(deadLetterNow ? { missingDeadLetterTopic: deadLetterNow } : {}),
    desiredPartitions,
    lastResyncMs: resync && objects ? nowMs : remembered.lastResyncMs,
    scaleEvents,
    snapshot: {
      labels: { namespace: key.namespace, name: key.name, consumergroup: resolved.groupId },
      lagTargetSeconds: spec.lag.maxSeconds,
      replicasMax: spec.autoscaling.enabled ? spec.autoscaling.maxReplicas : spec.replicas,
      replicasDesired: replicas,
      replicasReady: status.readyReplicas ?? 0,
      kafkaReachable: kafka.reachable,
      scalingLimited: decision?.limited !== undefined,
      alerts: groupAlertSettings(spec),
      ...(status.partitions !== undefined ? { partitions: status.partitions } : {}),
      ...(summary ? { summary } : {}),
      scaleEvents: withZeroScaleEvents(scaleEvents, spec.autoscaling),
    },
  };
  const sincePoll = nowMs - (remembered.lastPoll?.atMs ?? nowMs);
  return {
    apply: objects?.apply ?? [],
    remove: objects?.remove ?? [],
    partitions,
    ...(statusChanged ? { status } : {}),
    events,
    logs,
    memory,
    requeueAfterMs: Math.max(100, spec.autoscaling.pollIntervalSeconds * 1000 - sincePoll),
  };
}

/**
 * The credentials hash the Pods should carry: the last poll's reading of the Secrets; while it has none (a Secret
 * missing or unreadable), the one the Pods already carry, so a failed read never restarts them.
 */
function secretsHashOf(spec: KafkaConsumerGroup["spec"], memory: GroupMemory, owned: OwnedObjects) {
  const referenced =
    spec.kafka.sasl !== undefined ||
    (spec.kafka.tls?.enabled && (spec.kafka.tls.caSecret || spec.kafka.tls.clientCertSecret));
  if (!referenced) return {};
  const carried = owned.deployment?.spec?.template?.metadata?.annotations?.[SECRETS_HASH_ANNOTATION];
  const hash = memory.lastPoll?.secretsHash ?? carried;
  return hash ? { secretsHash: hash } : {};
}

/** The reference Events and status are about. */
export function planTarget(observed: Observed) {
  const stored = observed.stored;
  return {
    apiVersion: stored?.apiVersion ?? "",
    kind: stored?.kind ?? KIND,
    namespace: observed.key.namespace,
    name: observed.key.name,
    uid: stored?.metadata.uid ?? "",
  };
}
