// One reconcile of one KafkaConsumerGroup: read it, validate it, observe Kafka, decide replicas and
// partitions, apply the owned objects and report status. Level-triggered and idempotent: run twice with
// nothing changed, the second run writes nothing.
import * as k8s from "@kubernetes/client-node";
import { API_VERSION, GROUP, KIND, PLURAL, VERSION } from "../api/group.ts";
import type { KafkaConsumerGroup } from "../api/object.ts";
import { reportInvalidSpec } from "../api/report-invalid.ts";
import { resolveSettings } from "../api/resolve.ts";
import type { KafkaConsumerGroupStatus } from "../api/status.ts";
import { validateKafkaConsumerGroup } from "../api/validate.ts";
import { type ObjectKey, parseKey } from "../controller/object-key.ts";
import { type ReconcileOutcome, TerminalError } from "../controller/work-queue.ts";
import type { KafkaConnection } from "../kafka/connection.ts";
import type { AdminPool } from "../kafka/pool.ts";
import { apiErrorMessage, isNotFound } from "../kube-errors.ts";
import { emptyHistory, recordPoll } from "../lag/history.ts";
import { buildPoll } from "../lag/poll.ts";
import { summarize } from "../lag/summary.ts";
import type { GroupHistory, GroupLagSummary, Poll } from "../lag/types.ts";
import type { Logger } from "../observability/logger.ts";
import type { OperatorMetrics } from "../observability/metrics.ts";
import { decideScaling } from "../scaling/decide.ts";
import { initialScalingState, type ScalingDecision, type ScalingState } from "../scaling/types.ts";
import { type Applier, FIELD_MANAGER } from "./applier.ts";
import type { RenderContext } from "./desired/context.ts";
import { objectNames, selectorLabels } from "./desired/names.ts";
import { desiredConfigMap, desiredDeployment, desiredPodDisruptionBudget, desiredService } from "./desired/objects.ts";
import type { EventRecorder, EventTarget } from "./events.ts";
import { resolveKafkaConnection, SecretMissingError, type SecretReader } from "./kafka-connection.ts";
import { toLagOptions, toScalingSettings } from "./scaling-settings.ts";
import { canonicalJson } from "./spec-hash.ts";
import { computeStatus, type DeploymentView, type KafkaOutcome } from "./status.ts";

export interface ReconcilerDeps {
  kubeConfig: k8s.KubeConfig;
  applier: Applier;
  events: EventRecorder;
  adminPool: AdminPool;
  readSecret: SecretReader;
  metrics: OperatorMetrics;
  log: Logger;
  runtimeImage: string;
  now?: () => Date;
  /** Hand edits of owned objects are reverted at most this often (a forced, usually no-op, apply). */
  resyncMs?: number;
}

/** What the operator remembers about a group between reconciles (lost on restart, rebuilt by polling). */
interface PollOutcome {
  kafka: KafkaOutcome;
  topics: Map<string, number> | undefined;
  pollError?: string;
}

interface GroupMemory {
  history: GroupHistory;
  scaling: ScalingState;
  lastPoll?: PollOutcome & { atMs: number; generation: number };
  lastDecision?: ScalingDecision;
  kafkaReachable?: boolean;
  lastForcedApplyMs: number;
}

