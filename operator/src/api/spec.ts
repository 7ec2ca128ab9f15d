// spec of a KafkaConsumerGroup: assembled from its sections, plus the rules that span sections.
import { z } from "zod";
import { topicName, uniqueList } from "./fields.ts";
import { batchingTiers, profileNames, profiles, profilesWithBatchingTier, tierNames } from "./profiles.ts";
import { celStrings, withRules } from "./rules.ts";
import { alertsSpec } from "./spec-alerts.ts";
import { batchSpec, consumerSpec } from "./spec-consumer.ts";
import { kafkaSpec } from "./spec-kafka.ts";
import { processingSpec } from "./spec-processing.ts";
import { autoscalingSpec, lagSpec } from "./spec-scaling.ts";
import { templateSpec } from "./spec-template.ts";

const profileList = profileNames.map((name) => `${name}: ${profiles[name].summary}`).join(" ");

const specObject = z
  .strictObject({
    kafka: kafkaSpec,
    groupId: z
      .string()
      .min(1)
      .max(255)
      .regex(/^[a-zA-Z0-9._-]+$/, "a consumer group id uses only letters, digits, '.', '_' and '-'")
      .optional()
      .describe(
        "Kafka consumer group id. Default <namespace>.<name>. Cannot change once the object exists: a new id " +
          "starts consumption over as a new group.",
      ),
    topics: uniqueList(topicName(), 1, 100).describe("Topics the group consumes; at least one."),
    startFrom: z
      .enum(["earliest", "latest"])
      .default("latest")
      .describe(
        "Where the group starts on a topic it has no committed offsets on: the oldest retained message or the next new one. Partitions added later to a topic the group already reads (partition growth) start at their first message whatever this says, so nothing written to them is skipped. Under the consumer group protocol the start positions follow the same rule for consumers started once the group has commits on all its topics (the operator commits them for a new group before its consumers start), but growth itself is not yet safe there (see the README's known limits).",
      ),
    tier: z
      .enum(tierNames)
      .optional()
      .describe(
        "How the consumer runs. Standard: one message at a time, lowest latency. Buffered: batches (spec.batch), " +
          "more throughput. Dedicated: fetching off the handler's event loop, for maximum throughput. " +
          "Default: the profile's tier, else Standard.",
      ),
    batch: batchSpec.optional(),
    profile: z
      .enum(profileNames)
      .optional()
      .describe(
        `Preset of tuned settings for a kind of workload; any value set in the spec wins over it, and ` +
          `status.resolved shows the result. ${profileList}`,
      ),
    consumer: consumerSpec.optional(),
    processing: processingSpec,
    lag: lagSpec.prefault({}),
    replicas: z
      .int()
      .min(0)
      .max(1000)
      .default(1)
      .describe(
        "Consumer Pods when autoscaling is off; `kubectl scale` sets it. While autoscaling.enabled is true the " +
          "autoscaler decides the count and a change of replicas is refused.",
      ),
    autoscaling: autoscalingSpec.prefault({}),
    template: templateSpec.optional(),
    alerts: alertsSpec.prefault({}),
    paused: z
      .boolean()
      .default(false)
      .describe("Stop changing the consumer's objects (status is still reported). Consumers keep running."),
  })
  .describe("Desired state of the consumer group.");

type SpecValue = z.output<typeof specObject>;

/** Profiles that commit after every batch; an intervalMs under them would be ignored. */
const profilesCommittingPerBatch = profileNames.filter((name) => profiles[name].commit?.mode === "batch");

/** The tier a spec ends up with, in CEL: the same precedence as resolve.ts. */
const celUsesBatchingTier = `(has(self.tier) ? self.tier in ${celStrings(batchingTiers)} : (has(self.profile) && self.profile in ${celStrings(profilesWithBatchingTier())}))`;

function usesBatchingTier(spec: SpecValue): boolean {
  const tier = spec.tier ?? (spec.profile ? profiles[spec.profile].tier : undefined) ?? "Standard";
  return batchingTiers.includes(tier);
}

export const specSchema = withRules(specObject, [
  {
    cel: `!has(self.batch) || ${celUsesBatchingTier}`,
    message:
      "batch applies only to the Buffered and Dedicated tiers: set tier to Buffered or Dedicated, or remove batch",
    field: ["batch"],
    reason: "FieldValueForbidden",
    holds: (spec) => spec.batch === undefined || usesBatchingTier(spec),
  },
  {
    cel: "!has(self.processing.deadLetter) || !(self.processing.deadLetter.topic in self.topics)",
    message: "processing.deadLetter.topic must not be one of topics: failed messages would be consumed again",
    field: ["processing", "deadLetter", "topic"],
    holds: (spec) => !spec.processing.deadLetter || !spec.topics.includes(spec.processing.deadLetter.topic),
  },
  {
    cel: "!has(self.processing.handler.builtin) || !has(self.processing.handler.builtin.topic) || !(self.processing.handler.builtin.topic in self.topics)",
    message: "processing.handler.builtin.topic must not be one of topics: forwarded messages would loop",
    field: ["processing", "handler", "builtin", "topic"],
    holds: (spec) => {
      const topic = spec.processing.handler.builtin?.topic;
      return topic === undefined || !spec.topics.includes(topic);
    },
  },
  {
    cel: "!has(self.autoscaling.partitions.keyedTopics) || self.autoscaling.partitions.keyedTopics.all(t, t in self.topics)",
    message: "autoscaling.partitions.keyedTopics must list only topics of this group (spec.topics)",
    field: ["autoscaling", "partitions", "keyedTopics"],
    holds: (spec) => (spec.autoscaling.partitions.keyedTopics ?? []).every((t) => spec.topics.includes(t)),
  },
  {
    cel: `!has(self.processing.commit) || !has(self.processing.commit.intervalMs) || has(self.processing.commit.mode) || !has(self.profile) || !(self.profile in ${celStrings(profilesCommittingPerBatch)})`,
    message: `processing.commit.intervalMs applies only to mode interval, and profile ${profilesCommittingPerBatch.join(", ")} commits after every batch: set processing.commit.mode to interval, or remove intervalMs`,
    field: ["processing", "commit", "intervalMs"],
    reason: "FieldValueForbidden",
    holds: (spec) => {
      const commit = spec.processing.commit;
      if (commit?.intervalMs === undefined || commit.mode !== undefined || spec.profile === undefined) return true;
      return !profilesCommittingPerBatch.includes(spec.profile);
    },
  },
  {
    cel: "!self.autoscaling.enabled || !has(oldSelf.replicas) || self.replicas == oldSelf.replicas",
    message:
      "replicas cannot change while autoscaling.enabled is true (kubectl scale included): the autoscaler sets the count between autoscaling.minReplicas and maxReplicas; change those, or set autoscaling.enabled to false",
    field: ["replicas"],
    reason: "FieldValueForbidden",
  },
  {
    cel: "has(self.groupId) == has(oldSelf.groupId) && (!has(self.groupId) || self.groupId == oldSelf.groupId)",
    message:
      "groupId cannot be set, changed or removed after creation: a new id starts consumption over; create a new KafkaConsumerGroup instead",
    field: ["groupId"],
    reason: "FieldValueForbidden",
  },
]);

export type KafkaConsumerGroupSpec = z.output<typeof specSchema>;
export type KafkaConsumerGroupSpecInput = z.input<typeof specSchema>;
