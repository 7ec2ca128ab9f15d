// spec.lag and spec.autoscaling: the targets the group is held to, and how replicas and partitions may move.
import { z } from "zod";
import { topicName, uniqueList } from "./fields.ts";
import { withRules } from "./rules.ts";

export const keyedTopicPolicies = ["Recommend", "AcceptKeyMovement"] as const;

export const lagSpec = z
  .strictObject({
    maxSeconds: z
      .int()
      .min(1)
      .max(86_400)
      .default(30)
      .describe("Target for how far, in seconds, the group may be behind the newest message."),
    maxMessagesPerPartition: z
      .int()
      .min(1)
      .max(1_000_000_000)
      .default(1000)
      .describe(
        "Messages one partition may have waiting, beyond those in flight between two commits, and still be on target: LagWithinTarget turns False above it, and partition health counts lag under it as keeping up. Lag under it is no reason to add replicas while its oldest record is within maxSeconds; above it, the excess is a backlog that replicas are sized to drain within maxSeconds (once records are older than maxSeconds, all of them are).",
      ),
  })
  .describe(
    "Lag targets: autoscaling sizes replicas to keep the group within maxSeconds, and LagWithinTarget reports against both.",
  );

const scaleStep = (stabilizationSeconds: number, maxStep: number, direction: string) =>
  z
    .strictObject({
      stabilizationSeconds: z
        .int()
        .min(0)
        .max(3600)
        .default(stabilizationSeconds)
        .describe(
          direction === "up"
            ? "Recommendations must hold this long before replicas are added (0: at once)."
            : "Replicas are removed only to the highest count recommended over this window, to avoid flapping.",
        ),
      maxStep: z
        .int()
        .min(1)
        .max(1000)
        .default(maxStep)
        .describe(`Most replicas ${direction === "up" ? "added" : "removed"} by one decision.`),
    })
    .describe(`How fast replicas are ${direction === "up" ? "added" : "removed"}.`);

const partitions = withRules(
  z
    .strictObject({
      enabled: z
        .boolean()
        .default(false)
        .describe(
          "Grow topics' partitions when the replicas needed exceed the partition count; a group reading several topics grows each to its share of the arrivals. Partitions never shrink.",
        ),
      max: z
        .int()
        .min(1)
        .max(10_000)
        .optional()
        .describe(
          "Most partitions any topic may be grown to; required when enabled. Never below a topic's current count.",
        ),
      keyedTopics: uniqueList(topicName(), 0, 100)
        .optional()
        .describe(
          "Topics whose message keys decide ordering or placement. Adding partitions moves keys to other partitions.",
        ),
      keyedTopicPolicy: z
        .enum(keyedTopicPolicies)
        .default("Recommend")
        .describe(
          "For keyedTopics: Recommend (never grow; say in status what would help) or AcceptKeyMovement (grow anyway).",
        ),
      minIntervalSeconds: z
        .int()
        .min(0)
        .max(86_400)
        .default(600)
        .describe("Least time between two partition growths of the group's topics."),
      stabilizationSeconds: z
        .int()
        .min(0)
        .max(3600)
        .default(300)
        .describe(
          "The need for more partitions must hold this long before a topic is grown; it grows to the lowest " +
            "need seen over the window, so a spike that drains within it adds none.",
        ),
    })
    .describe("Partition growth, when replicas alone cannot keep up."),
  [
    {
      cel: "!self.enabled || has(self.max)",
      message: "autoscaling.partitions.max is required when partition growth is enabled",
      field: ["max"],
      reason: "FieldValueRequired",
      holds: (p) => !p.enabled || p.max !== undefined,
    },
  ],
);

export const autoscalingSpec = withRules(
  z
    .strictObject({
      enabled: z.boolean().default(false).describe("Scale replicas from lag. When false, spec.replicas is used."),
      minReplicas: z
        .int()
        .min(0)
        .max(1000)
        .default(1)
        .describe("Fewest replicas. 0 allows scaling to zero when the group is idle for cooldownSeconds."),
      maxReplicas: z.int().min(1).max(1000).default(10).describe("Most replicas."),
      activationLag: z
        .int()
        .min(0)
        .max(1_000_000_000)
        .default(0)
        .describe("Messages of lag above which a group scaled to zero starts again."),
      cooldownSeconds: z
        .int()
        .min(0)
        .max(86_400)
        .default(300)
        .describe("Idle time (no lag, no new messages) before scaling to zero; only with minReplicas 0."),
      lagPerReplica: z
        .int()
        .min(1)
        .max(1_000_000_000)
        .default(1000)
        .describe(
          "Messages of lag one replica is given before any throughput has been measured; after that, " +
            "replicas follow the measured rates.",
        ),
      pollIntervalSeconds: z
        .int()
        .min(1)
        .max(3600)
        .default(15)
        .describe("Time between two readings of the group's offsets and lag."),
      tolerancePercent: z
        .int()
        .min(0)
        .max(50)
        .default(10)
        .describe(
          "Changes of needed capacity within this percentage do not change replicas. At most 50: a wider band " +
            "would hold replicas at half or double what the lag needs.",
        ),
      scaleUp: scaleStep(0, 8, "up").prefault({}),
      scaleDown: scaleStep(300, 2, "down").prefault({}),
      partitions: partitions.prefault({}),
    })
    .describe("Lag-driven scaling of replicas and, when allowed, of partitions."),
  [
    {
      cel: "self.minReplicas <= self.maxReplicas",
      message: "autoscaling.minReplicas must not exceed autoscaling.maxReplicas",
      field: ["minReplicas"],
      holds: (a) => a.minReplicas <= a.maxReplicas,
    },
  ],
);

export type LagSpec = z.output<typeof lagSpec>;
export type AutoscalingSpec = z.output<typeof autoscalingSpec>;
