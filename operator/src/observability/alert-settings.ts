// What a group's spec.alerts means for the chart's alert rules: the thresholds, in the units the rules compare
// with, whether the group alerts at all, at which severity, and after how long. Exported per group as metrics
// (observability/metrics.ts) so that one set of rules applies each group's own settings to it alone.
import type { AlertsSpec } from "../api/spec-alerts.ts";

/** The `alert` label of lagpilot_group_alert_threshold, one per threshold of spec.alerts. */
export const alertThresholdNames = [
  "lag_seconds",
  "min_messages_per_second",
  "p99_processing_ms",
  "error_rate_percent",
  "dead_letters_per_minute",
] as const;
export type AlertThresholdName = (typeof alertThresholdNames)[number];

export interface GroupAlertSettings {
  enabled: boolean;
  severity: AlertsSpec["severity"];
  forSeconds: number;
  /** A threshold left out has no series, so its rule cannot fire for the group (minMessagesPerSecond unset). */
  thresholds: Partial<Record<AlertThresholdName, number>>;
}

export function groupAlertSettings(spec: { alerts: AlertsSpec; lag: { maxSeconds: number } }): GroupAlertSettings {
  const { alerts } = spec;
  return {
    enabled: alerts.enabled,
    severity: alerts.severity,
    forSeconds: alerts.forSeconds,
    thresholds: {
      // The lag alert follows the lag target unless the group sets its own.
      lag_seconds: alerts.lagSeconds ?? spec.lag.maxSeconds,
      ...(alerts.minMessagesPerSecond !== undefined ? { min_messages_per_second: alerts.minMessagesPerSecond } : {}),
      p99_processing_ms: alerts.p99ProcessingMs,
      error_rate_percent: alerts.errorRatePercent,
      dead_letters_per_minute: alerts.deadLettersPerMinute,
    },
  };
}
