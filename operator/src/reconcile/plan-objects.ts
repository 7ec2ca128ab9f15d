// Which owned objects a reconcile must write: each desired object carries the hash of its content, and only
// an object that is missing or carries another hash is applied (all of them once per resync period, to
// revert hand edits). A PodDisruptionBudget that should no longer exist is deleted, if it is ours.
import type * as k8s from "@kubernetes/client-node";
import { KIND } from "../api/group.ts";
import type { RenderContext } from "./desired/context.ts";
import { desiredConfigMap, desiredDeployment, desiredPodDisruptionBudget, desiredService } from "./desired/objects.ts";
import type { OwnedObjects } from "./memory.ts";
import { contentHash, SPEC_HASH_ANNOTATION } from "./spec-hash.ts";

export interface ObjectRef {
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
}

export interface ObjectsPlan {
  /** Objects to server-side apply, in this order. */
  apply: k8s.KubernetesObject[];
  remove: ObjectRef[];
  /** The Deployment is created by this plan. */
  creates: boolean;
  /** The Deployment exists and its content changes. */
  updates: boolean;
}

/** Adds the spec-hash annotation computed over everything else we set. */
export function withSpecHash<T extends k8s.KubernetesObject>(desired: T): T {
  const hash = contentHash(desired);
  return {
    ...desired,
    metadata: {
      ...desired.metadata,
      annotations: { ...desired.metadata?.annotations, [SPEC_HASH_ANNOTATION]: hash },
    },
  };
}

const hashOf = (object: k8s.KubernetesObject | undefined) => object?.metadata?.annotations?.[SPEC_HASH_ANNOTATION];

export function planObjects(context: RenderContext, owned: OwnedObjects, resync: boolean): ObjectsPlan {
  const pdb = desiredPodDisruptionBudget(context);
  const pairs: [k8s.KubernetesObject, k8s.KubernetesObject | undefined][] = [
    [withSpecHash(desiredConfigMap(context)), owned.configMap],
    [withSpecHash(desiredDeployment(context)), owned.deployment],
    [withSpecHash(desiredService(context)), owned.service],
  ];
  if (pdb) pairs.push([withSpecHash(pdb), owned.pdb]);
  const apply = pairs
    .filter(([desired, current]) => resync || current === undefined || hashOf(current) !== hashOf(desired))
    .map(([desired]) => desired);
  const remove: ObjectRef[] = [];
  const ours = owned.pdb?.metadata?.ownerReferences?.some((ref) => ref.kind === KIND && ref.uid === context.group.uid);
  if (!pdb && owned.pdb && ours) {
    remove.push({
      apiVersion: "policy/v1",
      kind: "PodDisruptionBudget",
      namespace: context.group.namespace,
      name: owned.pdb.metadata?.name ?? "",
    });
  }
  const deployment = pairs[1]?.[0];
  return {
    apply,
    remove,
    creates: owned.deployment === undefined,
    updates: owned.deployment !== undefined && hashOf(owned.deployment) !== hashOf(deployment),
  };
}
