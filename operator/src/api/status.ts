// status of a KafkaConsumerGroup: written by the operator only (status subresource), read by kubectl, the
// scale subresource and dashboards.
import { z } from "zod";
import { timestamp } from "./fields.ts";
import { commitModes, groupProtocols, profileNames, tierNames } from "./profiles.ts";

export const conditionTypes = [
  "Ready",
  "Progressing",
  "KafkaReachable",
  "LagWithinTarget",
  "ScalingLimited",
  "Degraded",
] as const;
export type ConditionType = (typeof conditionTypes)[number];

/** Reasons of the Ready condition; `kubectl get kcg` shows the current one in its Status column. */
export const readyReasons = {
  /** Ready=True: every desired replica is ready and consuming. */
  consuming: "Consuming",
  /** Ready=True: scaled to zero while idle. */
  scaledToZero: "ScaledToZero",
  /** Ready=False: the spec breaks a rule; the message names the field. */
  invalidSpec: "InvalidSpec",
  /** Ready=False: the brokers cannot be reached with the spec's settings. */
  kafkaUnreachable: "KafkaUnreachable",
  /** Ready=False: Kafka answered, but a topic of spec.topics does not exist there. */
  topicsMissing: "TopicsMissing",
  /** Ready=False: a referenced Secret or key is missing. */
  secretMissing: "SecretMissing",
  /** Ready=False: the Deployment is rolling out or replicas are not ready yet. */
  rollingOut: "RollingOut",
  /** Ready=Unknown: spec.paused is true; nothing is changed. */
  paused: "Paused",
} as const;

const conditionReason = z
  .string()
  .min(1)
  .max(1024)
  .regex(/^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$/, "a CamelCase reason");

export const conditionSchema = z.strictObject({
  type: z
    .string()
    .min(1)
    .max(316)
    .describe(`Condition type: ${conditionTypes.join(", ")}.`),
  status: z.enum(["True", "False", "Unknown"]).describe("True, False or Unknown."),
  reason: conditionReason.describe("One CamelCase word saying why, for programs and the Status column."),
  message: z.string().max(32_768).describe("What happened and, when something is wrong, what to do."),
  lastTransitionTime: timestamp().describe("When status last changed."),
  observedGeneration: z.int().min(0).optional().describe("metadata.generation the condition was computed from."),
});
export type Condition = z.output<typeof conditionSchema>;

const rate = () => z.number().min(0);

const resolvedSchema = z
  .strictObject({
    groupId: z.string().describe("Kafka consumer group id in use."),
    tier: z.enum(tierNames).describe("Tier in use."),
    profile: z.enum(profileNames).optional().describe("Profile applied, if any."),
    batch: z
      .strictObject({
        size: z.int().describe("Messages per batch."),
        maxWaitMs: z.int().describe("Longest wait for a batch to fill, in milliseconds."),
      })
      .optional()
      .describe("Batching in use (batching tiers only)."),
    consumer: z
      .strictObject({
        // Optional: status written before the setting existed lacks it.
        groupProtocol: z
          .enum(groupProtocols)
          .optional()
          .describe("Kafka group protocol in use: consumer (KIP-848) or classic."),
        sessionTimeoutMs: z.int().describe("Session timeout in milliseconds."),
        heartbeatIntervalMs: z.int().describe("Heartbeat interval in milliseconds."),
        rebalanceTimeoutMs: z
          .int()
          .describe("Time members get to finish and rejoin during a rebalance, in milliseconds."),
        requestTimeoutMs: z.int().describe("Request timeout in milliseconds."),
        fetchMinBytes: z.int().describe("Fetch minimum bytes."),
        fetchMaxWaitMs: z.int().describe("Fetch maximum wait in milliseconds."),
        maxBytesPerPartition: z.int().describe("Maximum bytes per partition per fetch."),
        maxPollRecords: z.int().describe("Most messages of one partition held at once before its fetching pauses."),
      })
      .describe("Consumer settings in use."),
    moduleTimeoutMs: z
      .int()
      .optional()
      .describe("Deadline of one module handler call, in milliseconds (module handlers only)."),
    commit: z
      .strictObject({
        mode: z.enum(commitModes).describe("Commit mode."),
        intervalMs: z.int().describe("Commit interval in milliseconds (interval mode)."),
      })
      .describe("Commit settings in use."),
    sources: z
      .record(z.string(), z.enum(["spec", "profile", "default", "derived", "broker"]))
      .describe(
        "Where each value came from: spec, profile, default, derived (adjusted to satisfy another value, " +
          "e.g. a heartbeat of at most a third of the session timeout), or broker (chosen from what the Kafka " +
          "broker supports, e.g. the group protocol).",
      ),
  })
  .describe("The settings in use after merging spec, profile and defaults.");
export type ResolvedSettings = z.output<typeof resolvedSchema>;

/** Reasons of status.autoscaling.decisions: what happened, in one word. */
export const decisionReasons = [
  "ScaledUp",
  "ScaledDown",
  "ScaledToZero",
  "Activated",
  "Held",
  "DownstreamSaturated",
  "PartitionsGrown",
] as const;

