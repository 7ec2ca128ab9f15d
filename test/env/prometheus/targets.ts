// Scrape targets for Lagpilot processes that run on this machine rather than in a Pod: one file_sd file per
// process in the local stack's Prometheus folder, removed when the process stops. Prometheus re-reads the
// folder by itself.
import { mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { stateDir } from "../layout.ts";
import type { ScrapeJob } from "./pod-targets.ts";

export const prometheusDir = join(stateDir, "prometheus");
export const targetsDir = join(prometheusDir, "targets");

export interface LocalTarget {
  /** A file-name-safe id, unique among running processes. */
  id: string;
  /** host:port of the process's /metrics. */
  address: string;
  job: ScrapeJob;
  /** For consumers: namespace, pod and name (the KafkaConsumerGroup), as their Pods would get. */
  labels?: Record<string, string>;
}

/** Registers a target; returns the function that removes it. */
export function registerScrapeTarget(target: LocalTarget): () => void {
  mkdirSync(targetsDir, { recursive: true });
  const file = join(targetsDir, `${target.job}-${target.id}.json`);
  writeFileSync(`${file}.tmp`, JSON.stringify([{ targets: [target.address], labels: target.labels ?? {} }]));
  // Renamed into place: Prometheus never reads half a file.
  renameSync(`${file}.tmp`, file);
  return () => rmSync(file, { force: true });
}
