import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { decideLeaseAction } from "../../../operator/src/controller/lease-decision.ts";

describe("decideLeaseAction", () => {
  const now = 1_000_000;
  const cases = [
    { name: "no lease: acquire", lease: undefined, expected: { kind: "acquire", takeover: false } },
    { name: "released lease: acquire", lease: { holderIdentity: "" }, expected: { kind: "acquire", takeover: false } },
    {
      name: "own lease: renew",
      lease: { holderIdentity: "me", leaseDurationSeconds: 15, renewTimeMs: now - 60_000 },
      expected: { kind: "renew" },
    },
    {
      name: "someone else's live lease: wait until it expires",
      lease: { holderIdentity: "other", leaseDurationSeconds: 15, renewTimeMs: now - 5_000 },
      expected: { kind: "wait", holder: "other", expiresInMs: 10_000 },
    },
    {
      name: "someone else's expired lease: take over",
      lease: { holderIdentity: "other", leaseDurationSeconds: 15, renewTimeMs: now - 15_000 },
      expected: { kind: "acquire", takeover: true },
    },
    {
      name: "lease without renew time counts as expired",
      lease: { holderIdentity: "other", leaseDurationSeconds: 15 },
      expected: { kind: "acquire", takeover: true },
    },
  ];
  for (const c of cases) {
    it(c.name, () => assert.deepEqual(decideLeaseAction(c.lease, "me", now), c.expected));
  }
});
