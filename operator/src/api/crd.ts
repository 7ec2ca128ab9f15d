// Builds the CustomResourceDefinition from the zod schema: structural schema with defaults and CEL rules, status
// and scale subresources, printer columns. Pure; generate.ts writes it to crds/.
import { CATEGORIES, CRD_NAME, GROUP, KIND, LIST_KIND, PLURAL, SHORT_NAMES, SINGULAR, VERSION } from "./group.ts";
import { rootRules } from "./object.ts";
import { type JsonSchema, toStructuralSchema } from "./openapi.ts";
import { toCelValidation } from "./rules.ts";
import { specSchema } from "./spec.ts";
import { statusSchema } from "./status.ts";

export interface PrinterColumn {
  name: string;
  type: "string" | "integer" | "number" | "boolean" | "date";
  jsonPath: string;
  description: string;
  priority?: number;
}

export const printerColumns: PrinterColumn[] = [
  { name: "Tier", type: "string", jsonPath: ".status.resolved.tier", description: "Tier in use." },
  { name: "Replicas", type: "integer", jsonPath: ".status.replicas", description: "Consumer Pods that exist." },
  { name: "Ready", type: "integer", jsonPath: ".status.readyReplicas", description: "Consumer Pods that are ready." },
  {
    name: "Partitions",
    type: "integer",
    jsonPath: ".status.partitions",
    description: "Partitions across the topics.",
  },
  { name: "Lag", type: "integer", jsonPath: ".status.totalLag", description: "Messages waiting." },
  { name: "Lag(s)", type: "number", jsonPath: ".status.lagSeconds", description: "Seconds behind the newest message." },
  {
    name: "Status",
    type: "string",
    jsonPath: '.status.conditions[?(@.type=="Ready")].reason',
    description: "Reason of the Ready condition.",
  },
  { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp", description: "Time since creation." },
  {
    name: "Desired",
    type: "integer",
    jsonPath: ".status.desiredReplicas",
    description: "Replicas the operator wants.",
    priority: 1,
  },
  { name: "Profile", type: "string", jsonPath: ".status.resolved.profile", description: "Profile.", priority: 1 },
  {
    name: "Group",
    type: "string",
    jsonPath: ".status.resolved.groupId",
    description: "Kafka consumer group id.",
    priority: 1,
  },
  {
    name: "Last Scale",
    type: "string",
    jsonPath: ".status.lastScaleReason",
    description: "Why replicas or partitions last changed.",
    priority: 1,
  },
];

/** Fields `kubectl get kcg --field-selector` can filter on. */
export const selectableFields = [".spec.paused", ".spec.tier", ".spec.profile"];

export function openApiSchema(): JsonSchema {
  return {
    description:
      "KafkaConsumerGroup runs a Kafka consumer group as a Deployment that Lagpilot tunes and scales from the lag " +
      "it observes.",
    type: "object",
    required: ["spec"],
    properties: {
      apiVersion: { description: `API version: ${GROUP}/${VERSION}.`, type: "string" },
      kind: { description: `Kind: ${KIND}.`, type: "string" },
      metadata: { type: "object" },
      spec: toStructuralSchema(specSchema),
      status: toStructuralSchema(statusSchema),
    },
    "x-kubernetes-validations": rootRules.map(toCelValidation),
  };
}

export function buildCrd() {
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: {
      name: CRD_NAME,
      labels: { "app.kubernetes.io/name": "lagpilot", "app.kubernetes.io/part-of": "lagpilot" },
    },
    spec: {
      group: GROUP,
      scope: "Namespaced",
      names: {
        kind: KIND,
        listKind: LIST_KIND,
        plural: PLURAL,
        singular: SINGULAR,
        shortNames: SHORT_NAMES,
        categories: CATEGORIES,
      },
      versions: [
        {
          name: VERSION,
          served: true,
          storage: true,
          subresources: {
            status: {},
            scale: {
              specReplicasPath: ".spec.replicas",
              statusReplicasPath: ".status.replicas",
              labelSelectorPath: ".status.selector",
            },
          },
          additionalPrinterColumns: printerColumns,
          selectableFields: selectableFields.map((jsonPath) => ({ jsonPath })),
          schema: { openAPIV3Schema: openApiSchema() },
        },
      ],
    },
  };
}
