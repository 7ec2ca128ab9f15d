// Starts the local stack's Prometheus (Debian's) with the chart's alert rules and the scrape jobs of
// config.ts, and the pod target writer that tells it where the operator's and consumers' Pods are. Its data
// lives with the stack's other data and goes with env:down.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { repoRoot } from "../layout.ts";
import { prometheusConfig } from "./config.ts";
import { prometheusDir, targetsDir } from "./targets.ts";

export const alertRulesFile = join(repoRoot, "charts", "lagpilot", "files", "alerts.rules.yaml");
/** Scrape and rule evaluation interval: short, so a few minutes of demo show an alert fire and resolve. */
export const PROMETHEUS_INTERVAL_SECONDS = 5;

type Launch = (name: string, command: string, args: string[]) => { name: string; pid: number };

export async function startPrometheus(options: {
  prometheus: string;
  node: string;
  kubeconfig: string;
  port: number;
  dataDir: string;
  launch: Launch;
  isAlive: (pid: number) => boolean;
}): Promise<string> {
  mkdirSync(targetsDir, { recursive: true });
  const configFile = join(prometheusDir, "prometheus.yml");
  writeFileSync(
    configFile,
    prometheusConfig({ rulesFile: alertRulesFile, targetsDir, intervalSeconds: PROMETHEUS_INTERVAL_SECONDS }),
  );
  const writer = options.launch("prometheus-pod-targets", options.node, [
    join(repoRoot, "test", "env", "prometheus", "pod-targets-writer.ts"),
    options.kubeconfig,
    targetsDir,
  ]);
  const url = `http://127.0.0.1:${options.port}`;
  const child = options.launch("prometheus", options.prometheus, [
    `--config.file=${configFile}`,
    `--storage.tsdb.path=${options.dataDir}`,
    "--storage.tsdb.retention.time=1d",
    `--web.listen-address=127.0.0.1:${options.port}`,
    "--log.level=warn",
  ]);
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (!options.isAlive(child.pid)) throw new Error("prometheus exited during start-up; see prometheus.log");
    if (!options.isAlive(writer.pid)) {
      throw new Error("the pod target writer exited during start-up; see prometheus-pod-targets.log");
    }
    const ready = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(2000) })
      .then((r) => r.ok)
      .catch(() => false);
    if (ready) return url;
    await sleep(250);
  }
  throw new Error("prometheus did not answer /-/ready within 60s; see prometheus.log");
}
