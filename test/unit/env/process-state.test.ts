import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { processState } from "../../env/stack.ts";

describe("processState", () => {
  const cases = [
    { name: "a running process", stat: "4242 (kafka) S 1 4242 4242 0 -1", expected: "S" },
    { name: "a zombie", stat: "4242 (java) Z 1 4242 4242 0 -1", expected: "Z" },
    { name: "a command name with spaces and a ')'", stat: "7 (a b) c) R 1 7 7 0 -1", expected: "R" },
  ];
  for (const { name, stat, expected } of cases) {
    it(name, () => assert.equal(processState(stat), expected));
  }
});
