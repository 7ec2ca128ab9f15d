// The files generated from the schema, rendered in memory: generate.ts writes them, a test compares them with the
// checked-in copies.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import yaml from "js-yaml";
import { buildCrd, openApiSchema } from "./crd.ts";
import { referenceMarkdown } from "./reference.ts";

export const repoRoot = join(import.meta.dirname, "..", "..", "..");

export interface GeneratedFile {
  /** Relative to the repository root. */
  path: string;
  content: string;
}

const crdHeader =
  "# Generated from the zod schema in operator/src/api by `node operator/src/api/generate.ts`; do not edit.\n" +
  "# Install: kubectl apply --server-side -f crds/kafkaconsumergroups.lagpilot.dev.yaml\n";

export function generatedFiles(): GeneratedFile[] {
  const minimal = readFileSync(join(repoRoot, "crds", "examples", "minimal.yaml"), "utf8");
  return [
    {
      path: "crds/kafkaconsumergroups.lagpilot.dev.yaml",
      content: crdHeader + yaml.dump(buildCrd(), { lineWidth: -1, noRefs: true, quotingType: '"' }),
    },
    {
      path: "docs/reference/kafkaconsumergroup.md",
      content: referenceMarkdown(openApiSchema(), minimal.replace(/^#.*\n/gm, "")),
    },
  ];
}
