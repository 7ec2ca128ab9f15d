// Pure builders: a KafkaConsumerGroup (with its resolved settings) in, the objects it owns out. No clocks,
// no random names: the same input always gives the same objects, so re-applying them changes nothing.
import type * as k8s from "@kubernetes/client-node";
import { CONSUMER_CONTAINER } from "../../api/spec-template.ts";
import { CONFIG_HASH_ANNOTATION, canonicalJson, contentHash, SECRETS_HASH_ANNOTATION } from "../spec-hash.ts";
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

const binarySuffixes: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 };
const decimalSuffixes: Record<string, number> = { k: 1e3, M: 1e6, G: 1e9, T: 1e12 };

/** Bytes in a memory quantity such as 512Mi, 1G or 268435456; undefined when it cannot be read. */
export function memoryBytes(quantity: string | number | undefined): number | undefined {
  if (quantity === undefined) return undefined;
  const match = /^(\d+(?:\.\d+)?)([KMGT]i|[kMGT])?$/.exec(String(quantity));
  if (!match) return undefined;
  const unit = match[2] ? (binarySuffixes[match[2]] ?? decimalSuffixes[match[2]] ?? 1) : 1;
  return Number(match[1]) * unit;
}

/**
 * V8 sizes its heap from the machine, not the container: without a cap a busy consumer grows towards
 * its memory limit and is killed. Three quarters of the limit leaves room for buffers and native memory.
 */
export function heapCapOption(resources: k8s.V1ResourceRequirements): k8s.V1EnvVar[] {
  const limit = memoryBytes(resources.limits?.memory as string | undefined);
  if (limit === undefined) return [];
  const megabytes = Math.max(64, Math.floor((limit * 0.75) / 2 ** 20));
  return [{ name: "NODE_OPTIONS", value: `--max-old-space-size=${megabytes}` }];
}

/** The user's variables win over ours by name (a list with one name twice is refused by server-side apply). */
function withUserEnv(ours: k8s.V1EnvVar[], theirs: k8s.V1EnvVar[]): k8s.V1EnvVar[] {
  const names = new Set(theirs.map((v) => v.name));
  return [...ours.filter((v) => !names.has(v.name)), ...theirs];
}

export function desiredDeployment(context: RenderContext): k8s.V1Deployment {
  const { group, spec } = context;
  const names = objectNames(group.name);
  const template = spec.template ?? {};
  const configHash = contentHash(renderRuntimeConfig(context));
  const secrets = secretVolumes(context);
  const resources = (template.resources as k8s.V1ResourceRequirements | undefined) ?? defaultResources;
  const consumer: k8s.V1Container = {
    name: CONSUMER_CONTAINER,
    image: template.image ?? context.runtimeImage,
    ...(template.imagePullPolicy ? { imagePullPolicy: template.imagePullPolicy } : {}),
    env: withUserEnv(
      [
        { name: "LAGPILOT_CONFIG", value: `${CONFIG_DIR}/${CONFIG_FILE}` },
        { name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
        { name: "POD_NAMESPACE", valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } } },
        ...heapCapOption(resources),
      ],
      (template.env ?? []) as k8s.V1EnvVar[],
    ),
    ...(template.envFrom ? { envFrom: template.envFrom as k8s.V1EnvFromSource[] } : {}),
    ports: [{ name: "metrics", containerPort: METRICS_PORT, protocol: "TCP" }],
    // Liveness starts once this passes: a consumer starting on a busy node (loading its modules, a large
    // handler) gets up to three minutes instead of the liveness probe's thirty seconds before a restart.
    startupProbe: {
      httpGet: { path: "/healthz", port: "metrics" },
      periodSeconds: 2,
      timeoutSeconds: 3,
      failureThreshold: 90,
    },
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
    resources,
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
          annotations: {
            ...(template.annotations ?? {}),
            [CONFIG_HASH_ANNOTATION]: configHash,
            // The consumer reads its Secrets once, at start: a change of their content must restart it.
            ...(context.secretsHash ? { [SECRETS_HASH_ANNOTATION]: context.secretsHash } : {}),
          },
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
