// Which client `client: auto` runs: only @platformatic/kafka speaks the consumer group protocol.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { defaultClient } from "../../../consumer-runtime/src/runtime.ts";

describe("defaultClient", () => {
  const cases: {
    name: string;
    protocol: "consumer" | "classic";
    tierDefault: "kafkajs" | "platformatic";
    expect: string;
  }[] = [
    { name: "consumer protocol: platformatic", protocol: "consumer", tierDefault: "kafkajs", expect: "platformatic" },
    { name: "classic protocol: the tier's default", protocol: "classic", tierDefault: "kafkajs", expect: "kafkajs" },
    {
      name: "classic protocol, platformatic tier default",
      protocol: "classic",
      tierDefault: "platformatic",
      expect: "platformatic",
    },
  ];
  for (const c of cases) {
    it(c.name, () => assert.equal(defaultClient(c.protocol, c.tierDefault), c.expect));
  }
});
