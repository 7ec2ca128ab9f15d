// Status conditions as Kubernetes API conventions describe them. lastTransitionTime moves only when the
// status flips, so a reconcile that finds nothing new produces an identical status (and no write).
export type ConditionStatus = "True" | "False" | "Unknown";

export interface Condition {
  type: string;
  status: ConditionStatus;
  reason: string;
  message: string;
  lastTransitionTime: string;
  observedGeneration: number;
}

export type ConditionUpdate = Omit<Condition, "lastTransitionTime">;

export function setCondition(existing: readonly Condition[], update: ConditionUpdate, now: Date): Condition[] {
  const previous = existing.find((c) => c.type === update.type);
  const lastTransitionTime =
    previous && previous.status === update.status ? previous.lastTransitionTime : now.toISOString();
  const next: Condition = { ...update, lastTransitionTime };
  const others = existing.filter((c) => c.type !== update.type);
  return [...others, next].sort((a, b) => a.type.localeCompare(b.type));
}

export function setConditions(existing: readonly Condition[], updates: ConditionUpdate[], now: Date): Condition[] {
  return updates.reduce((conditions, update) => setCondition(conditions, update, now), [...existing]);
}

export function findCondition(conditions: readonly Condition[] | undefined, type: string): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}
