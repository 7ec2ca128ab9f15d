// Autoscaler benchmark: runs every scenario against Lagpilot's decision function, a model of KEDA's
// Kafka scaler + HPA with default options, and the same model tuned per scenario (the best of a
// small sweep by the benchmark's score); prints a table per scenario, totals and the goals per
// scenario family; then Lagpilot alone under each consumer group protocol (classic: a membership
// change stops the whole group; consumer, KIP-848: only moved partitions wait for heartbeats); and
// writes test/bench/results/autoscaler.json.
//
//   node test/bench/autoscaler.ts [--scenario FILE]... [--trace]
//
// --scenario FILE  run only these scenario files (any file in the scenario format); their family is
//                  the name of the folder they are in
// --trace          write a per-10-second trace of every run to test/bench/results/autoscaler-trace/
//
// Without --scenario: every *.json in test/bench/scenarios (family "shipped") and in each folder
// below it (the folder's name is the family).
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { parseArgs } from "node:util";
import { kedaPolicy } from "./autoscaler-keda.ts";
import { lagpilotPolicy } from "./autoscaler-lagpilot.ts";
import { loadScenario } from "./autoscaler-scenario.ts";
import { runScore } from "./autoscaler-score.ts";
import {
  protocolNamed,
  type RebalanceProtocol,
  type RunMetrics,
  rebalanceProtocols,
  run,
  type Scenario,
} from "./autoscaler-sim.ts";
import { bestKeda, describeVariant, kedaDefaultPolicy, kedaOptionsFor } from "./autoscaler-tuned.ts";

const here = dirname(new URL(import.meta.url).pathname);
const resultsDir = join(here, "results");
const scenarioDir = join(here, "scenarios");

const policies = ["lagpilot", "keda-default", "keda-tuned"] as const;
type PolicyName = (typeof policies)[number];

/** The goals, as ratios of Lagpilot's figure to a rival's. */
const goals = {
  overTargetVsDefault: 0.25,
  overTargetVsTuned: 0.5,
  replicaSecondsVsDefault: 0.9,
} as const;

interface Row extends RunMetrics {
  family: string;
  score: number;
  /** For keda-tuned: the variant the sweep chose. */
  tuning?: string;
}

interface Totals {
  secondsOverTarget: number;
  peakLagSeconds: number;
  replicaSeconds: number;
  scaleEvents: number;
  flaps: number;
}

function scenarioFiles(): { file: string; family: string }[] {
  const jsonIn = (dir: string) =>
    readdirSync(dir)
      .filter((f) => f.endsWith(".json"))
      .sort()
      .map((f) => join(dir, f));
  const files = jsonIn(scenarioDir).map((file) => ({ file, family: "shipped" }));
  for (const entry of readdirSync(scenarioDir).sort()) {
    const dir = join(scenarioDir, entry);
    if (statSync(dir).isDirectory()) files.push(...jsonIn(dir).map((file) => ({ file, family: entry })));
  }
  return files;
}

function familyOf(file: string): string {
  const folder = basename(dirname(file));
  return folder === "scenarios" ? "shipped" : folder;
}

function totals(rows: readonly Row[]): Totals {
  const add = (f: (r: Row) => number) => rows.reduce((sum, r) => sum + f(r), 0);
  return {
    secondsOverTarget: add((r) => r.secondsOverTarget),
    peakLagSeconds: Math.max(0, ...rows.map((r) => r.peakLagSeconds)),
    replicaSeconds: add((r) => r.replicaSeconds),
    scaleEvents: add((r) => r.scaleEvents),
    flaps: add((r) => r.flaps),
  };
}

interface GoalCheck {
  overTargetVsDefault: number;
  overTargetVsTuned: number;
  replicaSecondsVsDefault: number;
  replicaSecondsVsTuned: number;
  flaps: number;
  met: { overTargetVsDefault: boolean; overTargetVsTuned: boolean; replicaSeconds: boolean; noFlaps: boolean };
}

/** Ratios of Lagpilot's totals to the rivals'; 0 over 0 is a ratio of 0 (nothing to beat, nothing lost). */
function goalCheck(byPolicy: Record<PolicyName, Totals>): GoalCheck {
  const ratio = (a: number, b: number) => (b > 0 ? a / b : a > 0 ? Number.POSITIVE_INFINITY : 0);
  const mine = byPolicy.lagpilot;
  const check = {
    overTargetVsDefault: ratio(mine.secondsOverTarget, byPolicy["keda-default"].secondsOverTarget),
    overTargetVsTuned: ratio(mine.secondsOverTarget, byPolicy["keda-tuned"].secondsOverTarget),
    replicaSecondsVsDefault: ratio(mine.replicaSeconds, byPolicy["keda-default"].replicaSeconds),
    replicaSecondsVsTuned: ratio(mine.replicaSeconds, byPolicy["keda-tuned"].replicaSeconds),
    flaps: mine.flaps,
  };
  return {
    ...check,
    met: {
      overTargetVsDefault: check.overTargetVsDefault <= goals.overTargetVsDefault,
      overTargetVsTuned: check.overTargetVsTuned <= goals.overTargetVsTuned,
      replicaSeconds: check.replicaSecondsVsDefault <= goals.replicaSecondsVsDefault,
      noFlaps: check.flaps === 0,
    },
  };
}

