import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { partitionRates } from "../../../operator/src/lag/rates.ts";
import { type Reading, samples } from "./fixtures.ts";

const cases: {
  name: string;
  readings: Reading[];
  windowSeconds: number;
  produce: number;
  consume: number;
  span: number;
}[] = [
  {
    name: "one sample: rates unknown (span 0)",
    readings: [{ t: 0, end: 100, committed: 50 }],
    windowSeconds: 60,
    produce: 0,
    consume: 0,
    span: 0,
  },
  {
    name: "steady production and consumption",
    readings: [
      { t: 0, end: 0, committed: 0 },
      { t: 15, end: 1500, committed: 1200 },
      { t: 30, end: 3000, committed: 2400 },
    ],
    windowSeconds: 60,
    produce: 100,
    consume: 80,
    span: 30,
  },
  {
    name: "only the rate window counts",
    readings: [
      { t: 0, end: 0, committed: 0 },
      { t: 60, end: 60000, committed: 60000 },
      { t: 75, end: 60150, committed: 60150 },
      { t: 90, end: 60300, committed: 60300 },
    ],
    windowSeconds: 30,
    produce: 10,
    consume: 10,
    span: 30,
  },
  {
    name: "a window narrower than the poll interval still uses the previous sample",
    readings: [
      { t: 0, end: 0, committed: 0 },
      { t: 15, end: 300, committed: 150 },
    ],
    windowSeconds: 5,
    produce: 20,
    consume: 10,
    span: 15,
  },
  {
    name: "a rewind is not negative consumption",
    readings: [
      { t: 0, end: 1000, committed: 900 },
      { t: 10, end: 1000, committed: 100 },
      { t: 20, end: 1000, committed: 300 },
    ],
    windowSeconds: 60,
    produce: 0,
    consume: 10,
    span: 20,
  },
  {
    name: "the first commit after -1 is not counted as consumption",
    readings: [
      { t: 0, end: 1000, committed: -1 },
      { t: 10, end: 1100, committed: 900 },
      { t: 20, end: 1200, committed: 1000 },
    ],
    windowSeconds: 60,
    produce: 10,
    consume: 5,
    span: 20,
  },
  {
    name: "retention moving the log start is neither production nor consumption",
    readings: [
      { t: 0, end: 1000, committed: 100, start: 0 },
      { t: 10, end: 1000, committed: 100, start: 600 },
    ],
    windowSeconds: 60,
    produce: 0,
    consume: 0,
    span: 10,
  },
  {
    name: "clock going nowhere: two samples at the same instant give no rate, not Infinity",
    readings: [
      { t: 5, end: 0, committed: 0 },
      { t: 5, end: 100, committed: 100 },
    ],
    windowSeconds: 60,
    produce: 0,
    consume: 0,
    span: 0,
  },
];

describe("partitionRates", () => {
  for (const c of cases) {
    it(c.name, () => {
      const rates = partitionRates(samples(c.readings), c.windowSeconds);
      assert.equal(rates.produceRate, c.produce);
      assert.equal(rates.consumeRate, c.consume);
      assert.equal(rates.spanSeconds, c.span);
    });
  }
});
