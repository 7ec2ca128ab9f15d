// spec.processing: what runs for each message (the handler), how many at once, in what order, and what happens
// to failures. The runtime's own config mirrors these fields.
import { z } from "zod";
import { topicName } from "./fields.ts";
import { commitModes } from "./profiles.ts";
import { withRules } from "./rules.ts";

export const builtinHandlerNames = ["noop", "log", "forward-to-topic", "simulate-work"] as const;
export const orderingModes = ["partition", "key", "none"] as const;

/** A module handler's deadline when neither the spec nor the profile sets one. */
export const defaultModuleTimeoutMs = 60_000;

const moduleHandler = z
  .strictObject({
    path: z
      .string()
      .min(2)
      .max(1024)
      .regex(/^\/\S+$/, "an absolute path inside the image, e.g. /app/handler.js")
      .describe(
        "Absolute path, inside the image, of an ES module exporting handleMessage(message) or handleBatch(messages).",
      ),
    timeoutMs: z
      .int()
      .min(1)
      .max(3_600_000)
      .optional()
      .describe(
        "Time allowed for one call of handleBatch (a whole batch) or handleMessage (one message). A call still " +
          "running after it counts as a failure: retried, then dead-lettered, and the partition moves on (the " +
          `late call is left to finish). Default ${defaultModuleTimeoutMs}; profile ai-inference: 900000.`,
      ),
  })
  .describe("A handler module shipped in the consumer image (spec.template.image).");

const httpHandler = z
  .strictObject({
    url: z
      .string()
      .min(8)
      .max(2048)
      .regex(/^https?:\/\/\S+$/, "an http:// or https:// URL")
      .describe("URL that receives each batch as a JSON POST, e.g. http://localhost:8081/handle for a sidecar."),
    timeoutMs: z
      .int()
      .min(1)
      .max(600_000)
      .default(5000)
      .describe("Time allowed per request; a timeout or a non-2xx answer counts as a failure (and is retried)."),
    encoding: z
      .enum(["utf8", "base64"])
      .default("utf8")
      .describe("How message keys, values and header values are written in the JSON body: utf8 text or base64."),
  })
  .describe("An HTTP endpoint, typically a sidecar container declared in spec.template.containers.");

const builtinHandler = withRules(
  z
    .strictObject({
      name: z
        .enum(builtinHandlerNames)
        .describe(
          "noop (consume and commit), log (print each message), forward-to-topic (copy to topic), " +
            "simulate-work (spend workMs per message; for demos and load tests).",
        ),
      topic: topicName().optional().describe("forward-to-topic: the topic messages are copied to."),
      workMs: z.number().min(0).max(60_000).optional().describe("simulate-work: milliseconds spent per message."),
      workKind: z
        .enum(["cpu", "sleep"])
        .optional()
        .describe("simulate-work: burn CPU (blocks the event loop) or sleep (waits like I/O). Default cpu."),
    })
    .describe("A handler built into the consumer runtime."),
  [
    {
      cel: "self.name != 'forward-to-topic' || has(self.topic)",
      message: "processing.handler.builtin.topic is required when name is forward-to-topic",
      field: ["topic"],
      reason: "FieldValueRequired",
      holds: (h) => h.name !== "forward-to-topic" || h.topic !== undefined,
    },
  ],
);

const handler = withRules(
  z
    .strictObject({
      module: moduleHandler.optional(),
      http: httpHandler.optional(),
      builtin: builtinHandler.optional(),
    })
    .describe("What processes messages: exactly one of module, http or builtin."),
  [
    {
      cel: "(has(self.module) ? 1 : 0) + (has(self.http) ? 1 : 0) + (has(self.builtin) ? 1 : 0) == 1",
      message: "processing.handler must set exactly one of module, http or builtin",
      holds: (h) => [h.module, h.http, h.builtin].filter((kind) => kind !== undefined).length === 1,
    },
  ],
);

const commit = withRules(
  z
    .strictObject({
      mode: z
        .enum(commitModes)
        .optional()
        .describe(
          "batch: commit after every handled batch; interval: commit every intervalMs. Offsets are only " +
            "committed once every earlier message of the partition is done. Default interval (db-writer: batch).",
        ),
      intervalMs: z
        .int()
        .min(10)
        .max(600_000)
        .optional()
        .describe("interval mode: milliseconds between commits. Default 1000."),
    })
    .describe("When processed offsets are committed (at-least-once). Unset values come from the profile."),
  [
    {
      cel: "!has(self.intervalMs) || !has(self.mode) || self.mode == 'interval'",
      message: "processing.commit.intervalMs applies only to mode interval: remove it or set mode to interval",
      field: ["intervalMs"],
      reason: "FieldValueForbidden",
      holds: (c) => c.intervalMs === undefined || c.mode === undefined || c.mode === "interval",
    },
  ],
);

const retries = withRules(
  z
    .strictObject({
      max: z.int().min(0).max(100).default(3).describe("Attempts after the first failure before giving up."),
      backoffMs: z.int().min(0).max(600_000).default(100).describe("Wait before the first retry; doubles each time."),
      maxBackoffMs: z.int().min(0).max(3_600_000).default(10_000).describe("Longest wait between two attempts."),
    })
    .describe("Retries of a failed message, with exponential backoff, before it goes to the dead-letter topic."),
  [
    {
      cel: "self.backoffMs <= self.maxBackoffMs",
      message: "processing.retries.backoffMs must not exceed processing.retries.maxBackoffMs",
      field: ["backoffMs"],
      holds: (r) => r.backoffMs <= r.maxBackoffMs,
    },
  ],
);

export const processingSpec = z
  .strictObject({
    handler,
    concurrency: z
      .int()
      .min(1)
      .max(1024)
      .default(1)
      .describe("Handler calls in flight at once per replica, within the limits of the ordering mode."),
    ordering: z
      .enum(orderingModes)
      .default("partition")
      .describe(
        "partition: strict order within a partition; key: order kept per message key, parallel across keys; " +
          "none: no order.",
      ),
    commit: commit.optional(),
    retries: retries.prefault({}),
    deadLetter: z
      .strictObject({
        topic: topicName().describe("Topic receiving failed messages, with headers saying where and why they failed."),
      })
      .optional()
      .describe("Where a message goes after its last retry. Without it, the message is logged and skipped."),
  })
  .describe("How messages are processed.");

export type ProcessingSpec = z.output<typeof processingSpec>;