function deploymentView(deployment: k8s.V1Deployment | undefined, desiredReplicas: number): DeploymentView | undefined {
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

export function createReconciler(deps: ReconcilerDeps): {
  reconcile: (key: string) => Promise<ReconcileOutcome>;
  forget: (key: string) => void;
} {
  const now = deps.now ?? (() => new Date());
  const memory = new Map<string, GroupMemory>();
  const custom = deps.kubeConfig.makeApiClient(k8s.CustomObjectsApi);
  const startedAt = Date.now();
  const resyncMs = deps.resyncMs ?? 30 * 60_000;

  async function readGroup(key: ObjectKey): Promise<Record<string, unknown> | undefined> {
    try {
      return (await custom.getNamespacedCustomObject({
        group: GROUP,
        version: VERSION,
        namespace: key.namespace,
        plural: PLURAL,
        name: key.name,
      })) as Record<string, unknown>;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async function writeStatus(key: ObjectKey, previous: unknown, status: KafkaConsumerGroupStatus): Promise<boolean> {
    if (previous !== undefined && canonicalJson(previous) === canonicalJson(status)) return false;
    await custom.patchNamespacedCustomObjectStatus(
      {
        group: GROUP,
        version: VERSION,
        namespace: key.namespace,
        plural: PLURAL,
        name: key.name,
        body: { apiVersion: API_VERSION, kind: KIND, metadata: { name: key.name, namespace: key.namespace }, status },
        fieldManager: FIELD_MANAGER,
        force: true,
      },
      k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.ServerSideApply),
    );
    deps.metrics.writesTotal.inc({ kind: KIND, operation: "status" });
    return true;
  }

  async function observeKafka(
    connection: KafkaConnection,
    group: KafkaConsumerGroup,
    groupId: string,
  ): Promise<{ poll: Poll; topics: Map<string, number> }> {
    const { topics } = group.spec;
    return deps.adminPool.use(connection, "observe", async (admin) => {
      const [counts, offsets, committed, description] = await Promise.all([
        admin.partitionCounts(topics),
        admin.logOffsets(topics),
        admin.committedOffsets(groupId, topics),
        admin.describeGroup(groupId),
      ]);
      const missing = topics.filter((t) => !counts.has(t));
      if (missing.length > 0) throw new Error(`topic(s) ${missing.join(", ")} do not exist in Kafka (spec.topics)`);
      const poll = buildPoll({ timeMs: now().getTime(), logOffsets: offsets, committed, group: description });
      return { poll, topics: counts };
    });
  }

  function exportGroupMetrics(group: KafkaConsumerGroup, groupId: string, summary: GroupLagSummary | undefined) {
    const labels = { namespace: group.metadata.namespace ?? "", name: group.metadata.name, consumergroup: groupId };
    const m = deps.metrics.group;
    m.lagTargetSeconds.set(labels, group.spec.lag.maxSeconds);
    m.replicasMax.set(
      labels,
      group.spec.autoscaling.enabled ? group.spec.autoscaling.maxReplicas : group.spec.replicas,
    );
    if (!summary) return;
    m.groupLag.set(labels, summary.totalLag);
    m.groupLagSeconds.set(labels, summary.maxLagSeconds);
    m.produceRate.set(labels, summary.produceRate);
    m.consumeRate.set(labels, summary.consumeRate);
    for (const p of summary.partitions) {
      const partitionLabels = { ...labels, topic: p.topic, partition: String(p.partition) };
      m.partitionLag.set(partitionLabels, p.lag);
      m.partitionLagSeconds.set(partitionLabels, p.lagSeconds ?? 0);
    }
    for (const [state, count] of Object.entries(summary.healthCounts))
      m.partitionsByHealth.set({ ...labels, state }, count);
  }

  function forget(key: string): void {
    memory.delete(key);
    const { namespace, name } = parseKey(key);
    // Drop every series of the deleted group (prom-client removes only exact label sets).
    for (const metric of Object.values(deps.metrics.group)) {
      const series = metric as unknown as {
        get(): Promise<{ values: { labels: Record<string, string | number> }[] }>;
        remove(labels: Record<string, string | number>): void;
      };
      void series.get().then(({ values }) => {
        for (const value of values) {
          if (value.labels.namespace === namespace && value.labels.name === name) series.remove(value.labels);
        }
      });
    }
  }

  async function pollKafka(
    group: KafkaConsumerGroup,
    objectKey: ObjectKey,
    groupId: string,
    state: GroupMemory,
    lagOptions: ReturnType<typeof toLagOptions>,
  ): Promise<PollOutcome> {
    const { spec } = group;
    try {
      const connection = await resolveKafkaConnection(spec.kafka, objectKey.namespace, deps.readSecret);
      const observed = await observeKafka(connection, group, groupId);
      state.history = recordPoll(state.history, observed.poll, lagOptions);
      return {
        kafka: { reachable: true, message: `connected to ${spec.kafka.bootstrapServers.join(",")}` },
        topics: observed.topics,
      };
    } catch (error) {
      const secretMissing = error instanceof SecretMissingError;
      const pollError = String((error as Error).message ?? error);
      if (!secretMissing) deps.metrics.kafkaAdminErrorsTotal.inc({ operation: "observe" });
      return {
        pollError,
        topics: undefined,
        kafka: {
          reachable: false,
          reason: secretMissing ? "SecretMissing" : "KafkaUnreachable",
          message: secretMissing
            ? pollError
            : `cannot reach Kafka at ${spec.kafka.bootstrapServers.join(",")} (spec.kafka): ${pollError}; check the address, network policy and credentials`,
        },
      };
    }
  }

  async function reconcile(key: string): Promise<ReconcileOutcome> {
    const started = performance.now();
    const objectKey = parseKey(key);
    const log = deps.log.child({ key });
    try {
      const outcome = await reconcileOnce(objectKey, key, log);
      deps.metrics.reconcileTotal.inc({ result: "success" });
      return outcome;
    } catch (error) {
      const result = error instanceof TerminalError ? "invalid" : "error";
      deps.metrics.reconcileTotal.inc({ result });
      if (result === "error") {
        deps.metrics.reconcileErrorsTotal.inc({ reason: (error as { code?: number }).code ? "apiserver" : "internal" });
        log.error("reconcile failed", { error: String(error) });
      }
      throw error;
    } finally {
      deps.metrics.reconcileDuration.observe((performance.now() - started) / 1000);
    }
  }

  async function reconcileOnce(objectKey: ObjectKey, key: string, log: Logger): Promise<ReconcileOutcome> {
    const raw = await readGroup(objectKey);
    if (!raw) {
      forget(key);
      return {};
    }
    const metadata = (raw.metadata ?? {}) as { generation?: number; uid?: string };
    const generation = metadata.generation ?? 0;
    const previousStatus = raw.status as KafkaConsumerGroupStatus | undefined;
    const target: EventTarget = {
      apiVersion: API_VERSION,
      kind: KIND,
      namespace: objectKey.namespace,
      name: objectKey.name,
      uid: metadata.uid ?? "",
    };

    const validation = validateKafkaConsumerGroup(raw);
    if (!validation.valid) {
      const message = `invalid spec: ${validation.message}`;
      log.warn("invalid spec", { message });
      const reportable = raw as unknown as Parameters<typeof reportInvalidSpec>[1];
      const outcome = await reportInvalidSpec(deps.kubeConfig, reportable, validation.message, now(), {
        instance: process.env.POD_NAME,
      });
      if (outcome.statusWritten) deps.metrics.writesTotal.inc({ kind: KIND, operation: "status" });
      // Retrying cannot fix the spec; the next edit of the object queues it again.
      throw new TerminalError(message);
    }
    const group = validation.object;
    const spec = group.spec;
    const resolved = resolveSettings(spec, objectKey);
    const state: GroupMemory = memory.get(key) ?? {
      history: emptyHistory(),
      scaling: initialScalingState,
      lastForcedApplyMs: startedAt,
    };
    memory.set(key, state);

    // Kafka: connection (Secrets resolved) and one observation.
    // Kafka is observed once per poll interval (or when the spec changed); reconciles in between, such as
    // those caused by the Deployment's status changing, re-use the last observation and decision.
    const pollIntervalMs = spec.autoscaling.pollIntervalSeconds * 1000;
    const lagOptions = toLagOptions(spec, resolved.commit.intervalMs);
    const pollDue =
      state.lastPoll === undefined ||
      state.lastPoll.generation !== generation ||
      now().getTime() - state.lastPoll.atMs >= pollIntervalMs * 0.9;
    if (pollDue) {
      state.lastPoll = {
        atMs: now().getTime(),
        generation,
        ...(await pollKafka(group, objectKey, resolved.groupId, state, lagOptions)),
      };
    }
    const { kafka, topics, pollError } = state.lastPoll as PollOutcome;
    if (state.kafkaReachable !== kafka.reachable) {
      if (!kafka.reachable)
        await deps.events.record(target, "Warning", kafka.reason ?? "KafkaUnreachable", kafka.message);
      else if (state.kafkaReachable === false)
        await deps.events.record(target, "Normal", "KafkaReachable", kafka.message);
      state.kafkaReachable = kafka.reachable;
    }
    const summary = kafka.reachable ? summarize(state.history, lagOptions) : undefined;
    // Replicas: the autoscaler's decision, spec.replicas, or (Kafka unknown) whatever runs now.
    const names = objectNames(objectKey.name);
    const existingDeployment = await deps.applier.read<k8s.V1Deployment>(
      "apps/v1",
      "Deployment",
      objectKey.namespace,
      names.deployment,
    );
    const currentReplicas = existingDeployment?.spec?.replicas;
    let replicas = spec.replicas;
    let decision: ScalingDecision | undefined;
    if (spec.autoscaling.enabled && !pollDue && state.lastDecision) {
      // The partition growth of a re-used decision was applied when it was made: growing again fails.
      const { partitions: _grown, ...reused } = state.lastDecision;
      decision = reused;
    } else if (spec.autoscaling.enabled) {
      decision = decideScaling({
        nowMs: now().getTime(),
        settings: toScalingSettings(spec),
        observation: summary,
        ...(pollError ? { pollError } : {}),
        currentReplicas: currentReplicas ?? spec.autoscaling.minReplicas,
        state: state.scaling,
      });
      state.scaling = decision.state;
      state.lastDecision = decision;
      log.debug("scaling decision", {
        reason: decision.reason,
        replicas: decision.replicas,
        recommendation: decision.recommendation,
        throughputPerReplica: decision.throughputPerReplica,
        busyMembers: summary?.busyMembers.length,
        message: decision.message,
      });
    }
    if (decision) replicas = decision.replicas;
    if (!kafka.reachable && currentReplicas !== undefined) replicas = currentReplicas;

    let scaled: { message: string } | undefined;
    let applyError: unknown;
    if (!spec.paused) {
      try {
        const context: RenderContext = {
          group: { namespace: objectKey.namespace, name: objectKey.name, uid: metadata.uid ?? "" },
          spec,
          resolved,
          replicas,
          runtimeImage: deps.runtimeImage,
        };
        const force = Date.now() - state.lastForcedApplyMs > resyncMs;
        if (force) state.lastForcedApplyMs = Date.now();
        await deps.applier.apply(desiredConfigMap(context), { force });
        const deploymentResult = await deps.applier.apply(desiredDeployment(context), { force });
        await deps.applier.apply(desiredService(context), { force });
        const pdb = desiredPodDisruptionBudget(context);
        if (pdb) await deps.applier.apply(pdb, { force });
        else await deleteIfOwned(objectKey.namespace, names.pdb);
        if (deploymentResult === "created") {
          await deps.events.record(
            target,
            "Normal",
            "Created",
            `created Deployment ${names.deployment} with ${replicas} replica(s)`,
          );
        } else if (deploymentResult === "updated" && currentReplicas === replicas) {
          await deps.events.record(target, "Normal", "Updated", `updated Deployment ${names.deployment}`);
        }
        if (currentReplicas !== undefined && currentReplicas !== replicas) {
          const direction = replicas > currentReplicas ? "up" : "down";
          const message = decision?.message ?? `spec.replicas ${currentReplicas} -> ${replicas}`;
          scaled = { message };
          deps.metrics.group.scaleEventsTotal.inc({
            namespace: objectKey.namespace,
            name: objectKey.name,
            consumergroup: resolved.groupId,
            direction,
            reason: decision?.reason ?? "Manual",
          });
          await deps.events.record(target, "Normal", direction === "up" ? "ScaledUp" : "ScaledDown", message);
          log.info("scaled", { from: currentReplicas, to: replicas, reason: message });
        }
        const growth = decision?.partitions;
        if (growth && kafka.reachable) {
          const connection = await resolveKafkaConnection(spec.kafka, objectKey.namespace, deps.readSecret);
          await deps.adminPool.use(connection, "createPartitions", (admin) =>
            admin.createPartitions(growth.topic, growth.to),
          );
          const message = `grew partitions of ${growth.topic} from ${growth.from} to ${growth.to}: ${decision?.message ?? ""}`;
          scaled = { message };
          deps.metrics.group.scaleEventsTotal.inc({
            namespace: objectKey.namespace,
            name: objectKey.name,
            consumergroup: resolved.groupId,
            direction: "partitions",
            reason: decision?.reason ?? "Partitions",
          });
          await deps.events.record(target, "Normal", "PartitionsGrown", message);
          topics?.set(growth.topic, growth.to);
          log.info("partitions grown", { topic: growth.topic, from: growth.from, to: growth.to });
        }
      } catch (error) {
        // Reported in status below, then retried with backoff.
        applyError = error;
      }
    }

    const deployment =
      (await deps.applier.read<k8s.V1Deployment>("apps/v1", "Deployment", objectKey.namespace, names.deployment)) ??
      existingDeployment;
    const status = computeStatus({
      now: now(),
      generation,
      previous: previousStatus,
      paused: spec.paused,
      resolved,
      desiredReplicas: replicas,
      deployment: deploymentView(deployment, replicas),
      selector: Object.entries(selectorLabels({ namespace: objectKey.namespace, name: objectKey.name, uid: "" }))
        .map(([k, v]) => `${k}=${v}`)
        .join(","),
      kafka,
      topics,
      summary,
      lagTarget: spec.lag,
      decision,
      ...(scaled ? { scaled } : {}),
      ...(applyError ? { applyError: apiErrorMessage(applyError) } : {}),
    });
    await writeStatus(objectKey, previousStatus, status);
    if (applyError) {
      await deps.events.record(target, "Warning", "ApplyFailed", apiErrorMessage(applyError));
      throw applyError;
    }

    exportGroupMetrics(group, resolved.groupId, summary);
    const labels = { namespace: objectKey.namespace, name: objectKey.name, consumergroup: resolved.groupId };
    deps.metrics.group.replicasDesired.set(labels, replicas);
    deps.metrics.group.replicasReady.set(labels, status.readyReplicas ?? 0);
    deps.metrics.group.kafkaReachable.set(labels, kafka.reachable ? 1 : 0);
    deps.metrics.group.scalingLimited.set(labels, decision?.limited ? 1 : 0);
    if (status.partitions !== undefined) deps.metrics.group.partitions.set(labels, status.partitions);
    const sincePoll = now().getTime() - (state.lastPoll?.atMs ?? 0);
    return { requeueAfterMs: Math.max(100, pollIntervalMs - sincePoll) };
  }

  async function deleteIfOwned(namespace: string, name: string): Promise<void> {
    const existing = await deps.applier.read<k8s.V1PodDisruptionBudget>(
      "policy/v1",
      "PodDisruptionBudget",
      namespace,
      name,
    );
    if (!existing?.metadata?.ownerReferences?.some((ref) => ref.kind === KIND)) return;
    const policy = deps.kubeConfig.makeApiClient(k8s.PolicyV1Api);
    await policy.deleteNamespacedPodDisruptionBudget({ name, namespace });
    deps.metrics.writesTotal.inc({ kind: "PodDisruptionBudget", operation: "delete" });
  }

  return { reconcile, forget };
}
