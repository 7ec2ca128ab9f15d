// The whole KafkaConsumerGroup object as the operator validates it, and the rules that need the object's root
// (its name, or spec and status together).
import { z } from "zod";
import { API_VERSION, KIND } from "./group.ts";
import { type Rule, withRules } from "./rules.ts";
import { type KafkaConsumerGroupSpec, specSchema } from "./spec.ts";
import type { KafkaConsumerGroupStatus } from "./status.ts";

/** Longest name: it names the Deployment, the metrics Service and Pod label values, with room for suffixes. */
export const MAX_NAME_LENGTH = 55;

interface RootValue {
  metadata: { name: string };
  spec: KafkaConsumerGroupSpec;
}

export const rootRules: Rule<RootValue>[] = [
  {
    cel: `self.metadata.name.size() <= ${MAX_NAME_LENGTH} && self.metadata.name.matches('^[a-z]([-a-z0-9]*[a-z0-9])?$')`,
    message: `metadata.name must be a DNS label of at most ${MAX_NAME_LENGTH} characters starting with a letter: it names the consumer's Deployment and Service`,
    field: ["metadata", "name"],
    celAtRoot: true,
    holds: (object) => {
      const name = object.metadata.name;
      return name.length <= MAX_NAME_LENGTH && /^[a-z]([-a-z0-9]*[a-z0-9])?$/.test(name);
    },
  },
  {
    // Partitions never shrink, so a max below what a topic already has cannot be honoured. Checked only when the
    // max changes, so that status updates and topics grown by hand never make the object unwritable.
    cel:
      "!has(self.spec.autoscaling.partitions.max) || !has(self.status) || !has(self.status.topics)" +
      " || (has(oldSelf.spec.autoscaling.partitions.max) && oldSelf.spec.autoscaling.partitions.max == self.spec.autoscaling.partitions.max)" +
      " || self.status.topics.all(t, t.partitions <= self.spec.autoscaling.partitions.max)",
    message:
      "spec.autoscaling.partitions.max must not be below the partitions a topic already has (status.topics): partitions never shrink",
    field: ["spec", "autoscaling", "partitions", "max"],
  },
];

export const objectSchema = withRules(
  z.looseObject({
    apiVersion: z.literal(API_VERSION),
    kind: z.literal(KIND),
    metadata: z.looseObject({
      name: z.string().min(1).max(253),
      namespace: z.string().min(1).max(63).optional(),
      uid: z.string().optional(),
      generation: z.int().optional(),
      resourceVersion: z.string().optional(),
    }),
    spec: specSchema,
    status: z.unknown().optional(),
  }),
  rootRules,
);

export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  generation?: number;
  resourceVersion?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  creationTimestamp?: string;
  [key: string]: unknown;
}

/** A KafkaConsumerGroup as read from the apiserver, after validation (defaults applied). */
export interface KafkaConsumerGroup {
  apiVersion: typeof API_VERSION;
  kind: typeof KIND;
  metadata: ObjectMeta;
  spec: KafkaConsumerGroupSpec;
  status?: KafkaConsumerGroupStatus;
}
