// Reads metric names out of PromQL (alert rules, dashboard queries), so tests can check that every query
// names a metric Lagpilot exports. Not a parser: it removes what cannot be a metric name (strings, label
// matchers, ranges, grouping label lists, function names, keywords) and keeps the rest.

const keywords = new Set([
  "and",
  "or",
  "unless",
  "by",
  "without",
  "on",
  "ignoring",
  "group_left",
  "group_right",
  "offset",
  "bool",
  "inf",
  "nan",
]);

/** Grafana's built-in interval variables and the dashboard's own variables, replaced by valid PromQL. */
export function substituteGrafanaVariables(query: string): string {
  return query.replace(/\$__(rate_interval|interval|range)\b/g, "5m").replace(/\$\{?[A-Za-z_][A-Za-z0-9_]*\}?/g, "x");
}

/** Metric names in a PromQL expression or in a Grafana `label_values(metric{...}, label)` query. */
export function metricNames(query: string): string[] {
  const labelValues = /^\s*label_values\(\s*([A-Za-z_:][A-Za-z0-9_:]*)\s*[{,]/.exec(query);
  if (labelValues?.[1]) return [labelValues[1]];
  const stripped = substituteGrafanaVariables(query)
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""')
    .replace(/\{[^}]*\}/g, " ")
    .replace(/\[[^\]]*\]/g, " ")
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, " ");
  const names = new Set<string>();
  for (const match of stripped.matchAll(/(?<![\w.:])[A-Za-z_:][A-Za-z0-9_:]*(?![\w:])(?!\s*\()/g)) {
    const name = match[0];
    if (!keywords.has(name.toLowerCase())) names.add(name);
  }
  return [...names];
}

/**
 * A dashboard query as Grafana would send it for one group, and narrowed to one namespace: `$namespace` and
 * `$name` (or `${...}`) become the given values, Grafana's interval variables become `interval`, and every
 * selector of a metric gets a `namespace="..."` matcher, so series of other namespaces cannot answer for it.
 */
export function queryForGroup(query: string, group: { namespace: string; name: string }, interval: string): string {
  const values: Record<string, string> = { namespace: group.namespace, name: group.name };
  let narrowed = query
    .replace(/\$__(rate_interval|interval|range)\b/g, interval)
    .replace(/\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g, (whole, variable: string) => values[variable] ?? whole);
  const matcher = `namespace="${group.namespace}"`;
  for (const name of metricNames(query)) {
    narrowed = narrowed.replace(new RegExp(`(?<![\\w:])${name}(?![\\w:])(\\s*\\{)?`, "g"), (_, brace?: string) =>
      brace ? `${name}{${matcher}, ` : `${name}{${matcher}}`,
    );
  }
  return narrowed;
}
