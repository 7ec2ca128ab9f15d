// In what order one reconcile's applies go out. Objects that do not depend on each other are sent together
// (one round trip instead of one each); the Deployment goes last, alone, because its Pods read the ConfigMap
// when they start: a rollout must never start Pods before the content they are rolled out for is stored.
import type * as k8s from "@kubernetes/client-node";

/** The kind that reads the others (its Pods mount the ConfigMap): it goes out after them. */
const LAST = "Deployment";

/** The applies grouped into phases: each phase's objects are written at once, a phase after the one before. */
export function writePhases(apply: readonly k8s.KubernetesObject[]): k8s.KubernetesObject[][] {
  const first = apply.filter((object) => object.kind !== LAST);
  const last = apply.filter((object) => object.kind === LAST);
  return [first, last].filter((phase) => phase.length > 0);
}
