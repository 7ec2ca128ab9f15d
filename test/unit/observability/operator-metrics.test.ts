// The operator's /metrics before anything happened: every labelled series a dashboard reads exists at 0 as soon
// as its labels are known, and counts up from there.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { specSchema } from "../../../operator/src/api/spec.ts";
import { groupAlertSettings } from "../../../operator/src/observability/alert-settings.ts";
import { createOperatorMetrics, type GroupSnapshot } from "../../../operator/src/observability/metrics.ts";

/** Sample lines of one metric in the exposition text. */
async function samples(metrics: ReturnType<typeof createOperatorMetrics>, metric: string): Promise<string[]> {
  const text = await metrics.registry.metrics();
  return text
    .split("\n")
    .filter((line) => line.startsWith(`${metric}{`) || line.startsWith(`${metric} `))
    .sort();
}

describe("the operator's metrics start at 0", () => {
  it("exports every reconcile result and every error reason at 0 from the start", async () => {
    const metrics = createOperatorMetrics();
    assert.deepEqual(await samples(metrics, "lagpilot_reconcile_total"), [
      'lagpilot_reconcile_total{result="error"} 0',
      'lagpilot_reconcile_total{result="invalid"} 0',
      'lagpilot_reconcile_total{result="success"} 0',
    ]);
    const reasons = await samples(metrics, "lagpilot_reconcile_errors_total");
    for (const reason of ["Conflict", "Invalid", "Kafka", "Internal"]) {
      assert.ok(reasons.includes(`lagpilot_reconcile_errors_total{reason="${reason}"} 0`), reasons.join("\n"));
    }
    metrics.reconcileErrorsTotal.inc({ reason: "Kafka" });
    assert.ok(
      (await samples(metrics, "lagpilot_reconcile_errors_total")).includes(
        'lagpilot_reconcile_errors_total{reason="Kafka"} 1',
      ),
    );
  });

  it("exports a watched resource's restarts at 0 once it is watched", async () => {
    const metrics = createOperatorMetrics();
    assert.deepEqual(await samples(metrics, "lagpilot_watch_restarts_total"), []);
    metrics.watching(["kafkaconsumergroups", "deployments"]);
    assert.deepEqual(await samples(metrics, "lagpilot_watch_restarts_total"), [
      'lagpilot_watch_restarts_total{resource="deployments"} 0',
      'lagpilot_watch_restarts_total{resource="kafkaconsumergroups"} 0',
    ]);
  });

  it("exports a Kafka admin operation's errors at 0 from its first call, and counts failures", async () => {
    const metrics = createOperatorMetrics();
    metrics.observeKafkaAdmin("fetchOffsets", 0.01, false);
    metrics.observeKafkaAdmin("describeGroups", 0.01, true);
    metrics.observeKafkaAdmin("fetchOffsets", 0.02, false);
    assert.deepEqual(await samples(metrics, "lagpilot_kafka_admin_errors_total"), [
      'lagpilot_kafka_admin_errors_total{operation="describeGroups"} 1',
      'lagpilot_kafka_admin_errors_total{operation="fetchOffsets"} 0',
    ]);
    const counts = await samples(metrics, "lagpilot_kafka_admin_duration_seconds_count");
    assert.ok(
      counts.includes('lagpilot_kafka_admin_duration_seconds_count{operation="fetchOffsets"} 2'),
      counts.join("\n"),
    );
  });

  it("exports a group's scale events at 0 for every kind its spec allows, and the counted ones as counted", async () => {
    const metrics = createOperatorMetrics();
    const parsed = specSchema.parse({
      kafka: { bootstrapServers: ["kafka:9092"] },
      topics: ["orders"],
      processing: { handler: { builtin: { name: "noop" } } },
    });
    const group: GroupSnapshot = {
      labels: { namespace: "shop", name: "orders", consumergroup: "shop.orders" },
      lagTargetSeconds: 30,
      replicasMax: 2,
      replicasDesired: 2,
      replicasReady: 2,
      kafkaReachable: true,
      scalingLimited: false,
      alerts: groupAlertSettings(parsed),
      scaleEvents: { "up/Manual": 1, "down/Manual": 0 },
    };
    metrics.setGroupSource(() => [group]);
    const labels = 'namespace="shop",name="orders",consumergroup="shop.orders"';
    assert.deepEqual(await samples(metrics, "lagpilot_scale_events_total"), [
      `lagpilot_scale_events_total{${labels},direction="down",reason="Manual"} 0`,
      `lagpilot_scale_events_total{${labels},direction="up",reason="Manual"} 1`,
    ]);
  });
});
