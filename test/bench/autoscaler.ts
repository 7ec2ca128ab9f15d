// Autoscaler benchmark: runs every scenario against Lagpilot's decision function and a model of
// KEDA's Kafka scaler + HPA defaults on identical input, prints a table and writes
// test/bench/results/autoscaler.json.
//
//   node test/bench/autoscaler.ts [--scenario FILE]... [--sensitivity] [--trace]
//
// --scenario FILE  run only these scenario files (any file in the scenario format)
// --sensitivity    also run KEDA with half and double the lagThreshold
// --trace          write a per-10-second trace of every run to test/bench/results/autoscaler-trace/
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { parseArgs } from "node:util";
import { kedaDefaults, kedaPolicy } from "./autoscaler-keda.ts";
import { lagpilotPolicy } from "./autoscaler-lagpilot.ts";
import { kedaThreshold, loadScenario } from "./autoscaler-scenario.ts";
import { type Policy, type RunMetrics, run, type Scenario } from "./autoscaler-sim.ts";

const here = dirname(new URL(import.meta.url).pathname);
const resultsDir = join(here, "results");

function policiesFor(scenario: Scenario, sensitivity: boolean): Policy[] {
  const threshold = kedaThreshold(scenario);
  const keda = (factor: number, name: string) =>
    kedaPolicy(
      {
        ...kedaDefaults,
        minReplicaCount: scenario.target.minReplicas,
        maxReplicaCount: scenario.target.maxReplicas,
        offsetResetPolicy: "earliest",
        ...(scenario.keda ?? {}),
        lagThreshold: Math.max(1, Math.round(threshold * factor)),
      },
      name,
      scenario.initialReplicas,
    );
  const policies = [lagpilotPolicy(scenario), keda(1, "keda")];
  if (sensitivity) policies.push(keda(0.5, "keda-thr/2"), keda(2, "keda-thr*2"));
  return policies;
}

interface Totals {
  secondsOverTarget: number;
  replicaSeconds: number;
  flaps: number;
  directionChanges: number;
  scaleEvents: number;
}

function totals(rows: RunMetrics[], policy: string): Totals {
  const mine = rows.filter((r) => r.policy === policy);
  const add = (f: (r: RunMetrics) => number) => mine.reduce((sum, r) => sum + f(r), 0);
  return {
    secondsOverTarget: add((r) => r.secondsOverTarget),
    replicaSeconds: add((r) => r.replicaSeconds),
    flaps: add((r) => r.flaps),
    directionChanges: add((r) => r.directionChanges),
    scaleEvents: add((r) => r.scaleEvents),
  };
}

function table(rows: RunMetrics[]): string {
  const header = [
    "scenario",
    "policy",
    "s over target",
    "peak lag s",
    "replica-s",
    "scale events",
    "dir changes",
    "flaps",
    "rebalances",
    "partitions",
  ];
  const lines = rows.map((r) => [
    r.scenario,
    r.policy,
    String(r.secondsOverTarget),
    String(Math.round(r.peakLagSeconds)),
    String(r.replicaSeconds),
    String(r.scaleEvents),
    String(r.directionChanges),
    String(r.flaps),
    String(r.rebalances),
    String(r.finalPartitions),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? "").length)));
  const format = (cells: string[]) =>
    cells.map((c, i) => (i < 2 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join("  ");
  return [format(header), widths.map((w) => "-".repeat(w)).join("  "), ...lines.map(format)].join("\n");
}

function main(): void {
  const { values } = parseArgs({
    options: {
      scenario: { type: "string", multiple: true },
      sensitivity: { type: "boolean", default: false },
      trace: { type: "boolean", default: false },
    },
  });
  const scenarioDir = join(here, "scenarios");
  const files =
    values.scenario && values.scenario.length > 0
      ? values.scenario
      : readdirSync(scenarioDir)
          .filter((f) => f.endsWith(".json"))
          .sort()
          .map((f) => join(scenarioDir, f));
  const rows: RunMetrics[] = [];
  const traces: Record<string, unknown> = {};
  for (const file of files) {
    const scenario = loadScenario(file);
    for (const policy of policiesFor(scenario, values.sensitivity)) {
      const result = run(scenario, policy, values.trace ? { traceEverySeconds: 10 } : {});
      rows.push(result.metrics);
      if (values.trace) traces[`${scenario.name}.${policy.name}`] = { events: result.events, trace: result.trace };
    }
  }

  const byPolicy: Record<string, Totals> = {};
  for (const policy of new Set(rows.map((r) => r.policy))) byPolicy[policy] = totals(rows, policy);
  const lagpilot = totals(rows, "lagpilot");
  const keda = totals(rows, "keda");
  const goal = {
    secondsOverTargetAtMostHalf: lagpilot.secondsOverTarget <= keda.secondsOverTarget / 2,
    replicaSecondsNoMore: lagpilot.replicaSeconds <= keda.replicaSeconds,
    noFlapping: lagpilot.flaps === 0,
  };
  console.log(table(rows));
  console.log("");
  for (const [policy, t] of Object.entries(byPolicy)) {
    console.log(
      `total ${policy.padEnd(10)}: ${t.secondsOverTarget} s over target, ${t.replicaSeconds} replica-s, ${t.scaleEvents} scale events, ${t.directionChanges} direction changes, ${t.flaps} flaps`,
    );
  }
  const ratio = keda.secondsOverTarget > 0 ? lagpilot.secondsOverTarget / keda.secondsOverTarget : 0;
  console.log(
    `goal    over target <= 1/2 of KEDA: ${goal.secondsOverTargetAtMostHalf ? "met" : "MISSED"} (${(ratio * 100).toFixed(1)}%); ` +
      `replica-s <= KEDA: ${goal.replicaSecondsNoMore ? "met" : "MISSED"} (${((lagpilot.replicaSeconds / Math.max(1, keda.replicaSeconds)) * 100).toFixed(1)}%); ` +
      `no flapping: ${goal.noFlapping ? "met" : "MISSED"}`,
  );

  mkdirSync(resultsDir, { recursive: true });
  const out = join(resultsDir, "autoscaler.json");
  writeFileSync(
    out,
    `${JSON.stringify({ generatedAt: new Date().toISOString(), runs: rows, totals: byPolicy, goal }, null, 2)}\n`,
  );
  console.log(`wrote ${out}`);
  if (values.trace) {
    const traceDir = join(resultsDir, "autoscaler-trace");
    mkdirSync(traceDir, { recursive: true });
    for (const [key, trace] of Object.entries(traces))
      writeFileSync(join(traceDir, `${key}.json`), JSON.stringify(trace));
    console.log(`wrote traces to ${traceDir}`);
  }
}

try {
  main();
} catch (error) {
  console.error((error as Error).message);
  process.exitCode = 1;
}
