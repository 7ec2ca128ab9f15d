import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { refusedForMembers } from "../../../operator/src/kafka/commit-refusal.ts";

interface Case {
  name: string;
  errorCodes: number[];
  expected: boolean;
}

describe("refusedForMembers", () => {
  const cases: Case[] = [
    { name: "unknown member id on every partition: the group has members", errorCodes: [25, 25], expected: true },
    { name: "a rebalance under way (classic group): members", errorCodes: [27], expected: true },
    { name: "illegal generation: members", errorCodes: [22], expected: true },
    { name: "stale member epoch: members", errorCodes: [113], expected: true },
    { name: "partitions that succeeded beside the refused ones do not change it", errorCodes: [0, 25], expected: true },
    { name: "an authorization error is a failure, not members", errorCodes: [30], expected: false },
    { name: "a mix of a members answer and another error is a failure", errorCodes: [25, 3], expected: false },
    { name: "no error code at all is not a refusal", errorCodes: [], expected: false },
    { name: "only successes are not a refusal", errorCodes: [0, 0], expected: false },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      assert.equal(refusedForMembers(tc.errorCodes), tc.expected);
    });
  }
});
