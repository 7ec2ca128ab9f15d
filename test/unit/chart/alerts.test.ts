// The alert rules: the alerts the product promises exist, each is documented and tested by promtool with a
// case that fires and one that stays quiet, and every expression names a metric Lagpilot exports.
import assert from "node:assert/strict";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import yaml from "js-yaml";
import { exportedMetrics } from "./exported-metrics.ts";
import { chartDir, repoRoot, rulesFile, runbookFile, runPromtool } from "./paths.ts";
import { metricNames } from "./promql.ts";

interface AlertRule {
  alert: string;
  record?: undefined;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
interface RecordingRule {
  record: string;
  alert?: undefined;
  expr: string;
}
interface RuleFile {
  groups: { name: string; rules: (AlertRule | RecordingRule)[] }[];
}
interface PromtoolTests {
  rule_files: string[];
  tests: { name: string; alert_rule_test?: { alertname: string; exp_alerts?: unknown[] }[] }[];
}

const promtoolTestFile = join(repoRoot, "test", "unit", "chart", "alerts.promtool.yaml");
const groups = (yaml.load(readFileSync(rulesFile, "utf8")) as RuleFile).groups;
const allRules = groups.flatMap((group) => group.rules);
const rules = allRules.filter((rule): rule is AlertRule => rule.alert !== undefined);
const recorded = new Set(allRules.flatMap((rule) => (rule.record === undefined ? [] : [rule.record])));
/** Alerts about one KafkaConsumerGroup: their severity and duration come from its spec.alerts, not the rule. */
const groupAlert = (rule: AlertRule) => groups.some((g) => g.name !== "lagpilot.operator" && g.rules.includes(rule));
const runbook = readFileSync(runbookFile, "utf8");

/** Anchors of Markdown headings as Git forges make them: lower case, punctuation dropped, spaces to dashes. */
function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  for (const match of markdown.matchAll(/^#{1,6}\s+(.+)$/gm)) {
    anchors.add(
      (match[1] ?? "")
        .trim()
        .toLowerCase()
        .replace(/[^\w\- ]/g, "")
        .replace(/ /g, "-"),
    );
  }
  return anchors;
}

describe("alert rules", () => {
  const required = [
    { alert: "LagpilotLagAboveTarget", covers: "lag above target in seconds for N minutes" },
    { alert: "LagpilotLagGrowing", covers: "lag growing" },
    { alert: "LagpilotPartitionsStalled", covers: "partition stalled or stopped" },
    { alert: "LagpilotThroughputLow", covers: "throughput below threshold (the seed's KafkaConsumerThroughputLow)" },
    { alert: "LagpilotProcessingLatencyHigh", covers: "p99 processing latency high (KafkaConsumerLatencyHigh)" },
    { alert: "LagpilotErrorRateHigh", covers: "error rate" },
    { alert: "LagpilotDeadLetters", covers: "dead-letter rate" },
    { alert: "LagpilotScalingLimitedByPartitions", covers: "scaling limited by partitions" },
    { alert: "LagpilotAtMaxReplicasLagging", covers: "at max replicas while lagging" },
    { alert: "LagpilotReconcileErrors", covers: "operator reconcile errors" },
    { alert: "LagpilotKafkaUnreachable", covers: "Kafka unreachable" },
  ];
  for (const r of required) {
    it(`has ${r.alert}: ${r.covers}`, () => {
      assert.ok(
        rules.some((rule) => rule.alert === r.alert),
        `${r.alert} missing from ${rulesFile}`,
      );
    });
  }

  it("names every alert once", () => {
    const names = rules.map((rule) => rule.alert);
    assert.deepEqual(names, [...new Set(names)]);
  });

  const anchors = headingAnchors(runbook);
  for (const rule of rules) {
    it(`${rule.alert} has a severity, summary, description and a runbook section`, () => {
      if (groupAlert(rule)) {
        // The group's severity label comes with the series (lagpilot_group_alerts_enabled); a fixed one would
        // override it. The promtool cases check both severities arrive.
        assert.equal(rule.labels?.severity, undefined, `${rule.alert}: severity comes from the group`);
        assert.equal(rule.for, undefined, `${rule.alert}: the group's forSeconds is in the expression`);
      } else {
        assert.ok(["warning", "critical"].includes(rule.labels?.severity ?? ""), `${rule.alert}: severity`);
        assert.match(rule.for ?? "", /^\d+m$/, `${rule.alert}: a for duration, so one bad scrape does not page`);
      }
      assert.ok((rule.annotations?.summary ?? "").length > 10, `${rule.alert}: summary`);
      assert.ok((rule.annotations?.description ?? "").length > 40, `${rule.alert}: description`);
      assert.equal(rule.annotations?.runbook_url, `docs/runbooks/alerts.md#${rule.alert.toLowerCase()}`);
      assert.ok(anchors.has(rule.alert.toLowerCase()), `docs/runbooks/alerts.md has no "## ${rule.alert}" section`);
    });
  }

  it("has no runbook section for an alert that does not exist", () => {
    const alerts = new Set(rules.map((rule) => rule.alert));
    const sections = [...runbook.matchAll(/^## (Lagpilot\w+)$/gm)].map((match) => match[1]);
    assert.deepEqual(
      sections.filter((section) => !alerts.has(section ?? "")),
      [],
    );
  });

  it("selects only metrics the operator or the consumer runtime export, or the file's own recording rules", () => {
    const exported = exportedMetrics().all;
    const unknown = allRules.flatMap((rule) =>
      metricNames(rule.expr)
        .filter((name) => !exported.has(name) && !recorded.has(name))
        .map((name) => `${rule.alert ?? rule.record}: ${name}`),
    );
    assert.deepEqual(unknown, []);
  });

  it("passes promtool check rules", () => {
    assert.match(runPromtool(["check", "rules", rulesFile]), /SUCCESS: \d+ rules found/);
  });
});

describe("promtool unit tests of the rules", () => {
  const tests = yaml.load(readFileSync(promtoolTestFile, "utf8")) as PromtoolTests;

  it("run against the chart's rules file and pass", () => {
    assert.deepEqual(tests.rule_files, ["../../../charts/lagpilot/files/alerts.rules.yaml"]);
    assert.match(runPromtool(["test", "rules", promtoolTestFile]), /SUCCESS/);
  });

  for (const rule of rules) {
    it(`include a firing and a quiet case for ${rule.alert}`, () => {
      const cases = tests.tests.flatMap((t) => t.alert_rule_test ?? []).filter((c) => c.alertname === rule.alert);
      assert.ok(
        cases.some((c) => (c.exp_alerts ?? []).length > 0),
        `no case where ${rule.alert} fires`,
      );
      assert.ok(
        cases.some((c) => (c.exp_alerts ?? []).length === 0),
        `no case where ${rule.alert} stays quiet`,
      );
    });
  }
});

describe("one source for the rules", () => {
  it("the PrometheusRule template reads the plain rules file", () => {
    const template = readFileSync(join(chartDir, "templates", "prometheusrule.yaml"), "utf8");
    assert.match(template, /\.Files\.Get "files\/alerts\.rules\.yaml"/);
  });

  describe("the example Prometheus configuration", () => {
    const dir = mkdtempSync(join(tmpdir(), "lagpilot-prometheus-"));
    after(() => rmSync(dir, { recursive: true, force: true }));

    it("loads the rules file and passes promtool check config", () => {
      const example = readFileSync(join(chartDir, "files", "prometheus.example.yaml"), "utf8");
      const config = yaml.load(example) as { rule_files: string[]; scrape_configs: { honor_labels?: boolean }[] };
      assert.deepEqual(config.rule_files, ["alerts.rules.yaml"]);
      assert.equal(config.scrape_configs[0]?.honor_labels, true, "the operator job keeps the groups' namespace label");
      // Some promtool builds (Debian's) leave out Kubernetes service discovery; static targets stand in for it
      // so the rest (relabelling, rule files) is still checked.
      const checkable = example.replace(
        /kubernetes_sd_configs:\n(\s+)- role: pod/g,
        "static_configs:\n$1- targets: []",
      );
      writeFileSync(join(dir, "prometheus.yaml"), checkable);
      copyFileSync(rulesFile, join(dir, "alerts.rules.yaml"));
      assert.match(runPromtool(["check", "config", join(dir, "prometheus.yaml")]), /SUCCESS/);
    });
  });
});
