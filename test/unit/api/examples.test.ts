// The examples in crds/examples/ are valid, cover the cases users ask about, and resolve as their comments say.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import yaml from "js-yaml";
import { repoRoot } from "../../../operator/src/api/generated-files.ts";
import { KIND } from "../../../operator/src/api/group.ts";
import { resolveSettings } from "../../../operator/src/api/resolve.ts";
import { validateKafkaConsumerGroup } from "../../../operator/src/api/validate.ts";
import { toScalingSettings } from "../../../operator/src/reconcile/scaling-settings.ts";
import { decidePartitionGrowth } from "../../../operator/src/scaling/partitions.ts";

const dir = join(repoRoot, "crds", "examples");
const files = readdirSync(dir).filter((f) => f.endsWith(".yaml"));

function groups(file: string) {
  return yaml
    .loadAll(readFileSync(join(dir, file), "utf8"))
    .filter((doc): doc is { kind: string } => (doc as { kind?: string } | null)?.kind === KIND);
}

function resolved(file: string) {
  const result = validateKafkaConsumerGroup(groups(file)[0]);
  assert.ok(result.valid, result.valid ? "" : result.message);
  return resolveSettings(result.object.spec, { namespace: "default", name: result.object.metadata.name });
}

describe("crds/examples", () => {
  it("has the examples users look for", () => {
    for (const name of [
      "minimal.yaml",
      "buffered-analytics.yaml",
      "dedicated-high-volume.yaml",
      "ai-inference-http-sidecar.yaml",
      "sasl-tls.yaml",
      "scale-to-zero-partition-growth.yaml",
    ]) {
      assert.ok(files.includes(name), name);
    }
  });

  for (const file of files) {
    it(`${file}: every KafkaConsumerGroup in it passes validation, and it explains itself`, () => {
      const text = readFileSync(join(dir, file), "utf8");
      assert.match(text, /^# /, "starts with a comment saying what it shows");
      const found = groups(file);
      assert.ok(found.length > 0, "holds a KafkaConsumerGroup");
      for (const group of found) {
        const result = validateKafkaConsumerGroup(group);
        assert.ok(result.valid, result.valid ? "" : result.message);
      }
    });
  }

  it("minimal.yaml is ten lines of spec or fewer", () => {
    const text = readFileSync(join(dir, "minimal.yaml"), "utf8");
    const specLines = text
      .split("\n")
      .slice(text.split("\n").indexOf("spec:") + 1)
      .filter((l) => l.trim());
    assert.ok(specLines.length <= 10, String(specLines.length));
  });

  it("resolves each example to the settings its comment promises", () => {
    assert.equal(resolved("minimal.yaml").tier, "Standard");
    const analytics = resolved("buffered-analytics.yaml");
    assert.deepEqual(
      [analytics.tier, analytics.batch?.size, analytics.consumer.fetchMinBytes],
      ["Buffered", 128, 10_240],
    );
    const volume = resolved("dedicated-high-volume.yaml");
    assert.deepEqual(
      [volume.tier, volume.consumer.fetchMinBytes, volume.consumer.fetchMaxWaitMs],
      ["Dedicated", 51_200, 100],
    );
    const inference = resolved("ai-inference-http-sidecar.yaml");
    assert.deepEqual([inference.consumer.maxPollRecords, inference.consumer.rebalanceTimeoutMs], [1, 900_000]);
    assert.equal(resolved("db-writer.yaml").commit.mode, "batch");
  });

  it("scale-to-zero-partition-growth.yaml grows exports.requested and only recommends the keyed reports.requested", () => {
    const result = validateKafkaConsumerGroup(groups("scale-to-zero-partition-growth.yaml")[0]);
    assert.ok(result.valid, result.valid ? "" : result.message);
    const { autoscaling } = toScalingSettings(result.object.spec);
    const [reports, exports] = result.object.spec.topics;
    assert.deepEqual([reports, exports], ["reports.requested", "exports.requested"]);
    const outcome = decidePartitionGrowth({
      settings: autoscaling.partitions,
      maxReplicas: autoscaling.maxReplicas,
      topics: new Map([
        ["reports.requested", 6],
        ["exports.requested", 6],
      ]),
      topicRates: new Map([
        ["reports.requested", 100],
        ["exports.requested", 100],
      ]),
      need: 20,
      incomingRate: 200,
      pressure: { sinceMs: 0, needs: [{ timeMs: 1_000_000, replicas: 20 }] },
      lastGrowthMs: undefined,
      nowMs: 1_000_000,
    });
    assert.deepEqual(outcome.grow, [{ topic: "exports.requested", from: 6, to: 10 }]);
    assert.equal(outcome.limited?.reason, "KeyedTopic");
    assert.match(outcome.limited?.message ?? "", /reports\.requested to 10/);
  });

  it("never writes a password into a KafkaConsumerGroup (a username may be written: it is no secret)", () => {
    for (const file of files) {
      for (const group of groups(file)) {
        assert.doesNotMatch(JSON.stringify(group), /password"\s*:|jaas/i, file);
      }
    }
  });
});
