// Every write of one reconcile, in order: the start offsets of a group without members (start-offsets.ts),
// server-side apply of the owned objects (in phases, see
// write-phases.ts; the objects of one phase at once), deletion of one that should no longer exist, topic
// growth up to the desired partitions, then the status (one server-side-apply writer, for valid and invalid
// specs alike) and the Events (one recorder). Each object the apiserver
// returns goes back into the watch cache, so the next reconcile sees what was written.
import * as k8s from "@kubernetes/client-node";
import { PLURAL } from "../api/group.ts";
import type { KafkaConsumerGroupSpec } from "../api/spec.ts";
import type { KafkaConsumerGroupStatus } from "../api/status.ts";
import type { ObjectCache } from "../controller/object-cache.ts";
import type { CommittedOffset } from "../kafka/admin.ts";
import type { AdminPool } from "../kafka/pool.ts";
import { isNotFound } from "../kube-errors.ts";
import type { EventRecorder, EventTarget } from "./events.ts";
import { resolveKafkaConnection, type SecretReader } from "./kafka-connection.ts";
import type { PlannedEvent } from "./plan.ts";
import type { ObjectRef } from "./plan-objects.ts";
import { writePhases } from "./write-phases.ts";

export const FIELD_MANAGER = "lagpilot";

export type WriteKind = "apply" | "delete" | "status" | "partitions" | "offsets";

export interface ExecuteDeps {
  kubeConfig: k8s.KubeConfig;
  cache: Pick<ObjectCache, "put" | "remove">;
  adminPool: AdminPool;
  readSecret: SecretReader;
  recorder: EventRecorder;
  onWrite?: (kind: string, operation: WriteKind) => void;
  /** A group's start offsets could not be committed; its consumers start as startFrom says. */
  onStartOffsetsFailed?: (groupId: string, error: unknown) => void;
}

export interface StatusTarget {
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
  /** Resource plural of the kind; KafkaConsumerGroup's by default. */
  plural?: string;
}

export interface Executor {
  /**
   * Applies, deletes and grows; returns the first error, or undefined. After a failed phase nothing later is
   * attempted (the other writes of that phase complete: they were sent together).
   */
  writeObjects(
    writes: {
      apply: k8s.KubernetesObject[];
      remove: ObjectRef[];
      partitions: { topic: string; count: number }[];
      /** Committed before anything is applied, so the consumers the apply starts find them. */
      startOffsets?: { groupId: string; offsets: CommittedOffset[] };
    },
    group: { namespace: string; spec: KafkaConsumerGroupSpec } | undefined,
  ): Promise<unknown>;
  /** Writes the whole status; false when the object is gone. */
  writeStatus(target: StatusTarget, status: KafkaConsumerGroupStatus): Promise<boolean>;
  recordEvents(target: EventTarget, events: readonly PlannedEvent[]): Promise<void>;
}

/** Waits for every write of a phase, settled or not, then throws the first failure (in the phase's order). */
async function all(writes: Promise<void>[]): Promise<void> {
  const failed = (await Promise.allSettled(writes)).find((result) => result.status === "rejected");
  if (failed) throw failed.reason;
}

export function createExecutor(deps: ExecuteDeps): Executor {
  const objects = k8s.KubernetesObjectApi.makeApiClient(deps.kubeConfig);
  const custom = deps.kubeConfig.makeApiClient(k8s.CustomObjectsApi);

  async function apply(desired: k8s.KubernetesObject): Promise<void> {
    const written = await objects.patch(
      desired,
      undefined,
      undefined,
      FIELD_MANAGER,
      true,
      k8s.PatchStrategy.ServerSideApply,
    );
    deps.cache.put(desired.kind ?? "", written);
    deps.onWrite?.(desired.kind ?? "", "apply");
  }

  async function remove(ref: ObjectRef): Promise<void> {
    try {
      await objects.delete({
        apiVersion: ref.apiVersion,
        kind: ref.kind,
        metadata: { name: ref.name, namespace: ref.namespace },
      });
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
    deps.cache.remove(ref.kind, ref.namespace, ref.name);
    deps.onWrite?.(ref.kind, "delete");
  }

  /** Grows a topic only while Kafka says it has fewer partitions than desired: growing is not idempotent. */
  async function grow(group: { namespace: string; spec: KafkaConsumerGroupSpec }, topic: string, count: number) {
    const connection = await resolveKafkaConnection(group.spec.kafka, group.namespace, deps.readSecret);
    const grew = await deps.adminPool.use(connection, "createPartitions", async (admin) => {
      const current = (await admin.partitionCounts([topic])).get(topic) ?? 0;
      if (current >= count) return false;
      await admin.createPartitions(topic, count);
      return true;
    });
    if (grew) deps.onWrite?.("Topic", "partitions");
  }

  /** Kafka refuses (false) once the group has members: their consumers have started, nothing to do. */
  async function commitStartOffsets(
    group: { namespace: string; spec: KafkaConsumerGroupSpec },
    start: { groupId: string; offsets: CommittedOffset[] },
  ) {
    const connection = await resolveKafkaConnection(group.spec.kafka, group.namespace, deps.readSecret);
    const committed = await deps.adminPool.use(connection, "commitOffsets", (admin) =>
      admin.commitOffsetsWhileEmpty(start.groupId, start.offsets),
    );
    if (committed) deps.onWrite?.("ConsumerGroup", "offsets");
  }

  return {
    async writeObjects(writes, group) {
      try {
        const start = writes.startOffsets;
        // Best effort: without these commits the consumers still start where startFrom says, and only growth
        // before their first commits is uncovered. A refusal (ACLs, an outage) must not keep them from starting.
        if (group && start?.offsets.length) {
          await commitStartOffsets(group, start).catch((error) => deps.onStartOffsetsFailed?.(start.groupId, error));
        }
        for (const phase of writePhases(writes.apply)) await all(phase.map(apply));
        await all(writes.remove.map(remove));
        if (group) for (const { topic, count } of writes.partitions) await grow(group, topic, count);
        return undefined;
      } catch (error) {
        return error;
      }
    },

    async writeStatus(target, status) {
      const slash = target.apiVersion.indexOf("/");
      try {
        const written = await custom.patchNamespacedCustomObjectStatus(
          {
            group: target.apiVersion.slice(0, slash),
            version: target.apiVersion.slice(slash + 1),
            namespace: target.namespace,
            plural: target.plural ?? PLURAL,
            name: target.name,
            body: {
              apiVersion: target.apiVersion,
              kind: target.kind,
              metadata: { name: target.name, namespace: target.namespace },
              status,
            },
            fieldManager: FIELD_MANAGER,
            force: true,
          },
          k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.ServerSideApply),
        );
        deps.cache.put(target.kind, written as k8s.KubernetesObject);
        deps.onWrite?.(target.kind, "status");
        return true;
      } catch (error) {
        // Deleted meanwhile: nothing left to report on.
        if (isNotFound(error)) return false;
        throw error;
      }
    },

    async recordEvents(target, events) {
      for (const event of events) await deps.recorder.record(target, event.type, event.reason, event.message);
    },
  };
}
