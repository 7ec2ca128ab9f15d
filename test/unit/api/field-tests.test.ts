// docs/reference/field-tests.md names, for every spec field of the API reference, the tests that prove the field
// does what its row says. This keeps the list whole (a new field without a test fails here) and true (a test
// renamed or removed fails here too).
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { repoRoot } from "../../../operator/src/api/generated-files.ts";

const referencePath = join(repoRoot, "docs", "reference", "kafkaconsumergroup.md");
const listPath = join(repoRoot, "docs", "reference", "field-tests.md");

/** The spec fields of the reference: the first column of its "## spec" table. */
function referenceFields(): string[] {
  const text = readFileSync(referencePath, "utf8");
  const section = text.slice(text.indexOf("\n## spec\n"), text.indexOf("\n## Validation rules\n"));
  return [...section.matchAll(/^\| `(spec\.[^`]+)`/gm)].map((m) => m[1] as string);
}

interface TestRef {
  file: string;
  title: string;
}

function listedRows(): Map<string, TestRef[]> {
  const rows = new Map<string, TestRef[]>();
  for (const line of readFileSync(listPath, "utf8").split("\n")) {
    const row = /^\| `(spec\.[^`]+)` \| (.*?) \| (.*?) \|$/.exec(line);
    if (!row) continue;
    const refs = (row[2] as string)
      .split("<br>")
      .filter(Boolean)
      .map((cell) => {
        const ref = /^`([^`]+)`: "(.+)"$/.exec(cell.trim());
        assert.ok(ref, `${row[1]}: cannot read the test reference ${cell}`);
        return { file: ref[1] as string, title: ref[2] as string };
      });
    assert.ok(!rows.has(row[1] as string), `${row[1]} is listed twice`);
    rows.set(row[1] as string, refs);
  }
  return rows;
}

describe("docs/reference/field-tests.md", () => {
  const fields = referenceFields();
  const rows = listedRows();

  it("reads the reference's spec table", () => {
    assert.ok(fields.includes("spec.kafka.bootstrapServers") && fields.includes("spec.paused"), fields.join(", "));
  });

  it("lists every spec field of the reference, and no field the reference does not have", () => {
    assert.deepEqual(
      fields.filter((f) => !rows.has(f)),
      [],
      "fields without tests",
    );
    assert.deepEqual(
      [...rows.keys()].filter((f) => !fields.includes(f)),
      [],
      "rows for fields the reference does not have",
    );
  });

  it("names at least one test per field, and every test it names exists under that title", () => {
    const missing: string[] = [];
    for (const [field, refs] of rows) {
      if (refs.length === 0) missing.push(`${field}: no test`);
      for (const { file, title } of refs) {
        const path = join(repoRoot, file);
        if (!existsSync(path)) {
          missing.push(`${field}: ${file} does not exist`);
          continue;
        }
        // A title or table-row name is written as a string literal in its file.
        const source = readFileSync(path, "utf8");
        if (!['"', "'", "`"].some((q) => source.includes(`${q}${title}${q}`))) {
          missing.push(`${field}: ${file} has no test "${title}"`);
        }
      }
    }
    assert.deepEqual(missing, []);
  });
});
