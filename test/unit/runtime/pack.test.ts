import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { FetchedBatch } from "../../../consumer-runtime/src/client/contract.ts";
import { packBatch, unpackBatch } from "../../../consumer-runtime/src/client/pack.ts";
import { deadLetterHeaders, deadLetterMessage } from "../../../consumer-runtime/src/processing/dead-letter.ts";

describe("packBatch/unpackBatch", () => {
  it("round-trips keys, values, nulls, headers, offsets and timestamps", () => {
    const batch: FetchedBatch = {
      topic: "t",
      partition: 3,
      highWatermark: 1_000_000_000_123,
      messages: [
        {
          topic: "t",
          partition: 3,
          offset: 2 ** 40,
          timestamp: 1_700_000_000_000,
          key: Buffer.from("k"),
          value: Buffer.from("v1"),
          headers: { a: Buffer.from("1"), b: undefined },
        },
        { topic: "t", partition: 3, offset: 2 ** 40 + 7, timestamp: 1, key: null, value: null, headers: {} },
        {
          topic: "t",
          partition: 3,
          offset: 2 ** 40 + 8,
          timestamp: 2,
          key: Buffer.alloc(0),
          value: Buffer.from("é"),
          headers: { ünï: Buffer.from([0, 255]) },
        },
      ],
    };
    const packed = packBatch(batch);
    // A transfer detaches the buffer from the sender; a copy stands in for it here.
    const received = unpackBatch({ ...packed, buffer: packed.buffer.slice(0) });
    assert.deepEqual(received, batch);
  });
});

describe("deadLetterMessage", () => {
  it("keeps the original record and adds where it came from and why it failed", () => {
    const record = deadLetterMessage(
      {
        topic: "orders",
        partition: 2,
        offset: 41,
        timestamp: 0,
        key: Buffer.from("k"),
        value: Buffer.from("v"),
        headers: { trace: Buffer.from("x") },
      },
      { error: new Error("boom"), attempts: 4, firstFailureAt: Date.UTC(2025, 0, 1) },
    );
    assert.deepEqual(record.key, Buffer.from("k"));
    assert.deepEqual(record.value, Buffer.from("v"));
    assert.deepEqual(record.headers, {
      trace: Buffer.from("x"),
      [deadLetterHeaders.topic]: "orders",
      [deadLetterHeaders.partition]: "2",
      [deadLetterHeaders.offset]: "41",
      [deadLetterHeaders.error]: "boom",
      [deadLetterHeaders.attempts]: "4",
      [deadLetterHeaders.firstFailureTime]: "2025-01-01T00:00:00.000Z",
    });
  });
});
