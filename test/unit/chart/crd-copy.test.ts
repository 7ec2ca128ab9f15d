// The chart installs the CRD from its crds/ folder (docs/adr/0005-chart-crd-placement.md); that copy must be
// the generated file in crds/, byte for byte.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { chartDir, repoRoot } from "./paths.ts";

const file = "kafkaconsumergroups.lagpilot.dev.yaml";

describe("chart CRD", () => {
  it(`charts/lagpilot/crds/${file} is identical to crds/${file}`, () => {
    const generated = readFileSync(join(repoRoot, "crds", file));
    const shipped = readFileSync(join(chartDir, "crds", file));
    assert.ok(
      generated.equals(shipped),
      `the chart's CRD differs from the generated one: run cp crds/${file} charts/lagpilot/crds/${file}`,
    );
  });
});
