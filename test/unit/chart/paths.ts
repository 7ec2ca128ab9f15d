// Where the chart and its companions live, and the promtool binary the alert tests run.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { readStackEnv } from "../../env/stack.ts";

export const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));
export const chartDir = join(repoRoot, "charts", "lagpilot");
export const rulesFile = join(chartDir, "files", "alerts.rules.yaml");
export const dashboardFile = join(chartDir, "files", "dashboard.json");
export const runbookFile = join(repoRoot, "docs", "runbooks", "alerts.md");

/** The stack's promtool when the local stack is up, else one on PATH. */
export function promtool(): string {
  const binDir = readStackEnv()?.binDir;
  if (binDir && existsSync(join(binDir, "promtool"))) return join(binDir, "promtool");
  if (spawnSync("promtool", ["--version"]).status === 0) return "promtool";
  throw new Error(
    "promtool not found: run `npm run env:up` (it installs Prometheus' promtool) or put promtool on PATH",
  );
}

/** Runs promtool and returns its output; fails with that output when promtool reports a problem. */
export function runPromtool(args: string[]): string {
  const result = spawnSync(promtool(), args, { encoding: "utf8", cwd: repoRoot });
  const output = `${result.stdout ?? ""}${result.stderr ?? ""}`;
  if (result.status !== 0) throw new Error(`promtool ${args.join(" ")} failed:\n${output}`);
  return output;
}
