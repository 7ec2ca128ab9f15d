// spec.alerts: this group's thresholds for the alert rules the chart ships. The operator exports them as metrics so
// that one set of rules serves every group.
import { z } from "zod";

export const alertSeverities = ["warning", "critical"] as const;

export const alertsSpec = z
  .strictObject({
    enabled: z.boolean().default(true).describe("Alert on this group. False silences every rule for it."),
    forSeconds: z
      .int()
      .min(0)
      .max(86_400)
      .default(300)
      .describe("How long a threshold must be crossed before an alert fires."),
    severity: z.enum(alertSeverities).default("warning").describe("Severity label of this group's alerts."),
    lagSeconds: z
      .int()
      .min(1)
      .max(604_800)
      .optional()
      .describe("Alert when the group is this many seconds behind. Default: spec.lag.maxSeconds."),
    minMessagesPerSecond: z
      .number()
      .min(0)
      .max(100_000_000)
      .optional()
      .describe("Alert when throughput falls below this while messages are waiting. Unset: no throughput alert."),
    p99ProcessingMs: z
      .int()
      .min(1)
      .max(3_600_000)
      .default(500)
      .describe("Alert when the 99th percentile of handler time exceeds this."),
    errorRatePercent: z
      .number()
      .min(0)
      .max(100)
      .default(5)
      .describe("Alert when more than this percentage of handled messages fail."),
    deadLettersPerMinute: z
      .number()
      .min(0)
      .max(1_000_000)
      .default(1)
      .describe("Alert when messages go to the dead-letter topic faster than this."),
  })
  .describe("Thresholds of this group's alerts (lag, throughput, latency, errors, dead letters).");

export type AlertsSpec = z.output<typeof alertsSpec>;
