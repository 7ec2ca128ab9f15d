// The local stack's Prometheus configuration: the chart's alert rules, and the two scrape jobs of
// charts/lagpilot/files/prometheus.example.yaml (operator, consumers). Debian's Prometheus is built without
// Kubernetes service discovery, so both jobs read file_sd files instead: the stack's pod target writer
// keeps one per job for the Pods (pod-targets.ts applies the example's relabelling), and tests and the
// demo add one per operator or consumer they run as a local process (targets.ts). Short intervals, so a
// demo of a few minutes shows an alert fire and resolve.
import yaml from "js-yaml";
import type { ScrapeJob } from "./pod-targets.ts";

export interface PrometheusConfigInput {
  rulesFile: string;
  /** Folder of the file_sd files: JOB-*.json per scrape job. */
  targetsDir: string;
  intervalSeconds: number;
}

export function targetFilesOf(targetsDir: string, job: ScrapeJob): string {
  return `${targetsDir}/${job}-*.json`;
}

export function prometheusConfig(input: PrometheusConfigInput): string {
  const interval = `${input.intervalSeconds}s`;
  const config = {
    global: { scrape_interval: interval, evaluation_interval: interval },
    rule_files: [input.rulesFile],
    scrape_configs: [
      // Per-group series carry the KafkaConsumerGroup's own namespace label: keep it.
      {
        job_name: "lagpilot-operator",
        honor_labels: true,
        file_sd_configs: [{ files: [targetFilesOf(input.targetsDir, "lagpilot-operator")] }],
      },
      {
        job_name: "lagpilot-consumers",
        file_sd_configs: [{ files: [targetFilesOf(input.targetsDir, "lagpilot-consumers")] }],
      },
    ],
  };
  return yaml.dump(config, { lineWidth: 120 });
}
