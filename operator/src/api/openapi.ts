// Turns a zod schema into the structural OpenAPI v3 schema a CRD needs: zod's own JSON Schema output, with what
// Kubernetes forbids removed and what it spells differently rewritten. Refuses schemas a CRD cannot express.
import { z } from "zod";

export type JsonSchema = { [key: string]: unknown };

/** Key order of the output, so that the generated YAML reads top-down: what a field is, then its parts. */
const keyOrder = [
  "description",
  "type",
  "format",
  "enum",
  "default",
  "minimum",
  "maximum",
  "minLength",
  "maxLength",
  "pattern",
  "minItems",
  "maxItems",
  "maxProperties",
  "anyOf",
  "x-kubernetes-int-or-string",
  "x-kubernetes-preserve-unknown-fields",
  "x-kubernetes-list-type",
  "x-kubernetes-list-map-keys",
  "required",
  "properties",
  "items",
  "additionalProperties",
  "x-kubernetes-validations",
];

const forbidden = ["nullable", "exclusiveMinimum", "exclusiveMaximum", "oneOf", "allOf", "not", "$ref", "const"];

export function toStructuralSchema(schema: z.ZodType): JsonSchema {
  const json = z.toJSONSchema(schema, {
    io: "input",
    target: "openapi-3.0",
    unrepresentable: "throw",
    reused: "inline",
    cycles: "throw",
  }) as JsonSchema;
  const missingDescriptions: string[] = [];
  const result = clean(json, "", missingDescriptions);
  if (missingDescriptions.length > 0) {
    throw new Error(`fields without a description: ${missingDescriptions.join(", ")}`);
  }
  return withCompleteDefaults(result);
}

/**
 * The apiserver checks a default against the schema's rules without filling in the defaults nested in it, so an
 * object default of {} would fail a rule that reads its fields. Writes each object default out in full, as the
 * apiserver would end up storing it.
 */
function withCompleteDefaults(node: JsonSchema): JsonSchema {
  const out: JsonSchema = { ...node };
  if (isObject(out.properties)) {
    out.properties = Object.fromEntries(
      Object.entries(out.properties).map(([name, child]) => [name, withCompleteDefaults(child as JsonSchema)]),
    );
  }
  if (isObject(out.items)) out.items = withCompleteDefaults(out.items);
  if (isObject(out.default)) out.default = applyDefaults(out, out.default);
  return out;
}

function applyDefaults(schema: JsonSchema, value: JsonSchema): JsonSchema {
  if (!isObject(schema.properties)) return value;
  const filled: JsonSchema = { ...value };
  for (const [name, child] of Object.entries(schema.properties) as [string, JsonSchema][]) {
    if (!(name in filled) && child.default !== undefined) filled[name] = structuredClone(child.default);
    if (isObject(filled[name])) filled[name] = applyDefaults(child, filled[name]);
  }
  return filled;
}

function clean(node: JsonSchema, path: string, missing: string[]): JsonSchema {
  const out: JsonSchema = { ...node };
  delete out.$schema;
  for (const key of forbidden) {
    if (key in out) throw new Error(`${path || "(root)"}: "${key}" cannot be expressed in a structural CRD schema`);
  }
  if (out.minimum === -Number.MAX_SAFE_INTEGER) delete out.minimum;
  if (out.maximum === Number.MAX_SAFE_INTEGER) delete out.maximum;
  // A date-time format is checked by the apiserver itself; zod's long regex for it adds nothing.
  if (out.format === "date-time") delete out.pattern;

  if (out["x-kubernetes-int-or-string"] === true) {
    const branches = (out.anyOf ?? []) as JsonSchema[];
    const stringBranch = branches.find((b) => b.type === "string");
    delete out.type;
    out.anyOf = [{ type: "integer" }, { type: "string" }];
    if (stringBranch?.pattern) out.pattern = stringBranch.pattern;
  } else if ("anyOf" in out) {
    throw new Error(`${path || "(root)"}: unions other than int-or-string cannot be expressed in a structural schema`);
  }

  if (out.additionalProperties === false) {
    delete out.additionalProperties;
  } else if (isObject(out.additionalProperties)) {
    if (Object.keys(out.additionalProperties).length === 0) {
      delete out.additionalProperties;
      out["x-kubernetes-preserve-unknown-fields"] = true;
    } else {
      out.additionalProperties = clean(out.additionalProperties, `${path}{}`, missing);
    }
  }
  if (isObject(out.properties)) {
    const properties: JsonSchema = {};
    for (const [name, child] of Object.entries(out.properties)) {
      const childPath = path ? `${path}.${name}` : name;
      if (!isObject(child)) throw new Error(`${childPath}: not a schema`);
      if (typeof child.description !== "string" || child.description.length === 0) missing.push(childPath);
      properties[name] = clean(child, childPath, missing);
    }
    if (Object.keys(properties).length > 0) out.properties = properties;
    else delete out.properties;
  }
  if (isObject(out.items)) out.items = clean(out.items, `${path}[]`, missing);
  // kubectl explain shows descriptions but not defaults: say the default in words.
  const scalarDefault = ["string", "number", "boolean"].includes(typeof out.default);
  if (scalarDefault && typeof out.description === "string" && !/\bDefault\b/.test(out.description)) {
    out.description = `${out.description} Default: ${out.default}.`;
  }
  return ordered(out);
}

function ordered(node: JsonSchema): JsonSchema {
  const rank = (key: string) => {
    const index = keyOrder.indexOf(key);
    return index === -1 ? keyOrder.length : index;
  };
  return Object.fromEntries(Object.entries(node).sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b)));
}

function isObject(value: unknown): value is JsonSchema {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
