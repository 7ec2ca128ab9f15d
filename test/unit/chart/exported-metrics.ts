// Every series name Lagpilot exports, read from the operator's and the consumer runtime's own registries:
// the declarations are the list, so a renamed or removed metric fails the rule and dashboard tests.
import type { Registry } from "prom-client";
import { RuntimeMetrics } from "../../../consumer-runtime/src/metrics.ts";
import { createOperatorMetrics } from "../../../operator/src/observability/metrics.ts";

interface DeclaredMetric {
  name: string;
  type: string;
}

/** Series names as Prometheus stores them: a histogram is its _bucket, _sum and _count series. */
function seriesNames(registry: Registry): string[] {
  return (registry.getMetricsAsArray() as unknown as DeclaredMetric[]).flatMap(({ name, type }) => {
    if (type === "histogram") return [`${name}_bucket`, `${name}_sum`, `${name}_count`];
    if (type === "summary") return [name, `${name}_sum`, `${name}_count`];
    return [name];
  });
}

export interface ExportedMetrics {
  operator: Set<string>;
  runtime: Set<string>;
  all: Set<string>;
}

export function exportedMetrics(): ExportedMetrics {
  const operator = new Set(seriesNames(createOperatorMetrics().registry));
  const runtime = new Set(seriesNames(new RuntimeMetrics({ partitionLag: () => [] }).registry));
  return { operator, runtime, all: new Set([...operator, ...runtime]) };
}
