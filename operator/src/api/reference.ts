// Renders the API reference page from the same structural schema the CRD carries, plus the profile table, so the
// page cannot drift from what the apiserver enforces.
import { printerColumns } from "./crd.ts";
import { API_VERSION, CATEGORIES, KIND, SHORT_NAMES } from "./group.ts";
import { rootRules } from "./object.ts";
import type { JsonSchema } from "./openapi.ts";
import { builtinDefaults, profileNames, profiles } from "./profiles.ts";
import { conditionTypes, readyReasons } from "./status.ts";

interface Row {
  path: string;
  type: string;
  required: boolean;
  defaultValue: string;
  constraints: string;
  description: string;
}

interface RuleRow {
  where: string;
  field: string;
  message: string;
  rule: string;
}

export function referenceMarkdown(openApi: JsonSchema, minimalExample: string): string {
  const properties = openApi.properties as Record<string, JsonSchema>;
  const specRows: Row[] = [];
  const statusRows: Row[] = [];
  const rules: RuleRow[] = [];
  for (const rule of rootRules) {
    rules.push({ where: "", field: (rule.field ?? []).join(".") || "(object)", message: rule.message, rule: rule.cel });
  }
  collectRules(properties.spec as JsonSchema, "spec", rules);
  walk(properties.spec as JsonSchema, "spec", specRows, rules);
  walk(properties.status as JsonSchema, "status", statusRows, []);

  return [
    `# ${KIND} API reference`,
    "",
    `<!-- Generated from operator/src/api by \`node operator/src/api/generate.ts\`; do not edit by hand. -->`,
    "",
    `\`apiVersion: ${API_VERSION}\`, \`kind: ${KIND}\`, namespaced; short name \`${SHORT_NAMES.join(", ")}\`, ` +
      `category \`${CATEGORIES.join(", ")}\` (\`kubectl get ${CATEGORIES[0]}\`). ` +
      "The zod schema in `operator/src/api/` is the source of this page, of the CRD in `crds/`, and of the " +
      "operator's own validation. Examples: `crds/examples/`.",
    "",
    "The smallest useful object:",
    "",
    "```yaml",
    minimalExample.trim(),
    "```",
    "",
    "## How settings are resolved",
    "",
    "Tuning values (`tier`, `batch`, `consumer`, `processing.commit`) have no defaults in the CRD: each unset " +
      "value comes from the `profile` when it sets one, else from the built-in default. Values written in the spec " +
      "always win. `status.resolved` shows the result and, in `status.resolved.sources`, where each value came from. " +
      "Other fields get their defaults from the apiserver when the object is stored.",
    "",
    profileTable(),
    "",
    "## spec",
    "",
    rowTable(specRows),
    "",
    "## Validation rules",
    "",
    "Besides types, bounds and enums, the apiserver enforces these rules (CEL, `x-kubernetes-validations`); the " +
      "operator checks the same rules again, except the ones comparing an object with its previous version " +
      "(marked *on update*), and reports a violation through the Ready condition (reason `InvalidSpec`) and an Event.",
    "",
    "| Field | Rule |",
    "|---|---|",
    ...rules.map((r) => `| \`${r.field}\` | ${cell(r.message)}${r.rule.includes("oldSelf") ? " *(on update)*" : ""} |`),
    "",
    "## status",
    "",
    rowTable(statusRows),
    "",
    "### Conditions",
    "",
    `Types: ${conditionTypes.map((t) => `\`${t}\``).join(", ")}. Each has \`status\`, \`reason\`, \`message\`, ` +
      "`lastTransitionTime` and `observedGeneration`.",
    "",
    "Reasons of `Ready` (the `Status` column):",
    "",
    ...Object.values(readyReasons).map((reason) => `- \`${reason}\``),
    "",
    "## kubectl",
    "",
    "`kubectl get kcg` columns (`-o wide` adds the ones marked wide):",
    "",
    "| Column | From | |",
    "|---|---|---|",
    ...printerColumns.map(
      (c) => `| ${c.name} | \`${cell(c.jsonPath)}\` | ${c.priority ? "wide: " : ""}${cell(c.description)} |`,
    ),
    "",
    "Subresources: `status`, and `scale` (`kubectl scale kcg/NAME --replicas=N` sets `spec.replicas`; " +
      "the selector comes from `status.selector`). `kubectl explain kcg.spec` shows every description above.",
    "",
  ].join("\n");
}

