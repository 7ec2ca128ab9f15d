// How long each provisioning step usually takes: the last first-time run on this machine, recorded in the
// cache beside the artifacts, or else what a first run took on a 2-core machine with a warm network.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cacheRoot } from "../layout.ts";

/** Seconds measured on a 2-core machine, first run, empty Go and Maven caches. */
const MEASURED_ON_TWO_CORES: Record<string, number> = {
  "debian packages": 60,
  kafka: 30,
  kubernetes: 900,
  "pause image": 10,
  "toolbox image": 10,
  etcd: 120,
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
