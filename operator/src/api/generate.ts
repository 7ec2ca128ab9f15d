// Writes the CRD and the API reference from the zod schema. `--check` writes nothing and exits 1 when a checked-in
// file differs from a fresh generation.
//   node operator/src/api/generate.ts [--check]
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { generatedFiles, repoRoot } from "./generated-files.ts";

const check = process.argv.includes("--check");
let stale = 0;
for (const file of generatedFiles()) {
  const target = join(repoRoot, file.path);
  let current: string | undefined;
  try {
    current = readFileSync(target, "utf8");
  } catch {
    current = undefined;
  }
  if (current === file.content) continue;
  if (check) {
    stale++;
    process.stderr.write(`${file.path} is out of date: run node operator/src/api/generate.ts\n`);
  } else {
    writeFileSync(target, file.content);
    process.stdout.write(`wrote ${file.path}\n`);
  }
}
process.exitCode = stale > 0 ? 1 : 0;
