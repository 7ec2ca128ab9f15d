import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { backoffDelayMs, shouldRetry } from "../../../consumer-runtime/src/processing/retry.ts";

describe("backoffDelayMs", () => {
  const policy = { max: 5, backoffMs: 100, maxBackoffMs: 1000 };
  const cases: { name: string; retry: number; random: number; expected: number }[] = [
    { name: "first retry, no jitter", retry: 1, random: 0, expected: 50 },
    { name: "first retry, full jitter", retry: 1, random: 1, expected: 100 },
    { name: "doubles per retry", retry: 3, random: 1, expected: 400 },
    { name: "capped at maxBackoffMs", retry: 10, random: 1, expected: 1000 },
    { name: "capped, lowest jitter is half the cap", retry: 10, random: 0, expected: 500 },
    { name: "retry 0 waits nothing", retry: 0, random: 1, expected: 0 },
  ];
  for (const c of cases) {
    it(c.name, () =>
      assert.equal(
        backoffDelayMs(policy, c.retry, () => c.random),
        c.expected,
      ),
    );
  }
  it("waits nothing when backoffMs is 0", () => {
    assert.equal(
      backoffDelayMs({ max: 3, backoffMs: 0, maxBackoffMs: 0 }, 2, () => 1),
      0,
    );
  });
});

describe("shouldRetry", () => {
  const cases: { name: string; max: number; attempts: number; expected: boolean }[] = [
    { name: "max 0 never retries", max: 0, attempts: 1, expected: false },
    { name: "first failure of max 3 retries", max: 3, attempts: 1, expected: true },
    { name: "third failure of max 3 retries", max: 3, attempts: 3, expected: true },
    { name: "fourth failure of max 3 stops", max: 3, attempts: 4, expected: false },
  ];
  for (const c of cases) {
    it(c.name, () => assert.equal(shouldRetry({ max: c.max, backoffMs: 1, maxBackoffMs: 1 }, c.attempts), c.expected));
  }
});
