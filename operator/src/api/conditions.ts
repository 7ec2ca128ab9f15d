// Conditions as Kubernetes keeps them: one per type, lastTransitionTime moving only when status flips.
import type { Condition, ConditionType } from "./status.ts";

export interface ConditionUpdate {
  type: ConditionType;
  status: Condition["status"];
  reason: string;
  message: string;
  observedGeneration?: number;
}

export function findCondition(conditions: readonly Condition[] | undefined, type: ConditionType) {
  return conditions?.find((c) => c.type === type);
}

/** Returns the list with `update` applied; the input is not changed. */
export function setCondition(conditions: readonly Condition[] | undefined, update: ConditionUpdate, now: Date) {
  const list = [...(conditions ?? [])];
  const index = list.findIndex((c) => c.type === update.type);
  const previous = index === -1 ? undefined : list[index];
  const next: Condition = {
    type: update.type,
    status: update.status,
    reason: update.reason,
    message: update.message,
    lastTransitionTime:
      previous && previous.status === update.status ? previous.lastTransitionTime : toKubernetesTime(now),
  };
  if (update.observedGeneration !== undefined) next.observedGeneration = update.observedGeneration;
  if (index === -1) list.push(next);
  else list[index] = next;
  return list;
}

/** Kubernetes' wire format for times: RFC 3339 in UTC, whole seconds. */
export function toKubernetesTime(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}
