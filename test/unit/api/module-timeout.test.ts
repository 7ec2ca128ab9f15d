// processing.handler.module.timeoutMs: spec > profile (ai-inference: 15 minutes) > default, reported in
// status.resolved and rendered into the runtime config the consumer runs with.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { runtimeConfigSchema } from "../../../consumer-runtime/src/config.ts";
import { resolveSettings } from "../../../operator/src/api/resolve.ts";
import { type KafkaConsumerGroupSpecInput, specSchema } from "../../../operator/src/api/spec.ts";
import { defaultModuleTimeoutMs } from "../../../operator/src/api/spec-processing.ts";
import { renderRuntimeConfig } from "../../../operator/src/reconcile/desired/runtime-config.ts";

interface Case {
  name: string;
  profile?: KafkaConsumerGroupSpecInput["profile"];
  timeoutMs?: number;
  expected: number;
  source: string;
}

const cases: Case[] = [
  { name: "no profile, nothing set: the default", expected: 60_000, source: "default" },
  { name: "profile ai-inference: 15 minutes", profile: "ai-inference", expected: 900_000, source: "profile" },
  {
    name: "set in the spec: wins over the profile",
    profile: "ai-inference",
    timeoutMs: 5000,
    expected: 5000,
    source: "spec",
  },
  { name: "a profile without a value: the default", profile: "io-bound", expected: 60_000, source: "default" },
];

describe("module handler deadline", () => {
  for (const c of cases) {
    it(c.name, () => {
      const spec = specSchema.parse({
        kafka: { bootstrapServers: ["kafka:9092"] },
        topics: ["orders"],
        ...(c.profile ? { profile: c.profile } : {}),
        processing: { handler: { module: { path: "/app/handler.js", timeoutMs: c.timeoutMs } } },
      });
      const resolved = resolveSettings(spec, { namespace: "shop", name: "orders" });
      assert.equal(resolved.moduleTimeoutMs, c.expected);
      assert.equal(resolved.sources["processing.handler.module.timeoutMs"], c.source);
      const config = runtimeConfigSchema.parse(
        renderRuntimeConfig({
          group: { namespace: "shop", name: "orders", uid: "u" },
          spec,
          resolved,
          replicas: 1,
          runtimeImage: "i",
        }),
      );
      assert.equal(config.processing.handler.module?.timeoutMs, c.expected);
    });
  }

  it("the runtime's own default is the API's", () => {
    const config = runtimeConfigSchema.parse({
      groupId: "g",
      topics: ["t"],
      kafka: { bootstrapServers: ["kafka:9092"] },
      processing: { handler: { module: { path: "/app/handler.js" } } },
    });
    assert.equal(config.processing.handler.module?.timeoutMs, defaultModuleTimeoutMs);
  });

  it("other handler kinds report no module deadline", () => {
    const spec = specSchema.parse({
      kafka: { bootstrapServers: ["kafka:9092"] },
      topics: ["orders"],
      processing: { handler: { builtin: { name: "noop" } } },
    });
    assert.equal(resolveSettings(spec, { namespace: "s", name: "o" }).moduleTimeoutMs, undefined);
  });
});
