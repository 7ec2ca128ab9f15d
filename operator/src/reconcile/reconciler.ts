// One reconcile of one KafkaConsumerGroup: observe (caches, Kafka when due) -> plan (pure) -> execute
// (writes). Level-triggered and idempotent: run twice with nothing changed, the second run sends nothing.

import { effectiveGroupId } from "../api/resolve.ts";
import type { ObjectKey } from "../controller/object-key.ts";
import { parseKey } from "../controller/object-key.ts";
import { type ReconcileOutcome, TerminalError } from "../controller/work-queue.ts";
import { apiErrorMessage } from "../kube-errors.ts";
import type { Logger } from "../observability/logger.ts";
import type { GroupSnapshot } from "../observability/metrics.ts";
import type { Executor } from "./execute.ts";
import type { GroupMemory } from "./memory.ts";
import { type ObserveDeps, observe } from "./observe.ts";
import { type PlanInput, plan, planTarget } from "./plan.ts";
import { startOffsetsToCommit } from "./start-offsets.ts";

export interface ReconcilerDeps {
  observe: ObserveDeps;
  execute: Executor;
  log: Logger;
  runtimeImage: string;
  now?: () => number;
  /** Hand edits of owned objects are reverted at most this often (a forced, usually no-op, apply). */
  resyncMs?: number;
}

export interface Reconciler {
  reconcile(key: string): Promise<ReconcileOutcome>;
  /** Drops what is remembered about a deleted group (and with it, its metrics). */
  forget(key: string): void;
  /** Drops everything: a replica that stops leading must not export what it saw as leader. */
  forgetAll(): void;
  snapshots(): Iterable<GroupSnapshot>;
}

export function createReconciler(deps: ReconcilerDeps): Reconciler {
  const now = deps.now ?? Date.now;
  const memory = new Map<string, GroupMemory>();

  async function reconcile(key: string): Promise<ReconcileOutcome> {
    const objectKey: ObjectKey = parseKey(key);
    const nowMs = now();
    const remembered = memory.get(key);
    const observed = await observe(deps.observe, objectKey, remembered, nowMs);
    const input: PlanInput = {
      observed,
      memory: remembered,
      nowMs,
      runtimeImage: deps.runtimeImage,
      resyncMs: deps.resyncMs ?? 30 * 60_000,
    };
    let planned = plan(input);
    const group = observed.validation?.valid
      ? { namespace: objectKey.namespace, spec: observed.validation.object.spec }
      : undefined;
    const startOffsets = group && {
      groupId: effectiveGroupId(group.spec, objectKey.namespace, objectKey.name),
      offsets: startOffsetsToCommit({ startFrom: group.spec.startFrom, poll: observed.reading?.poll }),
    };
    const failure = await deps.execute.writeObjects({ ...planned, startOffsets }, group);
    if (failure !== undefined) planned = plan({ ...input, applyError: apiErrorMessage(failure) });
    const target = planTarget(observed);
    // The status and the Events say the same thing to different readers; neither waits for the other.
    const [statusWrite] = await Promise.allSettled([
      planned.status ? deps.execute.writeStatus(target, planned.status) : undefined,
      deps.execute.recordEvents(target, planned.events),
    ]);
    if (statusWrite.status === "rejected") throw statusWrite.reason;
    for (const line of planned.logs) deps.log[line.level](line.msg, { key, ...line.fields });
    if (planned.memory) memory.set(key, planned.memory);
    else memory.delete(key);
    if (planned.invalid !== undefined) throw new TerminalError(planned.invalid);
    if (failure !== undefined) throw failure;
    return planned.requeueAfterMs === undefined ? {} : { requeueAfterMs: planned.requeueAfterMs };
  }

  return {
    reconcile,
    forget: (key) => memory.delete(key),
    forgetAll: () => memory.clear(),
    *snapshots() {
      for (const remembered of memory.values()) if (remembered.snapshot) yield remembered.snapshot;
    },
  };
}