function byPolicyTotals(rows: readonly Row[]): Record<PolicyName, Totals> {
  return Object.fromEntries(policies.map((p) => [p, totals(rows.filter((r) => r.policy === p))])) as Record<
    PolicyName,
    Totals
  >;
}

function table(rows: readonly Row[]): string {
  const header = [
    "family",
    "scenario",
    "policy",
    "s over target",
    "peak lag s",
    "replica-s",
    "scale events",
    "flaps",
    "rebalances",
    "partitions",
    "tuning",
  ];
  const lines = rows.map((r) => [
    r.family,
    r.scenario,
    r.policy,
    String(r.secondsOverTarget),
    String(Math.round(r.peakLagSeconds)),
    String(r.replicaSeconds),
    String(r.scaleEvents),
    String(r.flaps),
    String(r.rebalances),
    String(r.finalPartitions),
    r.tuning ?? "",
  ]);
  const left = new Set([0, 1, 2, header.length - 1]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? "").length)));
  const format = (cells: string[]) =>
    cells
      .map((c, i) => (left.has(i) ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0)))
      .join("  ")
      .trimEnd();
  return [format(header), widths.map((w) => "-".repeat(w)).join("  "), ...lines.map(format)].join("\n");
}

/** Lagpilot on one scenario under one protocol. */
interface ProtocolRow extends RunMetrics {
  family: string;
  protocol: RebalanceProtocol;
  /** The protocol the scenario file itself names (classic when it names none). */
  scenarioProtocol: RebalanceProtocol;
}

function protocolRuns(scenario: Scenario, family: string): ProtocolRow[] {
  const own = protocolNamed(scenario.group?.protocol) ?? "classic";
  return rebalanceProtocols.map((protocol) => {
    const variant: Scenario = { ...scenario, group: { ...scenario.group, protocol } };
    return { ...run(variant, lagpilotPolicy(variant)).metrics, family, protocol, scenarioProtocol: own };
  });
}

function protocolTable(rows: readonly ProtocolRow[]): string {
  const figures = (r: ProtocolRow | undefined) =>
    r === undefined
      ? ["", "", "", "", "", ""]
      : [
          String(r.secondsOverTarget),
          String(Math.round(r.peakLagSeconds)),
          String(r.replicaSeconds),
          String(r.scaleEvents),
          String(r.flaps),
          String(r.pausedPartitionSeconds),
        ];
  const names = ["s over target", "peak lag s", "replica-s", "events", "flaps", "paused partition-s"];
  const header = ["family", "scenario", ...names.map((n) => `classic ${n}`), ...names.map((n) => `consumer ${n}`)];
  const scenarios = [...new Set(rows.map((r) => `${r.family}\u0000${r.scenario}`))];
  const lines = scenarios.map((key) => {
    const [family = "", scenario = ""] = key.split("\u0000");
    const of = (protocol: RebalanceProtocol) =>
      rows.find((r) => r.family === family && r.scenario === scenario && r.protocol === protocol);
    return [family, scenario, ...figures(of("classic")), ...figures(of("consumer"))];
  });
  const left = new Set([0, 1]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? "").length)));
  const format = (cells: string[]) =>
    cells
      .map((c, i) => (left.has(i) ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0)))
      .join("  ")
      .trimEnd();
  return [format(header), widths.map((w) => "-".repeat(w)).join("  "), ...lines.map(format)].join("\n");
}

function protocolTotals(
  rows: readonly ProtocolRow[],
): Record<RebalanceProtocol, Totals & { pausedPartitionSeconds: number }> {
  return Object.fromEntries(
    rebalanceProtocols.map((protocol) => {
      const mine = rows.filter((r) => r.protocol === protocol);
      return [
        protocol,
        {
          ...totals(mine as unknown as Row[]),
          pausedPartitionSeconds: mine.reduce((sum, r) => sum + r.pausedPartitionSeconds, 0),
        },
      ];
    }),
  ) as Record<RebalanceProtocol, Totals & { pausedPartitionSeconds: number }>;
}

function percent(ratio: number): string {
  return Number.isFinite(ratio) ? `${(ratio * 100).toFixed(1)}%` : "inf";
}

