import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { backoffDelay } from "../../../operator/src/controller/backoff.ts";

describe("backoffDelay", () => {
  const policy = { baseDelayMs: 500, maxDelayMs: 60_000 };
  const cases = [
    { name: "no failure, no delay", failures: 0, expected: 0 },
    { name: "first failure waits the base delay", failures: 1, expected: 500 },
    { name: "doubles per failure", failures: 3, expected: 2000 },
    { name: "is capped", failures: 20, expected: 60_000 },
    { name: "does not overflow on huge counts", failures: 10_000, expected: 60_000 },
  ];
  for (const c of cases) {
    it(c.name, () => assert.equal(backoffDelay(c.failures, policy), c.expected));
  }
});
