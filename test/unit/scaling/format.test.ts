import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { formatCount, formatRate, formatSeconds, plural } from "../../../operator/src/scaling/format.ts";

describe("reason formatting", () => {
  const counts: { name: string; value: number; text: string }[] = [
    { name: "small integers as is", value: 7, text: "7" },
    { name: "small fractions with one decimal", value: 2.46, text: "2.5" },
    { name: "hundreds rounded", value: 850.4, text: "850" },
    { name: "thousands with k", value: 9800, text: "9.8k" },
    { name: "round thousands without .0", value: 2000, text: "2k" },
    { name: "hundreds of thousands", value: 451_000, text: "451k" },
    { name: "millions with M", value: 1_200_000, text: "1.2M" },
    { name: "negative", value: -1500, text: "-1.5k" },
  ];
  for (const c of counts) it(c.name, () => assert.equal(formatCount(c.value), c.text));

  it("rates", () => assert.equal(formatRate(2100), "2.1k msg/s"));

  const durations: { name: string; seconds: number; text: string }[] = [
    { name: "seconds", seconds: 48.4, text: "48s" },
    { name: "minutes from ten minutes on", seconds: 1800, text: "30m" },
    { name: "hours", seconds: 5400, text: "1.5h" },
  ];
  for (const c of durations) it(c.name, () => assert.equal(formatSeconds(c.seconds), c.text));

  it("plural", () => assert.deepEqual([plural(1, "replica"), plural(6, "replica")], ["1 replica", "6 replicas"]));
});