function goalLine(label: string, check: GoalCheck): string {
  const mark = (ok: boolean) => (ok ? "met" : "MISSED");
  return (
    `goals ${label}: over target vs KEDA-default ${percent(check.overTargetVsDefault)} (<= 25%: ${mark(check.met.overTargetVsDefault)}), ` +
    `vs KEDA-tuned ${percent(check.overTargetVsTuned)} (<= 50%: ${mark(check.met.overTargetVsTuned)}); ` +
    `replica-s vs KEDA-default ${percent(check.replicaSecondsVsDefault)} (<= 90%: ${mark(check.met.replicaSeconds)}), ` +
    `vs KEDA-tuned ${percent(check.replicaSecondsVsTuned)}; flaps ${check.flaps} (${mark(check.met.noFlaps)})`
  );
}

function runScenario(
  scenario: Scenario,
  family: string,
  trace: boolean,
): { rows: Row[]; traces: Record<string, unknown> } {
  const rows: Row[] = [];
  const traces: Record<string, unknown> = {};
  const options = trace ? { traceEverySeconds: 10 } : {};
  const record = (policy: PolicyName, result: ReturnType<typeof run>, tuning?: string) => {
    rows.push({
      ...result.metrics,
      policy,
      family,
      score: runScore(result.metrics, scenario),
      ...(tuning === undefined ? {} : { tuning }),
    });
    if (trace) traces[`${scenario.name}.${policy}`] = { events: result.events, trace: result.trace };
  };
  record("lagpilot", run(scenario, lagpilotPolicy(scenario), options));
  record("keda-default", run(scenario, kedaDefaultPolicy(scenario), options));
  const tuned = bestKeda(scenario);
  const tunedPolicy = kedaPolicy(kedaOptionsFor(scenario, tuned.variant), "keda-tuned", scenario.initialReplicas);
  record("keda-tuned", run(scenario, tunedPolicy, options), describeVariant(tuned.variant));
  return { rows, traces };
}

function main(): void {
  const { values } = parseArgs({
    options: {
      scenario: { type: "string", multiple: true },
      trace: { type: "boolean", default: false },
    },
  });
  const files =
    values.scenario && values.scenario.length > 0
      ? values.scenario.map((file) => ({ file, family: familyOf(file) }))
      : scenarioFiles();
  const rows: Row[] = [];
  const byProtocol: ProtocolRow[] = [];
  const traces: Record<string, unknown> = {};
  for (const { file, family } of files) {
    const scenario = loadScenario(file);
    const result = runScenario(scenario, family, values.trace);
    rows.push(...result.rows);
    byProtocol.push(...protocolRuns(scenario, family));
    Object.assign(traces, result.traces);
  }

  console.log(table(rows));
  console.log("");
  const overall = byPolicyTotals(rows);
  for (const policy of policies) {
    const t = overall[policy];
    console.log(
      `total ${policy.padEnd(12)}: ${t.secondsOverTarget} s over target, peak lag ${Math.round(t.peakLagSeconds)} s, ${t.replicaSeconds} replica-s, ${t.scaleEvents} scale events, ${t.flaps} flaps`,
    );
  }
  const families = [...new Set(rows.map((r) => r.family))];
  const perFamily: Record<string, { totals: Record<PolicyName, Totals>; goals: GoalCheck }> = {};
  for (const family of families) {
    const familyTotals = byPolicyTotals(rows.filter((r) => r.family === family));
    perFamily[family] = { totals: familyTotals, goals: goalCheck(familyTotals) };
  }
  const overallGoals = goalCheck(overall);
  for (const [family, result] of Object.entries(perFamily)) console.log(goalLine(family, result.goals));
  if (families.length > 1) console.log(goalLine("all", overallGoals));

  console.log("");
  console.log(
    "Lagpilot under each consumer group protocol (the table above uses each scenario's own, classic by default)",
  );
  console.log(protocolTable(byProtocol));
  const perProtocol = protocolTotals(byProtocol);
  for (const protocol of rebalanceProtocols) {
    const t = perProtocol[protocol];
    console.log(
      `total lagpilot ${protocol.padEnd(8)}: ${t.secondsOverTarget} s over target, peak lag ${Math.round(t.peakLagSeconds)} s, ${t.replicaSeconds} replica-s, ${t.scaleEvents} scale events, ${t.flaps} flaps, ${t.pausedPartitionSeconds} paused partition-s`,
    );
  }

  mkdirSync(resultsDir, { recursive: true });
  const out = join(resultsDir, "autoscaler.json");
  writeFileSync(
    out,
    `${JSON.stringify({ generatedAt: new Date().toISOString(), goals, runs: rows, totals: overall, goalCheck: overallGoals, families: perFamily, protocols: { runs: byProtocol, totals: perProtocol } }, null, 2)}\n`,
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
  if (!existsSync(scenarioDir)) throw new Error(`no scenario folder at ${scenarioDir}`);
  main();
} catch (error) {
  console.error((error as Error).message);
  process.exitCode = 1;
}
