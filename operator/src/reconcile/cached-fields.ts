// What a reconcile reads of each object it owns, and so all the watch caches keep of it: the metadata (the
// spec-hash annotation, the owner, the generation), and of a Deployment its replicas, its Pod template's
// annotations and its status. A ConfigMap's data or a Pod spec is written by us and never read back, and at
// 1,000 groups the full copies would be most of the operator's memory.
import type * as k8s from "@kubernetes/client-node";

/** The metadata fields a reconcile reads (or the cache needs: resourceVersion orders copies). */
function keptMetadata(metadata: k8s.V1ObjectMeta | undefined): k8s.V1ObjectMeta {
  if (!metadata) return {};
  const { name, namespace, uid, resourceVersion, generation, annotations, labels, ownerReferences } = metadata;
  const { deletionTimestamp } = metadata;
  return { name, namespace, uid, resourceVersion, generation, annotations, labels, ownerReferences, deletionTimestamp };
}

const METADATA_ONLY = new Set(["ConfigMap", "Service", "PodDisruptionBudget"]);

/** The part of an object the caches keep; a KafkaConsumerGroup (spec and status read) is kept whole. */
export function keptFields(kind: string, object: k8s.KubernetesObject): k8s.KubernetesObject {
  const kept = { apiVersion: object.apiVersion, kind: object.kind, metadata: keptMetadata(object.metadata) };
  if (METADATA_ONLY.has(kind)) return kept;
  if (kind !== "Deployment") return object;
  const deployment = object as k8s.V1Deployment;
  const spec = {
    replicas: deployment.spec?.replicas,
    template: { metadata: { annotations: deployment.spec?.template?.metadata?.annotations } },
  };
  return { ...kept, spec, status: deployment.status } as k8s.V1Deployment;
}
