import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { lagSeconds } from "../../../operator/src/lag/time-lag.ts";
import { type Reading, samples } from "./fixtures.ts";

// Log end grows 100 records per second from offset 0 at t=0, sampled every 15 s up to t=60.
const linear: Reading[] = [0, 15, 30, 45, 60].map((t) => ({ t, end: t * 100, committed: 0 }));

const cases: { name: string; readings: Reading[]; position: number; seconds: number | undefined }[] = [
  { name: "caught up: 0", readings: linear, position: 6000, seconds: 0 },
  { name: "position ahead of the end: 0", readings: linear, position: 7000, seconds: 0 },
  { name: "on a sample point", readings: linear, position: 3000, seconds: 30 },
  { name: "between two samples: linear interpolation", readings: linear, position: 3750, seconds: 22.5 },
  {
    name: "before the window: extrapolated at the window's rate",
    readings: linear.slice(2),
    position: 1500,
    seconds: 45,
  },
  {
    name: "uneven production, inside a burst: interpolated within that burst",
    readings: [
      { t: 0, end: 0, committed: 0 },
      { t: 10, end: 100, committed: 0 },
      { t: 20, end: 10100, committed: 0 },
    ],
    position: 5100,
    seconds: 5,
  },
  {
    name: "uneven production: the timeline, not the average, decides",
    readings: [
      { t: 0, end: 0, committed: 0 },
      { t: 10, end: 100, committed: 0 },
      { t: 20, end: 10100, committed: 0 },
    ],
    position: 100,
    seconds: 10,
  },
  {
    name: "nothing produced in the window: at least as old as the window",
    readings: [
      { t: 0, end: 500, committed: 0 },
      { t: 30, end: 500, committed: 0 },
    ],
    position: 200,
    seconds: 30,
  },
  {
    name: "a single sample cannot tell the age of pending records",
    readings: [{ t: 0, end: 500, committed: 0 }],
    position: 100,
    seconds: undefined,
  },
  {
    name: "a single sample with nothing pending is 0",
    readings: [{ t: 0, end: 500, committed: 0 }],
    position: 500,
    seconds: 0,
  },
  {
    name: "clock going nowhere: samples at one instant give no age",
    readings: [
      { t: 0, end: 100, committed: 0 },
      { t: 0, end: 200, committed: 0 },
    ],
    position: 50,
    seconds: undefined,
  },
];

describe("lagSeconds", () => {
  for (const c of cases) {
    it(c.name, () => {
      assert.equal(lagSeconds(samples(c.readings), c.position), c.seconds);
    });
  }
});
