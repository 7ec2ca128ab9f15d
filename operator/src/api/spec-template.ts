// spec.template: the part of the consumer Pod a team controls. The operator owns the rest (command, config, probes,
// security context) and merges this overlay in.
import { z } from "zod";
import { objectName, quantity, stringMap } from "./fields.ts";
import { withRules } from "./rules.ts";

/** Name of the container that runs the consumer runtime; extra containers must not take it. */
export const CONSUMER_CONTAINER = "consumer";
/** Label and annotation prefix the operator reserves for its own bookkeeping. */
export const RESERVED_PREFIX = "lagpilot.dev/";

const containerName = z
  .string()
  .min(1)
  .max(63)
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "a lowercase DNS label");

const resourceList = z.record(z.string().min(1).max(253), quantity());

const envVar = z.strictObject({
  name: z.string().min(1).max(1024).describe("Variable name."),
  value: z.string().max(1_048_576).optional().describe("Literal value."),
  valueFrom: z
    .looseObject({})
    .optional()
    .describe("Value from a Secret, ConfigMap or field (as in a Pod's env[].valueFrom)."),
});

const toleration = z.strictObject({
  key: z.string().max(317).optional().describe("Taint key; empty with operator Exists matches every taint."),
  operator: z.enum(["Exists", "Equal"]).optional().describe("Exists or Equal (default)."),
  value: z.string().max(63).optional().describe("Taint value, for operator Equal."),
  effect: z
    .enum(["NoSchedule", "PreferNoSchedule", "NoExecute"])
    .optional()
    .describe("Taint effect to match; empty matches all."),
  tolerationSeconds: z.int().min(0).optional().describe("NoExecute: how long the Pod stays once tainted."),
});

const extraContainer = z.looseObject({
  name: containerName.describe(`Container name; not "${CONSUMER_CONTAINER}", which the consumer uses.`),
  image: z
    .string()
    .min(1)
    .max(512)
    .regex(/^\S+$/, "an image reference has no spaces: remove the spaces around or inside it")
    .describe("Container image."),
});

const volumeMount = z.strictObject({
  name: z.string().min(1).max(63).describe("Name of a volume in spec.template.volumes."),
  mountPath: z.string().min(1).max(4096).describe("Where the volume appears in the consumer container."),
  readOnly: z.boolean().optional().describe("Mount read-only."),
  subPath: z.string().max(4096).optional().describe("Sub-path of the volume to mount."),
});

const reservedKeys = (map: Record<string, string> | undefined) =>
  Object.keys(map ?? {}).every((key) => !key.startsWith(RESERVED_PREFIX));

export const templateSpec = withRules(
  z
    .strictObject({
      image: z
        .string()
        .min(1)
        .max(512)
        .regex(/^\S+$/, "an image reference has no spaces: remove the spaces around or inside it")
        .optional()
        .describe(
          "Image of the consumer container: the consumer runtime, plus the handler module when one is used. " +
            "Default: the runtime image the operator was installed with.",
        ),
      imagePullPolicy: z
        .enum(["Always", "IfNotPresent", "Never"])
        .optional()
        .describe("When to pull the image; Kubernetes' default applies when unset."),
      imagePullSecrets: z
        .array(z.strictObject({ name: objectName().describe("Name of a registry credentials Secret.") }))
        .max(20)
        .optional()
        .describe("Secrets with credentials for private registries."),
      resources: z
        .strictObject({
          requests: resourceList.optional().describe("Guaranteed resources, e.g. cpu: 250m, memory: 256Mi."),
          limits: resourceList.optional().describe("Resource ceilings, e.g. memory: 512Mi."),
        })
        .optional()
        .describe("CPU and memory of the consumer container."),
      env: z
        .array(envVar)
        .max(200)
        .optional()
        .meta({ "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"] })
        .describe("Extra environment variables of the consumer container."),
      envFrom: z
        .array(z.looseObject({}))
        .max(50)
        .optional()
        .describe("Environment from ConfigMaps or Secrets (as in a Pod's envFrom)."),
      labels: stringMap(64, 63).optional().describe("Labels added to the Pods; keys under lagpilot.dev/ are reserved."),
      annotations: stringMap(64, 65_536)
        .optional()
        .describe("Annotations added to the Pods; keys under lagpilot.dev/ are reserved."),
      nodeSelector: stringMap(32, 63).optional().describe("Node labels the Pods must run on."),
      tolerations: z.array(toleration).max(50).optional().describe("Taints the Pods tolerate."),
      affinity: z.looseObject({}).optional().describe("Node and Pod affinity, as in a Pod's spec.affinity."),
      topologySpreadConstraints: z
        .array(z.looseObject({}))
        .max(20)
        .optional()
        .describe("How Pods spread across zones or nodes, as in a Pod's spec.topologySpreadConstraints."),
      serviceAccountName: objectName().optional().describe("Service account the Pods run as."),
      priorityClassName: objectName().optional().describe("Priority class of the Pods."),
      terminationGracePeriodSeconds: z
        .int()
        .min(0)
        .max(3600)
        .optional()
        .describe(
          "Time a stopping Pod gets to finish in-flight messages and commit before it is killed. Kubernetes' " +
            "default (30) applies when unset.",
        ),
      containers: z
        .array(extraContainer)
        .max(20)
        .optional()
        .meta({ "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"] })
        .describe("Extra containers in each Pod, e.g. the sidecar an http handler calls (full container specs)."),
      volumes: z
        .array(z.looseObject({ name: z.string().min(1).max(63).describe("Volume name.") }))
        .max(50)
        .optional()
        .meta({ "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"] })
        .describe("Volumes of the Pod (as in a Pod's spec.volumes), for extra containers or volumeMounts."),
      volumeMounts: z.array(volumeMount).max(50).optional().describe("Volumes mounted into the consumer container."),
    })
    .describe("Overlay of the consumer Pods: image, resources, environment, scheduling, extra containers."),
  [
    {
      cel: `!has(self.containers) || self.containers.all(c, c.name != '${CONSUMER_CONTAINER}')`,
      message: `template.containers must not use the name "${CONSUMER_CONTAINER}": the consumer container has it`,
      field: ["containers"],
      holds: (t) => (t.containers ?? []).every((c) => c.name !== CONSUMER_CONTAINER),
    },
    {
      cel: `!has(self.labels) || self.labels.all(k, !k.startsWith('${RESERVED_PREFIX}'))`,
      message: `template.labels must not use keys under ${RESERVED_PREFIX}: the operator sets those`,
      field: ["labels"],
      holds: (t) => reservedKeys(t.labels),
    },
    {
      cel: `!has(self.annotations) || self.annotations.all(k, !k.startsWith('${RESERVED_PREFIX}'))`,
      message: `template.annotations must not use keys under ${RESERVED_PREFIX}: the operator sets those`,
      field: ["annotations"],
      holds: (t) => reservedKeys(t.annotations),
    },
  ],
);

export type TemplateSpec = z.output<typeof templateSpec>;
