// Where the local stack keeps things: a per-checkout state folder (git-ignored) for running processes,
// and a per-user cache, keyed by the inputs that produced each artifact, for everything slow to build.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = fileURLToPath(new URL("../../", import.meta.url));
export const envSourceDir = join(repoRoot, "test", "env");
export const stateDir = join(repoRoot, ".lagpilot");
export const binDir = join(stateDir, "bin");
export const logDir = join(stateDir, "logs");
export const envFile = join(stateDir, "env.json");
export const stackFile = join(stateDir, "stack.json");

export const cacheRoot = join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "lagpilot");

/** Versions that are not pinned by a checked-in go.mod or pom.xml. */
export const HELM = { module: "helm.sh/helm/v3", version: "v3.22.0", command: "./cmd/helm" };

/** A cache key that changes whenever one of the given input files (or extra strings) changes. */
export function inputKey(files: string[], extra: string[] = []): string {
  const hash = createHash("sha256");
  for (const file of files) hash.update(readFileSync(file));
  for (const value of extra) hash.update(value);
  return hash.digest("hex").slice(0, 12);
}
