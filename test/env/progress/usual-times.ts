// How long each provisioning step usually takes: the last first-time run on this machine, recorded in the
// cache beside the artifacts, or else what a first run took on a 2-core machine with a warm network.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cacheRoot } from "../layout.ts";

/**
 * Seconds of a first run on an otherwise idle 2-core machine, empty Go and Maven caches. A busy machine
 * takes longer: Kubernetes took 31 minutes on one shared by several builds.
 */
const MEASURED_ON_TWO_CORES: Record<string, number> = {
  "debian packages": 15,
  kafka: 10,
  kubernetes: 420,
  "pause image": 5,
  "toolbox image": 5,
  etcd: 150,
  helm: 150,
};

const timesFile = () => join(cacheRoot, "step-times.json");

function recorded(): Record<string, number> {
  try {
    return existsSync(timesFile()) ? (JSON.parse(readFileSync(timesFile(), "utf8")) as Record<string, number>) : {};
  } catch {
    return {};
  }
}

export function usualMs(step: string): number | undefined {
  const seconds = recorded()[step] ?? MEASURED_ON_TWO_CORES[step];
  return seconds === undefined ? undefined : seconds * 1000;
}

export function recordStepTime(step: string, ms: number) {
  mkdirSync(cacheRoot, { recursive: true });
  writeFileSync(timesFile(), `${JSON.stringify({ ...recorded(), [step]: Math.round(ms / 1000) }, null, 2)}\n`);
}