const decisionSchema = z.strictObject({
  time: timestamp().describe("When the decision was made."),
  fromReplicas: z.int().min(0).describe("Replicas before."),
  toReplicas: z.int().min(0).describe("Replicas after (equal to fromReplicas for a hold or a partition growth)."),
  reason: z.enum(decisionReasons).describe(`What happened: ${decisionReasons.join(", ")}.`),
  cause: conditionReason
    .optional()
    .describe("The autoscaler's own reason, e.g. LagTarget, Throughput, HotPartition, ScaleToZero, PartitionsStuck."),
  message: z.string().max(1024).describe("The decision in words, with the figures it read."),
  figures: z
    .strictObject({
      lag: z.int().min(0).optional().describe("Messages waiting, over all partitions."),
      lagSeconds: z.number().min(0).optional().describe("Age of the oldest waiting message, in seconds."),
      arrivalRate: rate().optional().describe("Messages per second arriving on the partitions that drive scaling."),
      throughputPerReplica: rate()
        .optional()
        .describe("Messages per second one replica consumes, as learned from the group."),
      targetLagSeconds: z.number().min(0).optional().describe("The lag target in seconds (spec.lag.maxSeconds)."),
      partitions: z.int().min(0).optional().describe("Partitions across all topics."),
    })
    .describe("The figures the decision read."),
});
export type DecisionStatus = z.output<typeof decisionSchema>;

const learnedSchema = z
  .strictObject({
    throughputPerReplica: rate().optional().describe("Messages per second one replica consumes when it has work."),
    throughputMeasurements: z
      .int()
      .min(0)
      .optional()
      .describe("Saturated readings the throughput rests on; 0 while it is only a lower bound."),
    leadSeconds: z
      .number()
      .min(0)
      .optional()
      .describe("Seconds from a scale-up to the new replicas consuming (pod start and rebalance)."),
    leadMeasurements: z.int().min(0).optional().describe("Scale-ups the lead time rests on."),
    podStartSeconds: z
      .number()
      .min(0)
      .optional()
      .describe("Seconds a consumer Pod takes to start (not measured apart yet)."),
    rebalanceSeconds: z.number().min(0).optional().describe("Seconds a rebalance takes (not measured apart yet)."),
    stuckPartitions: z
      .array(
        z.strictObject({
          topic: z.string().max(249).describe("Topic name."),
          partition: z.int().min(0).describe("Partition number."),
          committedOffset: z.int().min(-1).describe("The committed offset it is stuck at (-1: none committed)."),
        }),
      )
      .max(100)
      .optional()
      .describe("Partitions seen stuck; they drive no scaling until their committed offset moves."),
    observedAt: timestamp().optional().describe("When these figures were last updated."),
  })
  .describe("What the autoscaler learned about the group, restored after an operator restart or a leader change.");
export type LearnedStatus = z.output<typeof learnedSchema>;

const autoscalingStatusSchema = z
  .strictObject({
    decisions: z
      .array(decisionSchema)
      .max(10)
      .optional()
      .describe("The last decisions that changed replicas or partitions, or withheld replicas, newest last."),
    learned: learnedSchema.optional(),
  })
  .describe("The autoscaler's recent decisions and what it learned (spec.autoscaling.enabled only).");
export type AutoscalingStatus = z.output<typeof autoscalingStatusSchema>;

export const statusSchema = z
  .strictObject({
    observedGeneration: z.int().min(0).optional().describe("metadata.generation the status reflects."),
    conditions: z
      .array(conditionSchema)
      .max(32)
      .optional()
      .meta({ "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["type"] })
      .describe(`Current state, one entry per type: ${conditionTypes.join(", ")}.`),
    replicas: z.int().min(0).optional().describe("Consumer Pods that exist."),
    readyReplicas: z.int().min(0).optional().describe("Consumer Pods that are ready."),
    desiredReplicas: z.int().min(0).optional().describe("Replicas the operator wants (autoscaling or spec.replicas)."),
    selector: z
      .string()
      .max(4096)
      .optional()
      .describe("Label selector of the consumer Pods, for the scale subresource."),
    partitions: z.int().min(0).optional().describe("Partitions across all topics."),
    topics: z
      .array(
        z.strictObject({
          name: z.string().describe("Topic name."),
          partitions: z.int().min(0).describe("Partitions of the topic."),
          lag: z.int().min(0).optional().describe("Messages waiting in the topic."),
          lagSeconds: z.number().min(0).optional().describe("Seconds the group is behind on the topic."),
        }),
      )
      .max(100)
      .optional()
      .describe("Per-topic partitions and lag."),
    totalLag: z.int().min(0).optional().describe("Messages waiting, over all partitions."),
    lagSeconds: z.number().min(0).optional().describe("Seconds the group is behind the newest message."),
    produceRate: rate().optional().describe("Messages per second arriving in the topics."),
    consumeRate: rate().optional().describe("Messages per second the group commits."),
    partitionHealth: z
      .strictObject({
        ok: z.int().min(0).describe("Partitions keeping up or catching up."),
        warn: z.int().min(0).describe("Partitions whose lag only grew over the window."),
        stall: z.int().min(0).describe("Partitions lagging while the committed offset does not move."),
        stop: z.int().min(0).describe("Partitions whose commits stopped."),
        rewind: z.int().min(0).describe("Partitions whose committed offset went backwards."),
      })
      .optional()
      .describe("Partitions per health state, from the recent commit history."),
    lastScaleTime: timestamp().optional().describe("When replicas or partitions last changed."),
    lastScaleReason: z.string().max(1024).optional().describe("Why they last changed, in words."),
    recommendations: z
      .array(
        z.strictObject({
          type: z.string().max(64).describe("What the recommendation is about, e.g. Partitions or MaxReplicas."),
          message: z.string().max(1024).describe('What to do, e.g. "raise partitions of orders to 24".'),
        }),
      )
      .max(20)
      .optional()
      .describe("Changes the operator cannot or may not make itself, that would help the group meet its targets."),
    resolved: resolvedSchema.optional(),
    autoscaling: autoscalingStatusSchema.optional(),
  })
  .describe("Observed state, written by the operator.");

export type KafkaConsumerGroupStatus = z.output<typeof statusSchema>;
