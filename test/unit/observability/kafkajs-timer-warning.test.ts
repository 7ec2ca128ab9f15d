// kafkajs's negative-timer warning is dropped, and only it: raised for real by kafkajs's request queue, and
// recognised by both the operator's and the runtime's rule; other warnings still reach every listener.
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { after, describe, it } from "node:test";
import { isKafkajsTimerWarning as runtimeRule } from "../../../consumer-runtime/src/client/kafkajs-timer-warning.ts";
import {
  muteKafkajsTimerWarning,
  isKafkajsTimerWarning as operatorRule,
} from "../../../operator/src/kafka/kafkajs-timer-warning.ts";

interface RequestQueueInternals {
  throttledUntil: number;
  pending: unknown[];
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  checkPendingRequests(): void;
  scheduleCheckPendingRequests(): void;
}

/** What kafkajs does on every request: arm its throttle check with `throttledUntil - now`, here negative. */
function armKafkajsThrottleCheck() {
  const require = createRequire(new URL("../../../operator/package.json", import.meta.url));
  const RequestQueue = require("kafkajs/src/network/requestQueue/index.js") as { prototype: RequestQueueInternals };
  const queue = Object.create(RequestQueue.prototype) as RequestQueueInternals;
  Object.assign(queue, { throttledUntil: -1, pending: [], throttleCheckTimeoutId: null, checkPendingRequests() {} });
  queue.scheduleCheckPendingRequests();
  if (queue.throttleCheckTimeoutId) clearTimeout(queue.throttleCheckTimeoutId);
}

function warningWithStack(name: string, stack: string): Error {
  const warning = new Error("-5 is a negative number.");
  warning.name = name;
  warning.stack = `${name}: -5 is a negative number.\n${stack}`;
  return warning;
}

describe("kafkajs's timer warning", () => {
  it("is dropped for listeners already registered; other warnings reach them", async () => {
    // Node's own printer is set aside for the test, so the warnings raised here do not reach its output.
    const nodeListeners = process.listeners("warning");
    process.removeAllListeners("warning");
    after(() => {
      process.removeAllListeners("warning");
      for (const listener of nodeListeners) process.on("warning", listener);
    });
    const seen: string[] = [];
    process.on("warning", (warning) => seen.push(warning.name));
    muteKafkajsTimerWarning();
    const raised = new Promise<Error>((resolve) => process.once("warning", resolve));
    armKafkajsThrottleCheck();
    const warning = await raised;
    assert.equal(warning.name, "TimeoutNegativeWarning", "kafkajs 2.2.4 still raises it");
    assert.ok(operatorRule(warning), "the operator's rule recognises kafkajs's own warning");
    assert.ok(runtimeRule(warning), "the runtime's rule recognises kafkajs's own warning");
    const other = new Promise<void>((resolve) => process.once("warning", () => resolve()));
    process.emitWarning("something else", "OtherWarning");
    await other;
    assert.deepEqual(seen, ["OtherWarning"]);
  });

  interface Case {
    name: string;
    warning: Error;
  }
  const kafkajsFrame =
    "    at RequestQueue.scheduleCheckPendingRequests (/app/node_modules/kafkajs/src/network/requestQueue/index.js:317:37)";
  const cases: Case[] = [
    {
      name: "a negative timeout of our own",
      warning: warningWithStack(
        "TimeoutNegativeWarning",
        "    at retry (/app/operator/src/controller/backoff.ts:10:3)",
      ),
    },
    { name: "another warning raised in kafkajs", warning: warningWithStack("DeprecationWarning", kafkajsFrame) },
  ];
  for (const c of cases) {
    it(`is the only one dropped: not ${c.name}`, () => {
      assert.equal(operatorRule(c.warning), false);
      assert.equal(runtimeRule(c.warning), false);
    });
  }
});
