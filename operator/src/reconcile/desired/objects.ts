// Pure builders: a KafkaConsumerGroup (with its resolved settings) in, the objects it owns out. No clocks,
// no random names: the same input always gives the same objects, so re-applying them changes nothing.
import type * as k8s from "@kubernetes/client-node";
import { CONSUMER_CONTAINER } from "../../api/spec-template.ts";
import { CONFIG_HASH_ANNOTATION, canonicalJson, contentHash } from "../spec-hash.ts";
import type { RenderContext } from "./context.ts";
import { CONFIG_DIR, CONFIG_FILE, METRICS_PORT, objectMeta, objectNames, selectorLabels } from "./names.ts";
import { renderRuntimeConfig, SECRET_MOUNTS, terminationGraceSeconds } from "./runtime-config.ts";

export function desiredConfigMap(context: RenderContext): k8s.V1ConfigMap {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: objectMeta(context.group, objectNames(context.group.name).configMap),
    data: { [CONFIG_FILE]: `${JSON.stringify(JSON.parse(canonicalJson(renderRuntimeConfig(context))), null, 2)}\n` },
  };
}

const restrictedContainerSecurity: k8s.V1SecurityContext = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
  capabilities: { drop: ["ALL"] },
  seccompProfile: { type: "RuntimeDefault" },
};

function secretVolumes(context: RenderContext): { volumes: k8s.V1Volume[]; mounts: k8s.V1VolumeMount[] } {
  const { kafka } = context.spec;
  const volumes: k8s.V1Volume[] = [];
  const mounts: k8s.V1VolumeMount[] = [];
  const add = (name: string, secretName: string, mountPath: string) => {
    volumes.push({ name, secret: { secretName, defaultMode: 0o440 } });
    mounts.push({ name, mountPath, readOnly: true });
  };
  if (kafka.sasl) add("kafka-sasl", kafka.sasl.credentialsSecret.name, SECRET_MOUNTS.sasl);
  if (kafka.tls?.enabled && kafka.tls.caSecret) add("kafka-ca", kafka.tls.caSecret.name, SECRET_MOUNTS.ca);
  if (kafka.tls?.enabled && kafka.tls.clientCertSecret) {
    add("kafka-client-cert", kafka.tls.clientCertSecret.name, SECRET_MOUNTS.clientCert);
  }
  return { volumes, mounts };
}

const defaultResources: k8s.V1ResourceRequirements = {
  requests: { cpu: "100m", memory: "128Mi" },
  limits: { memory: "512Mi" },
};

export function desiredDeployment(context: RenderContext): k8s.V1Deployment {
  const { group, spec } = context;
  const names = objectNames(group.name);
  const template = spec.template ?? {};
  const configHash = contentHash(renderRuntimeConfig(context));
  const secrets = secretVolumes(context);
  const consumer: k8s.V1Container = {
    name: CONSUMER_CONTAINER,
    image: template.image ?? context.runtimeImage,
    ...(template.imagePullPolicy ? { imagePullPolicy: template.imagePullPolicy } : {}),
    env: [
      { name: "LAGPILOT_CONFIG", value: `${CONFIG_DIR}/${CONFIG_FILE}` },
      { name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
      { name: "POD_NAMESPACE", valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } } },
      ...((template.env ?? []) as k8s.V1EnvVar[]),
    ],
    ...(template.envFrom ? { envFrom: template.envFrom as k8s.V1EnvFromSource[] } : {}),
    ports: [{ name: "metrics", containerPort: METRICS_PORT, protocol: "TCP" }],
    livenessProbe: {
      httpGet: { path: "/healthz", port: "metrics" },
      periodSeconds: 10,
      timeoutSeconds: 3,
      failureThreshold: 3,
    },
    readinessProbe: {
      httpGet: { path: "/readyz", port: "metrics" },
      periodSeconds: 5,
      timeoutSeconds: 3,
      failureThreshold: 3,
    },
    resources: (template.resources as k8s.V1ResourceRequirements | undefined) ?? defaultResources,
    securityContext: restrictedContainerSecurity,
    volumeMounts: [
      { name: "config", mountPath: CONFIG_DIR, readOnly: true },
      { name: "tmp", mountPath: "/tmp" },
      ...secrets.mounts,
      ...((template.volumeMounts ?? []) as k8s.V1VolumeMount[]),
    ],
  };
  const podLabels = { ...(template.labels ?? {}), ...selectorLabels(group), ...objectMeta(group, "").labels };
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: objectMeta(group, names.deployment),
    spec: {
      replicas: context.replicas,
      revisionHistoryLimit: 3,
      selector: { matchLabels: selectorLabels(group) },
      // A new Pod joins before an old one leaves, so a rollout never drops below the desired capacity.
      strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      template: {
        metadata: {
          labels: podLabels,
          annotations: { ...(template.annotations ?? {}), [CONFIG_HASH_ANNOTATION]: configHash },
        },
        spec: {
          ...(template.serviceAccountName ? { serviceAccountName: template.serviceAccountName } : {}),
          automountServiceAccountToken: false,
          ...(template.priorityClassName ? { priorityClassName: template.priorityClassName } : {}),
          ...(template.nodeSelector ? { nodeSelector: template.nodeSelector } : {}),
          ...(template.tolerations ? { tolerations: template.tolerations as k8s.V1Toleration[] } : {}),
          ...(template.affinity ? { affinity: template.affinity as k8s.V1Affinity } : {}),
          ...(template.topologySpreadConstraints
            ? {
                topologySpreadConstraints:
                  template.topologySpreadConstraints as unknown as k8s.V1TopologySpreadConstraint[],
              }
            : {}),
          ...(template.imagePullSecrets
            ? { imagePullSecrets: template.imagePullSecrets as k8s.V1LocalObjectReference[] }
            : {}),
          terminationGracePeriodSeconds: terminationGraceSeconds(context),
          securityContext: {
            runAsNonRoot: true,
            runAsUser: 10001,
            runAsGroup: 10001,
            fsGroup: 10001,
            seccompProfile: { type: "RuntimeDefault" },
          },
          containers: [consumer, ...((template.containers ?? []) as k8s.V1Container[])],
          volumes: [
            { name: "config", configMap: { name: names.configMap } },
            { name: "tmp", emptyDir: { sizeLimit: "64Mi" } },
            ...secrets.volumes,
            ...((template.volumes ?? []) as k8s.V1Volume[]),
          ],
        },
      },
    },
  };
}

export function desiredService(context: RenderContext): k8s.V1Service {
  const { group } = context;
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: objectMeta(group, objectNames(group.name).service),
    spec: {
      // Headless: scrapers resolve the Pods behind it, and a group costs no cluster IP (they run out).
      type: "ClusterIP",
      clusterIP: "None",
      selector: selectorLabels(group),
      ports: [{ name: "metrics", port: METRICS_PORT, targetPort: "metrics", protocol: "TCP" }],
    },
  };
}

/** A PodDisruptionBudget only makes sense with more than one replica; undefined means "should not exist". */
export function desiredPodDisruptionBudget(context: RenderContext): k8s.V1PodDisruptionBudget | undefined {
  if (context.replicas <= 1) return undefined;
  const { group } = context;
  return {
    apiVersion: "policy/v1",
    kind: "PodDisruptionBudget",
    metadata: objectMeta(group, objectNames(group.name).pdb),
    spec: { maxUnavailable: 1, selector: { matchLabels: selectorLabels(group) } },
  };
}
