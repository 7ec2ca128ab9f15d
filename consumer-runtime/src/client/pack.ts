// Packs a fetched batch into one ArrayBuffer, so a worker thread can hand it over by transfer (no structured
// clone of thousands of objects). Keys, values and header values come back as views into that buffer.
import type { ConsumedMessage, FetchedBatch } from "./contract.ts";

// Per message: offset f64, timestamp f64, key length i32, value length i32, header count i32 (-1 length: null).
const fixedBytes = 8 + 8 + 4 + 4 + 4;

export interface PackedBatch {
  topic: string;
  partition: number;
  highWatermark: number;
  count: number;
  buffer: ArrayBuffer;
}

export function packedSize(messages: readonly ConsumedMessage[]): number {
  let size = 0;
  for (const m of messages) {
    size += fixedBytes + (m.key?.length ?? 0) + (m.value?.length ?? 0);
    for (const name in m.headers) size += 8 + Buffer.byteLength(name) + (m.headers[name]?.length ?? 0);
  }
  return size;
}

export function packBatch(batch: FetchedBatch): PackedBatch {
  const buffer = new ArrayBuffer(packedSize(batch.messages));
  const out = Buffer.from(buffer);
  let at = 0;
  const writeBytes = (bytes: Buffer | null | undefined) => {
    if (!bytes) {
      out.writeInt32LE(-1, at);
      at += 4;
      return;
    }
    out.writeInt32LE(bytes.length, at);
    at += 4;
    bytes.copy(out, at);
    at += bytes.length;
  };
  for (const m of batch.messages) {
    out.writeDoubleLE(m.offset, at);
    out.writeDoubleLE(m.timestamp, at + 8);
    at += 16;
    writeBytes(m.key);
    writeBytes(m.value);
    let headerCount = 0;
    for (const _ in m.headers) headerCount++;
    out.writeInt32LE(headerCount, at);
    at += 4;
    for (const name in m.headers) {
      writeBytes(Buffer.from(name));
      writeBytes(m.headers[name]);
    }
  }
  return {
    topic: batch.topic,
    partition: batch.partition,
    highWatermark: batch.highWatermark ?? -1,
    count: batch.messages.length,
    buffer,
  };
}

export function unpackBatch(packed: PackedBatch): FetchedBatch {
  const { topic, partition, buffer } = packed;
  const view = Buffer.from(buffer);
  const messages = new Array<ConsumedMessage>(packed.count);
  let at = 0;
  const readBytes = (): Buffer | null => {
    const length = view.readInt32LE(at);
    at += 4;
    if (length < 0) return null;
    const bytes = view.subarray(at, at + length);
    at += length;
    return bytes;
  };
  for (let i = 0; i < packed.count; i++) {
    const offset = view.readDoubleLE(at);
    const timestamp = view.readDoubleLE(at + 8);
    at += 16;
    const key = readBytes();
    const value = readBytes();
    const headerCount = view.readInt32LE(at);
    at += 4;
    const headers: Record<string, Buffer | undefined> = {};
    for (let h = 0; h < headerCount; h++) {
      const name = (readBytes() as Buffer).toString();
      headers[name] = readBytes() ?? undefined;
    }
    messages[i] = { topic, partition, offset, timestamp, key, value, headers };
  }
  return {
    topic,
    partition,
    messages,
    highWatermark: packed.highWatermark >= 0 ? packed.highWatermark : undefined,
  };
}
