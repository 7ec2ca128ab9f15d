// The Grafana dashboard: it shows what the product promises, and every query parses and names a metric the
// operator or the consumer runtime exports (read from their registries, not from a list kept here).
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import yaml from "js-yaml";
import { exportedMetrics } from "./exported-metrics.ts";
import { chartDir, dashboardFile, runPromtool } from "./paths.ts";
import { metricNames, substituteGrafanaVariables } from "./promql.ts";

interface Panel {
  id: number;
  type: string;
  title: string;
  description?: string;
  gridPos: { x: number; y: number; w: number; h: number };
  datasource?: { uid: string };
  targets?: { expr: string; refId: string; datasource?: { uid: string } }[];
  panels?: Panel[];
}
interface Dashboard {
  uid: string;
  title: string;
  schemaVersion: number;
  panels: Panel[];
  templating: { list: { name: string; type: string; query: string | { query: string } }[] };
  annotations: { list: { name: string; expr?: string }[] };
}

// biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's variable syntax, not a JavaScript template.
const DATASOURCE_VARIABLE = "${datasource}";

const dashboard = JSON.parse(readFileSync(dashboardFile, "utf8")) as Dashboard;
const panels = dashboard.panels.flatMap((panel) => [panel, ...(panel.panels ?? [])]);
const graphPanels = panels.filter((panel) => panel.type !== "row");

/** Every query of the dashboard with where it is: panel targets, variable queries, annotation queries. */
function queries(): { where: string; query: string; promql: boolean }[] {
  const fromPanels = graphPanels.flatMap((panel) =>
    (panel.targets ?? []).map((t) => ({ where: `panel "${panel.title}" ${t.refId}`, query: t.expr, promql: true })),
  );
  const fromVariables = dashboard.templating.list
    .filter((variable) => variable.type === "query")
    .map((variable) => ({
      where: `variable $${variable.name}`,
      query: typeof variable.query === "string" ? variable.query : variable.query.query,
      promql: false,
    }));
  const fromAnnotations = dashboard.annotations.list
    .filter((annotation) => annotation.expr)
    .map((annotation) => ({ where: `annotation "${annotation.name}"`, query: annotation.expr ?? "", promql: true }));
  return [...fromPanels, ...fromVariables, ...fromAnnotations];
}

describe("Grafana dashboard", () => {
  it("has a stable uid, a title and a Prometheus data source variable", () => {
    assert.equal(dashboard.uid, "lagpilot-groups");
    assert.ok(dashboard.title.length > 0);
    assert.ok(dashboard.templating.list.some((v) => v.name === "datasource" && v.type === "datasource"));
  });

  it("every query names at least one metric, and only metrics Lagpilot exports", () => {
    const exported = exportedMetrics().all;
    const problems: string[] = [];
    for (const { where, query } of queries()) {
      const names = metricNames(query);
      if (names.length === 0) problems.push(`${where}: names no metric`);
      for (const name of names) if (!exported.has(name)) problems.push(`${where}: ${name} is not exported`);
    }
    assert.deepEqual(problems, []);
  });

  describe("every PromQL query parses", () => {
    const dir = mkdtempSync(join(tmpdir(), "lagpilot-dashboard-"));
    after(() => rmSync(dir, { recursive: true, force: true }));

    it("as promtool sees it, with Grafana's variables filled in", () => {
      // promtool has no query checker of its own; recording rules go through the same PromQL parser.
      const rules = queries()
        .filter((q) => q.promql)
        .map((q, i) => ({ record: `lagpilot:dashboard_query_${i}`, expr: substituteGrafanaVariables(q.query) }));
      const file = join(dir, "dashboard-queries.yaml");
      writeFileSync(file, yaml.dump({ groups: [{ name: "dashboard", rules }] }));
      assert.match(runPromtool(["check", "rules", file]), new RegExp(`SUCCESS: ${rules.length} rules found`));
    });
  });

  const required = [
    { shows: "lag in messages", metric: "kafka_consumergroup_group_lag" },
    { shows: "lag in seconds", metric: "kafka_consumergroup_group_lag_seconds" },
    { shows: "the lag target", metric: "lagpilot_group_lag_target_seconds" },
    { shows: "the in rate", metric: "lagpilot_group_produce_rate" },
    { shows: "the out rate", metric: "lagpilot_group_consume_rate" },
    { shows: "replicas", metric: "lagpilot_group_replicas_desired" },
    { shows: "partitions", metric: "lagpilot_group_partitions" },
    { shows: "processing latency", metric: "lagpilot_runtime_processing_duration_seconds_bucket" },
    { shows: "errors", metric: "lagpilot_runtime_messages_failed_total" },
    { shows: "dead letters", metric: "lagpilot_runtime_messages_dead_lettered_total" },
    { shows: "scale events", metric: "lagpilot_scale_events_total" },
  ];
  for (const r of required) {
    it(`shows ${r.shows} (${r.metric})`, () => {
      assert.ok(graphPanels.some((panel) => (panel.targets ?? []).some((t) => metricNames(t.expr).includes(r.metric))));
    });
  }

  it("shows processing latency as p50, p90 and p99", () => {
    const latency = graphPanels
      .flatMap((panel) => panel.targets ?? [])
      .filter((t) => t.expr.includes("lagpilot_runtime_processing_duration_seconds_bucket"))
      .map((t) => /histogram_quantile\((0\.\d+)/.exec(t.expr)?.[1]);
    assert.deepEqual(latency.sort(), ["0.5", "0.9", "0.99"]);
  });

  it("gives every panel a unique id, a title, a description and the chosen data source", () => {
    const ids = panels.map((panel) => panel.id);
    assert.deepEqual(ids, [...new Set(ids)]);
    for (const panel of graphPanels) {
      assert.ok(panel.title && panel.description, `panel ${panel.id} needs a title and a description`);
      assert.equal(panel.datasource?.uid, DATASOURCE_VARIABLE, `panel "${panel.title}"`);
      for (const t of panel.targets ?? [])
        assert.equal(t.datasource?.uid, DATASOURCE_VARIABLE, `panel "${panel.title}"`);
    }
  });

  it("lays panels out on the 24-column grid without overlaps", () => {
    const cells = new Map<string, string>();
    for (const panel of panels) {
      const { x, y, w, h } = panel.gridPos;
      assert.ok(x >= 0 && x + w <= 24, `panel "${panel.title}" leaves the grid`);
      for (let row = y; row < y + h; row++) {
        for (let col = x; col < x + w; col++) {
          const other = cells.get(`${row}:${col}`);
          assert.equal(other, undefined, `panels "${other}" and "${panel.title}" overlap`);
          cells.set(`${row}:${col}`, panel.title);
        }
      }
    }
  });

  it("is shipped by the chart's ConfigMap, for Grafana's dashboard sidecar", () => {
    const template = readFileSync(join(chartDir, "templates", "dashboard-configmap.yaml"), "utf8");
    assert.match(template, /\.Files\.Get "files\/dashboard\.json"/);
    const values = yaml.load(readFileSync(join(chartDir, "values.yaml"), "utf8")) as {
      dashboard: { labels: Record<string, string> };
    };
    assert.equal(values.dashboard.labels.grafana_dashboard, "1");
  });
});
