// The chaos run's terminal table and goal list. Pure formatting of ScenarioResult.
import type { ScenarioResult } from "./scenarios.ts";

function pad(text: string, width: number): string {
  return text.length >= width ? text : text + " ".repeat(width - text.length);
}

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length))) ?? [];
  return rows
    .map((r) =>
      r
        .map((cell, i) => pad(cell, widths[i] ?? 0))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

export function scenarioTable(results: readonly ScenarioResult[]): string {
  const rows = [
    ["scenario", "records", "lost", "twice", "bound", "full rate after s", "stalled s", "DLQ", "op crashes", "goals"],
    ...results.map((r) => [
      r.name,
      String(r.inLog),
      String(r.lost),
      String(r.duplicates),
      String(r.duplicateBound),
      r.perFault.length ? r.backAtFullRateSeconds.toFixed(1) : "-",
      String(r.stalledSeconds),
      String(r.deadLettered),
      String(r.operatorRestarts),
      r.goals.every((g) => g.pass) ? "PASS" : "FAIL",
    ]),
  ];
  return table(rows);
}

export function failoverTable(results: readonly ScenarioResult[]): string {
  const trials = results.flatMap((r) => r.failover ?? []);
  if (trials.length === 0) return "";
  const rows = [
    ["settings", "lease s", "retry s", "signal", "lease acquired s", "first reconcile s", "thawed leader reconciles"],
    ...trials.map((t) => [
      t.settings,
      String(t.leaseSeconds),
      String(t.retrySeconds),
      t.signal,
      t.acquiredSeconds === null ? "-" : t.acquiredSeconds.toFixed(2),
      t.firstReconcileSeconds === null ? "none" : t.firstReconcileSeconds.toFixed(2),
      t.reconcilesAfterThaw === undefined ? "" : String(t.reconcilesAfterThaw),
    ]),
  ];
  return table(rows);
}

export function details(results: readonly ScenarioResult[]): string {
  const lines: string[] = [];
  for (const r of results) {
    lines.push(`${r.name}: ${r.fault}; steady ${Math.round(r.steadyRate)}/s; duplicate bound ${r.duplicateBoundText}`);
    for (const f of r.perFault.slice(0, 12)) {
      lines.push(
        `  ${f.kind} ${f.detail}: back at full rate after ${f.backAtFullRateSeconds} s, ${f.stalledSeconds} s stalled, lowest ${f.lowestRate}/s`,
      );
    }
    if (r.kafkaOutage) {
      const o = r.kafkaOutage;
      lines.push(
        `  while Kafka was unreachable: replicas ${o.replicasHeld.join(",")}; conditions ${o.conditions.join(" ")}; ${o.operatorLogLines} operator log lines about Kafka`,
      );
    }
    if (Object.keys(r.extra).length) lines.push(`  ${JSON.stringify(r.extra)}`);
    if (r.lost > 0) lines.push(`  lost, e.g.: ${r.lostSample.slice(0, 8).join(" ")}`);
    for (const g of r.goals) lines.push(`  ${g.pass ? "PASS" : "FAIL"}  ${g.name}: ${g.detail}`);
    for (const n of r.notes) lines.push(`  note: ${n}`);
  }
  return lines.join("\n");
}
