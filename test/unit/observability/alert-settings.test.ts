// spec.alerts reaches Prometheus: each group's thresholds, switch, severity and duration become the series the
// chart's rules join (lagpilot_group_alert_threshold, lagpilot_group_alerts_enabled,
// lagpilot_group_alert_for_seconds); test/unit/chart/alerts.promtool.yaml shows the rules using them.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type KafkaConsumerGroupSpecInput, specSchema } from "../../../operator/src/api/spec.ts";
import { type GroupAlertSettings, groupAlertSettings } from "../../../operator/src/observability/alert-settings.ts";
import { createOperatorMetrics, type GroupSnapshot } from "../../../operator/src/observability/metrics.ts";

const parse = (extra: Partial<KafkaConsumerGroupSpecInput>) =>
  specSchema.parse({
    kafka: { bootstrapServers: ["kafka:9092"] },
    topics: ["orders"],
    processing: { handler: { builtin: { name: "noop" } } },
    ...extra,
  });

interface Case {
  name: string;
  spec: Partial<KafkaConsumerGroupSpecInput>;
  expected: GroupAlertSettings;
}

const cases: Case[] = [
  {
    name: "nothing set: the schema's defaults, the lag alert at the lag target, no throughput floor",
    spec: {},
    expected: {
      enabled: true,
      severity: "warning",
      forSeconds: 300,
      thresholds: { lag_seconds: 30, p99_processing_ms: 500, error_rate_percent: 5, dead_letters_per_minute: 1 },
    },
  },
  {
    name: "lag target raised, no alert threshold of its own: the lag alert follows the target",
    spec: { lag: { maxSeconds: 120 } },
    expected: {
      enabled: true,
      severity: "warning",
      forSeconds: 300,
      thresholds: { lag_seconds: 120, p99_processing_ms: 500, error_rate_percent: 5, dead_letters_per_minute: 1 },
    },
  },
  {
    name: "every field set: each lands on its own series",
    spec: {
      lag: { maxSeconds: 120 },
      alerts: {
        enabled: false,
        forSeconds: 60,
        severity: "critical",
        lagSeconds: 45,
        minMessagesPerSecond: 250,
        p99ProcessingMs: 2000,
        errorRatePercent: 0.5,
        deadLettersPerMinute: 0,
      },
    },
    expected: {
      enabled: false,
      severity: "critical",
      forSeconds: 60,
      thresholds: {
        lag_seconds: 45,
        min_messages_per_second: 250,
        p99_processing_ms: 2000,
        error_rate_percent: 0.5,
        dead_letters_per_minute: 0,
      },
    },
  },
];

describe("spec.alerts as the rules see it", () => {
  for (const c of cases) {
    it(c.name, () => assert.deepEqual(groupAlertSettings(parse(c.spec)), c.expected));
  }
});

function snapshot(name: string, alerts: GroupAlertSettings): GroupSnapshot {
  return {
    labels: { namespace: "shop", name, consumergroup: `shop.${name}` },
    lagTargetSeconds: 30,
    replicasMax: 1,
    replicasDesired: 1,
    replicasReady: 1,
    kafkaReachable: true,
    scalingLimited: false,
    alerts,
    scaleEvents: {},
  };
}

/** Sample lines of one metric in the exposition text, label sets as written. */
function samples(text: string, metric: string): string[] {
  return text
    .split("\n")
    .filter((line) => line.startsWith(`${metric}{`))
    .sort();
}

describe("the operator's /metrics", () => {
  it("exports each group's own alert settings, keyed by namespace and name", async () => {
    const metrics = createOperatorMetrics();
    const strict = groupAlertSettings(
      parse({ alerts: { severity: "critical", forSeconds: 60, lagSeconds: 10, minMessagesPerSecond: 100 } }),
    );
    const muted = groupAlertSettings(parse({ alerts: { enabled: false }, lag: { maxSeconds: 600 } }));
    metrics.setGroupSource(() => [snapshot("strict", strict), snapshot("muted", muted)]);
    const text = await metrics.registry.metrics();

    assert.deepEqual(samples(text, "lagpilot_group_alert_threshold"), [
      'lagpilot_group_alert_threshold{namespace="shop",name="muted",alert="dead_letters_per_minute"} 1',
      'lagpilot_group_alert_threshold{namespace="shop",name="muted",alert="error_rate_percent"} 5',
      'lagpilot_group_alert_threshold{namespace="shop",name="muted",alert="lag_seconds"} 600',
      'lagpilot_group_alert_threshold{namespace="shop",name="muted",alert="p99_processing_ms"} 500',
      'lagpilot_group_alert_threshold{namespace="shop",name="strict",alert="dead_letters_per_minute"} 1',
      'lagpilot_group_alert_threshold{namespace="shop",name="strict",alert="error_rate_percent"} 5',
      'lagpilot_group_alert_threshold{namespace="shop",name="strict",alert="lag_seconds"} 10',
      'lagpilot_group_alert_threshold{namespace="shop",name="strict",alert="min_messages_per_second"} 100',
      'lagpilot_group_alert_threshold{namespace="shop",name="strict",alert="p99_processing_ms"} 500',
    ]);
    assert.deepEqual(samples(text, "lagpilot_group_alerts_enabled"), [
      'lagpilot_group_alerts_enabled{namespace="shop",name="muted",severity="warning"} 0',
      'lagpilot_group_alerts_enabled{namespace="shop",name="strict",severity="critical"} 1',
    ]);
    assert.deepEqual(samples(text, "lagpilot_group_alert_for_seconds"), [
      'lagpilot_group_alert_for_seconds{namespace="shop",name="muted"} 300',
      'lagpilot_group_alert_for_seconds{namespace="shop",name="strict"} 60',
    ]);

    // A group gone from the operator's memory takes its series with it.
    metrics.setGroupSource(() => [snapshot("strict", strict)]);
    const after = await metrics.registry.metrics();
    assert.ok(!after.includes('name="muted"'), after);
  });
});
