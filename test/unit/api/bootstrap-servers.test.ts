// spec.kafka.bootstrapServers and the runtime's kafka.bootstrapServers: every address the API accepts, the consumer
// runtime accepts too, so a stored object can never render a config its Pods refuse (and crash-loop on).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { kafkaSchema } from "../../../consumer-runtime/src/config.ts";
import { kafkaSpec } from "../../../operator/src/api/spec-kafka.ts";

interface Case {
  address: string;
  /** The API's verdict. */
  accepted: boolean;
}

const cases: Case[] = [
  { address: "kafka-0.kafka:9092", accepted: true },
  { address: "kafka:1", accepted: true },
  { address: "kafka:65535", accepted: true },
  { address: "10.0.0.7:9092", accepted: true },
  { address: "kafka:0", accepted: false },
  { address: "kafka:65536", accepted: false },
  { address: "kafka:99999", accepted: false },
  { address: "kafka", accepted: false },
  { address: "kafka:", accepted: false },
  { address: "kafka:port", accepted: false },
  { address: "[fd00::10]:9092", accepted: false },
  { address: "[::1]:9092", accepted: false },
  { address: "fd00::10:9092", accepted: false },
];

describe("bootstrap server addresses", () => {
  for (const { address, accepted } of cases) {
    it(`${address}: ${accepted ? "accepted by the API and by the runtime" : "refused by the API"}`, () => {
      const api = kafkaSpec.safeParse({ bootstrapServers: [address] });
      assert.equal(api.success, accepted, api.success ? "accepted" : JSON.stringify(api.error.issues));
      if (!accepted) return;
      const runtime = kafkaSchema.safeParse({ bootstrapServers: [address] });
      assert.ok(runtime.success, `the runtime refuses what the API accepts: ${JSON.stringify(runtime.error?.issues)}`);
    });
  }
});
