// `npm ci` refuses a lockfile that lacks an entry for any optional dependency, even one for another platform
// (Biome ships one binary package per platform). A fresh clone must install with `npm ci` and stay clean.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { repoRoot } from "../../env/layout.ts";

interface LockEntry {
  optionalDependencies?: Record<string, string>;
  version?: string;
}

const lock = JSON.parse(readFileSync(`${repoRoot}package-lock.json`, "utf8")) as {
  packages: Record<string, LockEntry>;
};

/** Node's lookup: the package's own node_modules first, then each parent's, up to the root. */
function resolve(fromPath: string, name: string): LockEntry | undefined {
  let base = fromPath;
  for (;;) {
    const entry = lock.packages[`${base ? `${base}/` : ""}node_modules/${name}`];
    if (entry) return entry;
    if (!base) return undefined;
    const cut = base.lastIndexOf("/node_modules/");
    base = cut >= 0 ? base.slice(0, cut) : "";
  }
}

describe("package-lock.json", () => {
  it("has an entry for every optional dependency of every platform", () => {
    const missing: string[] = [];
    for (const [path, entry] of Object.entries(lock.packages)) {
      for (const [name, range] of Object.entries(entry.optionalDependencies ?? {})) {
        if (!resolve(path, name)) missing.push(`${name}@${range} (wanted by ${path || "the root"})`);
      }
    }
    assert.deepEqual(missing, [], "regenerate with `npm install --package-lock-only` without node_modules");
  });
});
