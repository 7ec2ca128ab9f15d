// Names and labels of the objects made for a KafkaConsumerGroup. Label values are at most 63 characters,
// so a long group name is shortened with a hash suffix that keeps it unique.
import { createHash } from "node:crypto";
import type * as k8s from "@kubernetes/client-node";
import { API_VERSION, KIND } from "../../api/group.ts";
import type { GroupIdentity } from "./context.ts";

export const GROUP_LABEL = "lagpilot.dev/consumer-group";
export const MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
export const MANAGED_BY = "lagpilot";
export const METRICS_PORT = 8080;
export const CONFIG_FILE = "config.json";
export const CONFIG_DIR = "/etc/lagpilot";

export function labelValue(value: string): string {
  if (value.length <= 63) return value;
  const hash = createHash("sha256").update(value).digest("hex").slice(0, 8);
  return `${value.slice(0, 54).replace(/[-_.]+$/, "")}-${hash}`;
}

export function objectNames(name: string) {
  return {
    deployment: `${name}-consumer`,
    configMap: `${name}-consumer-config`,
    service: `${name}-consumer-metrics`,
    pdb: `${name}-consumer`,
  };
}

export function selectorLabels(group: GroupIdentity): Record<string, string> {
  return { [GROUP_LABEL]: labelValue(group.name) };
}

export function commonLabels(group: GroupIdentity): Record<string, string> {
  return {
    ...selectorLabels(group),
    "app.kubernetes.io/name": "lagpilot-consumer",
    "app.kubernetes.io/instance": labelValue(group.name),
    "app.kubernetes.io/component": "consumer",
    [MANAGED_BY_LABEL]: MANAGED_BY,
  };
}

export function ownerReference(group: GroupIdentity): k8s.V1OwnerReference {
  return {
    apiVersion: API_VERSION,
    kind: KIND,
    name: group.name,
    uid: group.uid,
    controller: true,
    blockOwnerDeletion: true,
  };
}

export function objectMeta(group: GroupIdentity, name: string): k8s.V1ObjectMeta {
  return { name, namespace: group.namespace, labels: commonLabels(group), ownerReferences: [ownerReference(group)] };
}
