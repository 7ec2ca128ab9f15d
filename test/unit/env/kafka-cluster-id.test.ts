import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { kafkaClusterId } from "../../env/stack.ts";

describe("kafkaClusterId", () => {
  it("never starts with '-', which kafka-storage would read as an option, and decodes to 16 bytes", () => {
    // 2,000 draws: without the check, about 31 of them would start with '-'.
    for (let i = 0; i < 2000; i++) {
      const id = kafkaClusterId();
      assert.ok(!id.startsWith("-"), id);
      assert.equal(Buffer.from(id, "base64url").length, 16, id);
    }
  });
});
