// The metric-name reader the rule and dashboard tests rely on.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { metricNames, queryForGroup, substituteGrafanaVariables } from "./promql.ts";

describe("metricNames", () => {
  const cases = [
    { name: "a bare metric", query: "lagpilot_leader", expected: ["lagpilot_leader"] },
    {
      name: "functions, aggregations and grouping labels are not metrics",
      query: "sum by (namespace, name) (rate(lagpilot_scale_events_total[5m]))",
      expected: ["lagpilot_scale_events_total"],
    },
    {
      name: "label matchers, strings and durations are not metrics",
      query: 'max by (state) (lagpilot_group_partitions_by_health{state=~"STALL|STOP", name="x"}) offset 5m > 0',
      expected: ["lagpilot_group_partitions_by_health"],
    },
    {
      name: "both sides of a vector match and set operators",
      query:
        "max by (namespace) (a_metric) > on (namespace) group_left (consumergroup) b_metric and on (namespace) c_metric or absent(d_metric)",
      expected: ["a_metric", "b_metric", "c_metric", "d_metric"],
    },
    {
      name: "numbers in scientific notation and histogram quantiles",
      query: "histogram_quantile(0.99, sum by (le) (rate(x_seconds_bucket[$__rate_interval]))) > 1e3",
      expected: ["x_seconds_bucket"],
    },
    { name: "a subquery", query: "max_over_time(deriv(y_total[5m])[30m:1m])", expected: ["y_total"] },
    {
      name: "a Grafana label_values variable query",
      query: 'label_values(lagpilot_group_replicas_desired{namespace=~"$namespace"}, name)',
      expected: ["lagpilot_group_replicas_desired"],
    },
    { name: "a constant", query: "vector(0)", expected: [] },
  ];
  for (const c of cases) {
    it(c.name, () => assert.deepEqual(metricNames(c.query).sort(), [...c.expected].sort()));
  }
});

describe("substituteGrafanaVariables", () => {
  it("turns interval variables into durations and dashboard variables into plain values", () => {
    assert.equal(
      // biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's variable syntax, not a JavaScript template.
      substituteGrafanaVariables('rate(m{ns=~"$namespace", n=~"${name}"}[$__rate_interval])'),
      'rate(m{ns=~"x", n=~"x"}[5m])',
    );
  });
});

describe("queryForGroup", () => {
  const group = { namespace: "shop", name: "orders" };
  const cases = [
    {
      name: "variables filled in, and the namespace added to a selector that has matchers",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's variable syntax, not a JavaScript template.
      query: 'max by (namespace, name) (x_lag{namespace=~"$namespace", name=~"${name}"})',
      expected: 'max by (namespace, name) (x_lag{namespace="shop", namespace=~"shop", name=~"orders"})',
    },
    {
      name: "a bare metric gets a selector; a longer name that starts alike is left to its own",
      query: "rate(x_total[$__rate_interval]) + x_total_more",
      expected: 'rate(x_total{namespace="shop"}[1m]) + x_total_more{namespace="shop"}',
    },
    {
      name: "grouping labels and functions stay as they are",
      query: "histogram_quantile(0.99, sum by (le) (rate(x_seconds_bucket[5m]))) or vector(0)",
      expected: 'histogram_quantile(0.99, sum by (le) (rate(x_seconds_bucket{namespace="shop"}[5m]))) or vector(0)',
    },
  ];
  for (const c of cases) {
    it(c.name, () => assert.equal(queryForGroup(c.query, group, "1m"), c.expected));
  }
});
