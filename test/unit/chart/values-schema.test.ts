// values.schema.json closes every object (a misspelt key fails `helm install`) and describes exactly the keys
// values.yaml documents.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import yaml from "js-yaml";
import { chartDir } from "./paths.ts";

interface Schema {
  type?: string;
  description?: string;
  properties?: Record<string, Schema>;
  additionalProperties?: boolean | Schema;
  items?: Schema;
}

const schema = JSON.parse(readFileSync(join(chartDir, "values.schema.json"), "utf8")) as Schema;
const values = yaml.load(readFileSync(join(chartDir, "values.yaml"), "utf8")) as Record<string, unknown>;

function* schemaNodes(node: Schema, path = "(root)"): Generator<[string, Schema]> {
  yield [path, node];
  for (const [key, child] of Object.entries(node.properties ?? {})) yield* schemaNodes(child, `${path}.${key}`);
  if (node.items) yield* schemaNodes(node.items, `${path}[]`);
}

/** Keys missing on either side, for every schema object with declared properties. */
function keyDrift(node: Schema, value: unknown, path: string): string[] {
  if (!node.properties || typeof value !== "object" || value === null || Array.isArray(value)) return [];
  const declared = Object.keys(node.properties);
  const present = Object.keys(value);
  return [
    ...present
      .filter((key) => !declared.includes(key))
      .map((key) => `${path}.${key}: in values.yaml, not in the schema`),
    ...declared
      .filter((key) => !present.includes(key))
      .map((key) => `${path}.${key}: in the schema, not in values.yaml`),
    ...declared.flatMap((key) =>
      keyDrift(node.properties?.[key] ?? {}, (value as Record<string, unknown>)[key], `${path}.${key}`),
    ),
  ];
}

describe("values.schema.json", () => {
  it("closes every object with declared properties (additionalProperties: false)", () => {
    const open = [...schemaNodes(schema)]
      .filter(([, node]) => node.properties && node.additionalProperties !== false)
      .map(([path]) => path);
    assert.deepEqual(open, []);
  });

  it("describes every key", () => {
    const undescribed = [...schemaNodes(schema)].filter(([, node]) => !node.description).map(([path]) => path);
    assert.deepEqual(
      undescribed.filter((path) => !path.endsWith("[]")),
      [],
    );
  });

  it("has exactly the keys of values.yaml", () => {
    assert.deepEqual(keyDrift(schema, values, "(root)"), []);
  });
});
