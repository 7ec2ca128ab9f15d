// The generated CRD: in step with the schema, structural, and carrying what kubectl users rely on.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import yaml from "js-yaml";
import { z } from "zod";
import { buildCrd, openApiSchema, printerColumns } from "../../../operator/src/api/crd.ts";
import { generatedFiles, repoRoot } from "../../../operator/src/api/generated-files.ts";
import { type JsonSchema, toStructuralSchema } from "../../../operator/src/api/openapi.ts";

type Node = { [key: string]: unknown };

/** Every schema node with its path, for checks that must hold everywhere. */
function* nodes(schema: Node, path = ""): Generator<[string, Node]> {
  yield [path || "(root)", schema];
  for (const [name, child] of Object.entries((schema.properties ?? {}) as Record<string, Node>)) {
    yield* nodes(child, `${path}.${name}`);
  }
  if (schema.items) yield* nodes(schema.items as Node, `${path}[]`);
  if (typeof schema.additionalProperties === "object") yield* nodes(schema.additionalProperties as Node, `${path}{}`);
}

describe("generated files", () => {
  for (const file of generatedFiles()) {
    it(`${file.path} matches a fresh generation (run: node operator/src/api/generate.ts)`, () => {
      const checkedIn = readFileSync(join(repoRoot, file.path), "utf8");
      assert.ok(checkedIn === file.content, `${file.path} is stale: run node operator/src/api/generate.ts`);
    });
  }

  it("the checked-in CRD file parses back to the CRD object", () => {
    const file = readFileSync(join(repoRoot, "crds", "kafkaconsumergroups.lagpilot.dev.yaml"), "utf8");
    assert.deepEqual(yaml.load(file), JSON.parse(JSON.stringify(buildCrd())));
  });
});

describe("CRD", () => {
  const crd = buildCrd();
  const version = crd.spec.versions[0];
  const schema = openApiSchema() as Node;

  it("is lagpilot.dev/v1alpha1 KafkaConsumerGroup, short name kcg, in a category", () => {
    assert.equal(crd.metadata.name, "kafkaconsumergroups.lagpilot.dev");
    assert.equal(crd.spec.scope, "Namespaced");
    assert.equal(version?.name, "v1alpha1");
    assert.deepEqual(crd.spec.names.shortNames, ["kcg"]);
    assert.ok(crd.spec.names.categories.length > 0);
  });

  it("has status and scale subresources, the selector from status.selector", () => {
    assert.deepEqual(version?.subresources, {
      status: {},
      scale: {
        specReplicasPath: ".spec.replicas",
        statusReplicasPath: ".status.replicas",
        labelSelectorPath: ".status.selector",
      },
    });
  });

  it("prints Tier, Replicas, Ready, Partitions, Lag, Lag(s), Status, Age by default", () => {
    assert.deepEqual(
      printerColumns.filter((c) => !c.priority).map((c) => c.name),
      ["Tier", "Replicas", "Ready", "Partitions", "Lag", "Lag(s)", "Status", "Age"],
    );
    const status = printerColumns.find((c) => c.name === "Status");
    assert.equal(status?.jsonPath, '.status.conditions[?(@.type=="Ready")].reason');
  });

  it("describes every field of spec and status", () => {
    const missing: string[] = [];
    for (const [path, node] of nodes(schema)) {
      const isField = path !== "(root)" && !path.endsWith("[]") && !path.endsWith("{}") && path !== ".metadata";
      if (isField && typeof node.description !== "string") missing.push(path);
    }
    assert.deepEqual(missing, []);
  });

  it("is structural: no additionalProperties false, no unions but int-or-string, typed everywhere", () => {
    for (const [path, node] of nodes(schema)) {
      assert.notEqual(node.additionalProperties, false, path);
      if (node.anyOf) assert.equal(node["x-kubernetes-int-or-string"], true, path);
      if (!node.anyOf) assert.equal(typeof node.type, "string", `${path} has no type`);
      for (const key of ["nullable", "oneOf", "allOf", "$ref", "$schema", "const"])
        assert.ok(!(key in node), `${path}.${key}`);
    }
  });

  it("bounds every list, so that CEL rules over them have a bounded cost", () => {
    for (const [path, node] of nodes(schema)) {
      if (node.type === "array") assert.equal(typeof node.maxItems, "number", `${path} has no maxItems`);
    }
  });

  it("writes object defaults out in full, as the apiserver stores them", () => {
    const spec = (schema.properties as Record<string, Node>).spec as Node;
    const autoscaling = (spec.properties as Record<string, Node>).autoscaling as Node;
    const fullDefault = autoscaling.default as Record<string, unknown>;
    assert.equal(fullDefault.minReplicas, 1);
    assert.deepEqual(fullDefault.scaleDown, { stabilizationSeconds: 300, maxStep: 2 });
    assert.equal((fullDefault.partitions as Record<string, unknown>).enabled, false);
  });

  it("has a CEL rule for each cross-field constraint", () => {
    const rules: string[] = [];
    for (const [path, node] of nodes(schema)) {
      for (const v of (node["x-kubernetes-validations"] ?? []) as { fieldPath?: string }[]) {
        rules.push(`${path}${v.fieldPath ?? ""}`);
      }
    }
    for (const expected of [
      ".spec.autoscaling.minReplicas",
      ".spec.batch",
      ".spec.processing.deadLetter.topic",
      ".spec.groupId",
      ".spec.autoscaling.partitions.max",
      ".spec.processing.handler",
      ".spec.processing.handler.builtin.topic",
      ".spec.consumer.heartbeatIntervalMs",
    ]) {
      assert.ok(
        rules.some((r) => r.replace("(root)", "") === expected),
        `no rule for ${expected}: ${rules.join(", ")}`,
      );
    }
  });

  it("does not default the values a profile sets, so that the profile can set them", () => {
    const spec = (schema.properties as Record<string, Node>).spec as Node;
    const props = spec.properties as Record<string, Node>;
    assert.equal(props.tier?.default, undefined);
    for (const [path, node] of nodes(props.consumer as Node, "consumer")) assert.equal(node.default, undefined, path);
    for (const [path, node] of nodes(props.batch as Node, "batch")) assert.equal(node.default, undefined, path);
  });
});

describe("toStructuralSchema", () => {
  it("refuses a field without a description, naming it", () => {
    const schema = z.strictObject({ a: z.string().describe("a"), b: z.strictObject({ c: z.int() }).describe("b") });
    assert.throws(() => toStructuralSchema(schema), /fields without a description: b\.c/);
  });

  it("refuses unions a structural schema cannot express", () => {
    const schema = z.strictObject({ a: z.union([z.string(), z.boolean()]).describe("a") });
    assert.throws(() => toStructuralSchema(schema), /unions other than int-or-string/);
  });

  it("turns open objects into preserve-unknown-fields and int-or-string unions into the Kubernetes form", () => {
    const schema = z.strictObject({
      open: z.looseObject({}).describe("open"),
      size: z
        .union([z.int(), z.string().regex(/^[0-9]+Mi$/)])
        .meta({ "x-kubernetes-int-or-string": true })
        .describe("size"),
    });
    const out = toStructuralSchema(schema) as { properties: Record<string, JsonSchema> };
    assert.deepEqual(out.properties.open, {
      description: "open",
      type: "object",
      "x-kubernetes-preserve-unknown-fields": true,
    });
    assert.deepEqual(out.properties.size, {
      description: "size",
      pattern: "^[0-9]+Mi$",
      anyOf: [{ type: "integer" }, { type: "string" }],
      "x-kubernetes-int-or-string": true,
    });
  });
});
