// Keys of the work queue ("namespace/name") and the mapping of owned objects back to their owner's key.
import type * as k8s from "@kubernetes/client-node";

export interface ObjectKey {
  namespace: string;
  name: string;
}

export function formatKey(key: ObjectKey): string {
  return `${key.namespace}/${key.name}`;
}

export function parseKey(key: string): ObjectKey {
  const slash = key.indexOf("/");
  return { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

export function keyOf(object: k8s.KubernetesObject): string {
  return formatKey({ namespace: object.metadata?.namespace ?? "", name: object.metadata?.name ?? "" });
}

/** The key of the controlling owner of the given kind, if any. */
export function ownerKey(object: k8s.KubernetesObject, ownerKind: string, ownerGroup: string): string | undefined {
  const owner = object.metadata?.ownerReferences?.find(
    (ref) => ref.kind === ownerKind && ref.apiVersion.startsWith(`${ownerGroup}/`) && ref.controller,
  );
  return owner ? formatKey({ namespace: object.metadata?.namespace ?? "", name: owner.name }) : undefined;
}
