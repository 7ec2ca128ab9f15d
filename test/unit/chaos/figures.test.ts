import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { duplicateBound, median, recoveryAfter, steadyRate } from "../../chaos/figures.ts";

/** Per-second rates starting at epoch second 100. */
function series(rates: number[]): Map<number, number> {
  return new Map(rates.map((r, i) => [100 + i, r]));
}

interface RecoveryCase {
  name: string;
  rates: number[];
  faultMs: number;
  windowEndMs: number;
  steady: number;
  expect: { backAtFullRateSeconds: number; stalledSeconds: number; lowestRate: number };
}

const recoveryCases: RecoveryCase[] = [
  {
    name: "no dip: back at once",
    rates: [100, 100, 100, 100, 100, 100],
    faultMs: 101_000,
    windowEndMs: 106_000,
    steady: 100,
    expect: { backAtFullRateSeconds: 0, stalledSeconds: 0, lowestRate: 100 },
  },
  {
    name: "a stall of three seconds, then catch-up above the steady rate",
    rates: [100, 100, 0, 0, 0, 250, 150, 100, 100, 100],
    faultMs: 101_500,
    windowEndMs: 110_000,
    steady: 100,
    // 104 is the last slow second (0, its neighbours average 83): full rate from 105, 3.5 s after the fault.
    expect: { backAtFullRateSeconds: 3.5, stalledSeconds: 3, lowestRate: 0 },
  },
  {
    name: "a slow tail that never recovers runs to the window's end",
    rates: [100, 100, 50, 50, 50, 50],
    faultMs: 101_000,
    windowEndMs: 106_000,
    steady: 100,
    expect: { backAtFullRateSeconds: 5, stalledSeconds: 0, lowestRate: 50 },
  },
  {
    name: "one noisy second among full ones is not a stall",
    rates: [100, 100, 100, 70, 100, 100, 100],
    faultMs: 101_000,
    windowEndMs: 107_000,
    steady: 100,
    expect: { backAtFullRateSeconds: 0, stalledSeconds: 0, lowestRate: 70 },
  },
  {
    name: "the window's partial last second is left out",
    rates: [100, 100, 100, 100, 3],
    faultMs: 101_000,
    windowEndMs: 104_400,
    steady: 100,
    expect: { backAtFullRateSeconds: 0, stalledSeconds: 0, lowestRate: 100 },
  },
];

describe("chaos figures", () => {
  for (const c of recoveryCases) {
    it(`recovery: ${c.name}`, () => {
      assert.deepEqual(recoveryAfter(series(c.rates), c.faultMs, c.windowEndMs, c.steady), c.expect);
    });
  }

  it("steady rate is the median of whole seconds in the window", () => {
    assert.equal(steadyRate(series([10, 90, 100, 110, 5000]), 100_500, 105_000), 105);
    assert.equal(median([]), 0);
    assert.equal(median([3, 1, 2]), 2);
  });

  it("duplicate bound: commit interval x each replica's share of the rate x replicas hit", () => {
    // The figure: 1 s x 10k/s over 4 replicas x 10 kills.
    assert.equal(
      duplicateBound({ commitIntervalMs: 1000, ratePerSecond: 10_000, replicas: 4, replicasHit: 10 }),
      25_000,
    );
    assert.equal(duplicateBound({ commitIntervalMs: 500, ratePerSecond: 10_000, replicas: 4, replicasHit: 4 }), 5000);
    assert.equal(duplicateBound({ commitIntervalMs: 1000, ratePerSecond: 10_000, replicas: 4, replicasHit: 0 }), 0);
  });
});
