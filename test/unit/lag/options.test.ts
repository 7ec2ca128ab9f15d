import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { commitSlackFor, type LagOptions, lagOptionsFor } from "../../../operator/src/lag/options.ts";

describe("commitSlackFor", () => {
  const cases: { name: string; commitIntervalMs: number; slackSeconds: number }[] = [
    { name: "commits every second: a second more", commitIntervalMs: 1000, slackSeconds: 2 },
    { name: "no interval (commit after each batch): the least slack", commitIntervalMs: 0, slackSeconds: 2 },
    { name: "commits every 10 s: the interval plus a second", commitIntervalMs: 10_000, slackSeconds: 11 },
    { name: "partial seconds round up", commitIntervalMs: 7200, slackSeconds: 9 },
  ];
  for (const c of cases) {
    it(c.name, () => assert.equal(commitSlackFor(c.commitIntervalMs), c.slackSeconds));
  }
});

describe("lagOptionsFor", () => {
  const base = { startFrom: "earliest", commitIntervalMs: 1000, pollIntervalSeconds: 15, allowedLag: 1000 } as const;
  const cases: { name: string; cadence: Partial<Parameters<typeof lagOptionsFor>[0]>; expect: Partial<LagOptions> }[] =
    [
      {
        name: "the poll interval does not widen the commit slack",
        cadence: { pollIntervalSeconds: 60 },
        expect: { commitSlackSeconds: 2 },
      },
      {
        name: "ten minutes of samples at the poll interval",
        cadence: { pollIntervalSeconds: 3 },
        expect: { maxSamples: 200, rateWindowSeconds: 60 },
      },
      {
        name: "slow polls keep at least ten samples and four polls per rate window",
        cadence: { pollIntervalSeconds: 120 },
        expect: { maxSamples: 10, rateWindowSeconds: 480 },
      },
      {
        name: "start position and allowed lag pass through",
        cadence: { startFrom: "latest", allowedLag: 50 },
        expect: { startFrom: "latest", allowedLag: 50 },
      },
    ];
  for (const c of cases) {
    it(c.name, () => {
      const options = lagOptionsFor({ ...base, ...c.cadence });
      for (const [key, value] of Object.entries(c.expect)) assert.equal(options[key as keyof LagOptions], value, key);
    });
  }
});