function profileTable(): string {
  const header = `| Setting | default | ${profileNames.map((name) => `\`${name}\``).join(" | ")} |`;
  const separator = `|---|---|${profileNames.map(() => "---").join("|")}|`;
  const line = (label: string, fallback: unknown, value: (name: (typeof profileNames)[number]) => unknown) =>
    `| ${label} | ${fallback} | ${profileNames.map((name) => value(name) ?? "").join(" | ")} |`;
  const lines = [
    header,
    separator,
    line("tier", builtinDefaults.tier, (name) => profiles[name].tier),
    ...(Object.keys(builtinDefaults.batch) as (keyof typeof builtinDefaults.batch)[]).map((key) =>
      line(`batch.${key}`, builtinDefaults.batch[key], (name) => profiles[name].batch?.[key]),
    ),
    ...(Object.keys(builtinDefaults.consumer) as (keyof typeof builtinDefaults.consumer)[]).map((key) =>
      line(`consumer.${key}`, builtinDefaults.consumer[key], (name) => profiles[name].consumer?.[key]),
    ),
    ...(Object.keys(builtinDefaults.commit) as (keyof typeof builtinDefaults.commit)[]).map((key) =>
      line(`processing.commit.${key}`, builtinDefaults.commit[key], (name) => profiles[name].commit?.[key]),
    ),
  ];
  const summaries = profileNames.map((name) => `- \`${name}\`: ${profiles[name].summary}`);
  return [
    ...lines,
    "",
    "An empty cell keeps the default. `batch` applies to the Buffered and Dedicated tiers only.",
    "",
    ...summaries,
  ].join("\n");
}

function walk(schema: JsonSchema, path: string, rows: Row[], rules: RuleRow[]) {
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((schema.required ?? []) as string[]);
  for (const [name, child] of Object.entries(properties)) {
    const childPath = `${path}.${name}`;
    rows.push({
      path: childPath,
      type: typeName(child),
      required: required.has(name),
      defaultValue: child.default === undefined ? "" : JSON.stringify(child.default),
      constraints: constraints(child),
      description: String(child.description ?? ""),
    });
    collectRules(child, childPath, rules);
    if (child.properties) walk(child, childPath, rows, rules);
    const items = child.items as JsonSchema | undefined;
    if (items?.properties) {
      collectRules(items, `${childPath}[]`, rules);
      walk(items, `${childPath}[]`, rows, rules);
    }
  }
}

function collectRules(schema: JsonSchema, path: string, rules: RuleRow[]) {
  const validations = (schema["x-kubernetes-validations"] ?? []) as {
    rule: string;
    message: string;
    fieldPath?: string;
  }[];
  for (const v of validations) {
    const field = `${path}${v.fieldPath ?? ""}`.replace(/^\./, "") || "(object)";
    rules.push({ where: path, field, message: v.message, rule: v.rule });
  }
}

function typeName(schema: JsonSchema): string {
  if (schema["x-kubernetes-int-or-string"]) return "int-or-string";
  if (schema.type === "array") return `[]${typeName((schema.items ?? {}) as JsonSchema)}`;
  if (schema.type === "object" && schema.additionalProperties) {
    return `map[string]${typeName(schema.additionalProperties as JsonSchema)}`;
  }
  return String(schema.type ?? "any");
}

function constraints(schema: JsonSchema): string {
  const parts: string[] = [];
  if (Array.isArray(schema.enum)) parts.push(`one of ${schema.enum.map((v) => `\`${v}\``).join(", ")}`);
  if (schema.minimum !== undefined || schema.maximum !== undefined) {
    parts.push(`${schema.minimum ?? ""}..${schema.maximum ?? ""}`);
  }
  if (schema.minItems !== undefined || schema.maxItems !== undefined) {
    parts.push(`${schema.minItems ?? 0}..${schema.maxItems ?? ""} items`);
  }
  if (schema["x-kubernetes-list-type"] === "set") parts.push("unique");
  if (schema.maxLength !== undefined) parts.push(`at most ${schema.maxLength} chars`);
  if (schema.maxProperties !== undefined) parts.push(`at most ${schema.maxProperties} entries`);
  if (schema.format) parts.push(String(schema.format));
  return parts.join("; ");
}

function rowTable(rows: Row[]): string {
  return [
    "| Field | Type | Default | Constraints | Description |",
    "|---|---|---|---|---|",
    ...rows.map(
      (r) =>
        `| \`${r.path}\`${r.required ? " (required)" : ""} | ${cell(r.type)} | ${r.defaultValue ? `\`${cell(r.defaultValue)}\`` : ""} | ${cell(r.constraints)} | ${cell(r.description)} |`,
    ),
  ].join("\n");
}

function cell(text: string): string {
  return text.replaceAll("|", "\\|").replaceAll("\n", " ");
}
