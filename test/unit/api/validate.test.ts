// The operator's validation: the same verdicts as the apiserver, messages that name the field, and no crash on
// anything an older CRD (or none) could let through.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { API_VERSION, KIND } from "../../../operator/src/api/group.ts";
import { validateKafkaConsumerGroup } from "../../../operator/src/api/validate.ts";
import { invalidCases, mergePatch, validBase } from "./invalid-objects.ts";

function namesField(issueField: string, field: string): boolean {
  return issueField === field || issueField.startsWith(`${field}.`) || issueField.startsWith(`${field}[`);
}

describe("validateKafkaConsumerGroup", () => {
  it("accepts the valid base object and applies the CRD's defaults", () => {
    const result = validateKafkaConsumerGroup(validBase());
    assert.ok(result.valid, result.valid ? "" : result.message);
    assert.equal(result.object.spec.replicas, 1);
    assert.equal(result.object.spec.startFrom, "latest");
    assert.equal(result.object.spec.tier, undefined, "tier is resolved, not defaulted");
  });

  for (const testCase of invalidCases.filter((c) => !c.onUpdate)) {
    it(`refuses ${testCase.name}, naming ${testCase.field}`, () => {
      const object = mergePatch(validBase(), testCase.patch);
      const result = validateKafkaConsumerGroup(object);
      assert.equal(result.valid, false, `accepted: ${JSON.stringify(object)}`);
      if (result.valid) return;
      const named = result.issues.filter((issue) => namesField(issue.field, testCase.field));
      assert.ok(named.length > 0, `no issue names ${testCase.field}: ${result.message}`);
      assert.match(result.message, new RegExp(testCase.field.replaceAll(".", "\\.").replaceAll("[", "\\[")));
      if (testCase.says) {
        assert.ok(
          named.some((issue) => testCase.says?.test(issue.message)),
          `${JSON.stringify(named)} does not say ${testCase.says}`,
        );
      }
    });
  }

  it("has at least 25 invalid objects in the table", () => {
    assert.ok(invalidCases.length >= 25, String(invalidCases.length));
  });

  const garbage: { name: string; value: unknown }[] = [
    { name: "null", value: null },
    { name: "a string", value: "kind: KafkaConsumerGroup" },
    { name: "an array", value: [validBase()] },
    { name: "an empty object", value: {} },
    { name: "spec as a list", value: { ...validBase(), spec: [] } },
    { name: "topics as an object", value: mergePatch(validBase(), { spec: { topics: { a: 1 } } }) },
    { name: "handler as a number", value: mergePatch(validBase(), { spec: { processing: { handler: 7 } } }) },
    { name: "deeply nested junk", value: mergePatch(validBase(), { spec: { autoscaling: { partitions: "x" } } }) },
    { name: "wrong apiVersion", value: { ...validBase(), apiVersion: "lagpilot.dev/v2" } },
    { name: "no metadata", value: { apiVersion: API_VERSION, kind: KIND, spec: validBase().spec } },
  ];
  for (const { name, value } of garbage) {
    it(`returns a verdict, not an exception, for ${name}`, () => {
      const result = validateKafkaConsumerGroup(value);
      assert.equal(result.valid, false);
      if (!result.valid) assert.ok(result.message.length > 0);
    });
  }

  it("reports an unknown field by its full path", () => {
    const result = validateKafkaConsumerGroup(mergePatch(validBase(), { spec: { replica: 3 } }));
    assert.equal(result.valid, false);
    if (!result.valid)
      assert.deepEqual(
        result.issues.map((i) => i.field),
        ["spec.replica"],
      );
  });

  it("ignores a status it cannot read instead of refusing the spec", () => {
    const result = validateKafkaConsumerGroup({ ...validBase(), status: { replicas: "three", conditions: 5 } });
    assert.ok(result.valid);
    if (result.valid) assert.equal(result.object.status, undefined);
  });

  it("refuses a groupId that differs from the one in use (status.resolved.groupId)", () => {
    const inUse = {
      groupId: "shop.orders",
      tier: "Standard",
      consumer: {
        sessionTimeoutMs: 30000,
        heartbeatIntervalMs: 3000,
        rebalanceTimeoutMs: 60000,
        requestTimeoutMs: 30000,
        fetchMinBytes: 1,
        fetchMaxWaitMs: 100,
        maxBytesPerPartition: 1048576,
        maxPollRecords: 500,
      },
      commit: { mode: "interval", intervalMs: 1000 },
      sources: {},
    };
    const base = mergePatch(validBase(), { metadata: { namespace: "shop" }, status: { resolved: inUse } });
    const same = validateKafkaConsumerGroup(base);
    assert.ok(same.valid, same.valid ? "" : same.message);

    const changed = validateKafkaConsumerGroup(mergePatch(base, { spec: { groupId: "orders-v2" } }));
    assert.equal(changed.valid, false);
    if (!changed.valid) {
      assert.equal(changed.issues[0]?.field, "spec.groupId");
      assert.match(changed.message, /changed from "shop.orders" to "orders-v2"/);
    }
  });

  it("keeps a long list of problems to a bounded message", () => {
    const topics = Array.from({ length: 100 }, (_, i) => `bad/topic-${i}`);
    const result = validateKafkaConsumerGroup(mergePatch(validBase(), { spec: { topics } }));
    assert.equal(result.valid, false);
    if (!result.valid) {
      assert.equal(result.issues.length, 100);
      assert.ok(result.message.length <= 2048, String(result.message.length));
      assert.match(result.message, /100 problems in all/);
    }
  });
});
