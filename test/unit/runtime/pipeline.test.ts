import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import type {
  ConsumedMessage,
  ConsumerListener,
  KafkaConsumerClient,
  KafkaProducerClient,
  OffsetToCommit,
  ProducedMessage,
  TopicPartition,
} from "../../../consumer-runtime/src/client/contract.ts";
import type { Handler } from "../../../consumer-runtime/src/handlers/contract.ts";
import { createLogger } from "../../../consumer-runtime/src/log.ts";
import { RuntimeMetrics } from "../../../consumer-runtime/src/metrics.ts";
import { Pipeline, type PipelineOptions } from "../../../consumer-runtime/src/processing/pipeline.ts";

class FakeClient implements KafkaConsumerClient {
  readonly name = "fake";
  commits: OffsetToCommit[][] = [];
  paused = new Set<string>();
  failCommits = false;
  seeks: OffsetToCommit[] = [];
  async connect() {}
  async subscribe() {}
  async run(_listener: ConsumerListener) {}
  pause(partitions: TopicPartition[]) {
    for (const p of partitions) this.paused.add(`${p.topic}-${p.partition}`);
  }
  resume(partitions: TopicPartition[]) {
    for (const p of partitions) this.paused.delete(`${p.topic}-${p.partition}`);
  }
  async commit(offsets: OffsetToCommit[]) {
    if (this.failCommits) throw new Error("commit refused");
    this.commits.push(offsets.map((o) => ({ ...o })));
  }
  seek(partition: OffsetToCommit) {
    this.seeks.push({ ...partition });
  }
  async close() {}
  lastCommitted(topic: string, partition: number): number | undefined {
    let found: number | undefined;
    for (const c of this.commits)
      for (const o of c) if (o.topic === topic && o.partition === partition) found = o.offset;
    return found;
  }
}

class FakeProducer implements KafkaProducerClient {
  sent: { topic: string; messages: ProducedMessage[] }[] = [];
  fail = false;
  async connect() {}
  async send(topic: string, messages: ProducedMessage[]) {
    if (this.fail) throw new Error("dead-letter topic unavailable");
    this.sent.push({ topic, messages });
  }
  async close() {}
}

/** A handler whose calls wait until the test resolves them. */
class ControlledHandler implements Handler {
  calls: { messages: ConsumedMessage[]; resolve: () => void; reject: (e: Error) => void }[] = [];
  handle(messages: readonly ConsumedMessage[]): Promise<void> {
    return new Promise((resolve, reject) => this.calls.push({ messages: [...messages], resolve, reject }));
  }
  async close() {}
}

function message(partition: number, offset: number, key = "k"): ConsumedMessage {
  return {
    topic: "t",
    partition,
    offset,
    timestamp: 0,
    key: Buffer.from(key),
    value: Buffer.from(`v${offset}`),
    headers: {},
  };
}

const baseOptions: PipelineOptions = {
  batchSize: 1,
  batchMaxWaitMs: 0,
  concurrency: 1,
  ordering: "partition",
  commit: { mode: "batch", intervalMs: 1000 },
  retries: { max: 2, backoffMs: 1, maxBackoffMs: 1 },
  deadLetterTopic: "dlq",
  maxBufferedMessages: 1000,
  maxBufferedBytes: 1 << 20,
  maxPartitionMessages: 1000,
  rebalanceHoldMaxMs: 60_000,
};

function setup(options: Partial<PipelineOptions> = {}, handler: Handler = new ControlledHandler()) {
  const client = new FakeClient();
  const producer = new FakeProducer();
  const metrics = new RuntimeMetrics({ partitionLag: () => [] });
  const fatal: Error[] = [];
  const pipeline = new Pipeline(
    { ...baseOptions, ...options },
    {
      client,
      handler,
      producer: async () => producer,
      metrics,
      log: createLogger("error", {}, () => {}),
      sleep: () => new Promise((resolve) => setImmediate(resolve)),
      random: () => 0,
      onFatal: (e) => fatal.push(e),
    },
  );
  pipeline.onAssigned([
    { topic: "t", partition: 0 },
    { topic: "t", partition: 1 },
  ]);
  return { client, producer, metrics, pipeline, handler };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !condition(); i++) await tick();
  assert.ok(condition(), "condition never became true");
}

describe("Pipeline", () => {
  it("is ready once joined, with or without partitions, and not while stopping", async () => {
    const { pipeline } = setup();
    assert.equal(pipeline.ready, true, "joined with two partitions");
    pipeline.onAssigned([]);
    assert.equal(pipeline.ready, true, "a member beyond the partition count is a ready standby");
    await pipeline.stop(1000);
    assert.equal(pipeline.ready, false, "a stopping member takes no traffic");
  });

  it("commits only past offsets whose predecessors are all done (parallel, unordered)", async () => {
    const handler = new ControlledHandler();
    const { client, pipeline } = setup({ ordering: "none", concurrency: 3 }, handler);
    pipeline.onBatch({ topic: "t", partition: 0, messages: [message(0, 0), message(0, 1), message(0, 2)] });
    assert.equal(handler.calls.length, 3, "three run at once");
    handler.calls[1]?.resolve();
    handler.calls[2]?.resolve();
    await tick();
    await pipeline.commitNow();
    assert.equal(client.lastCommitted("t", 0), 0, "offset 0 still running: nothing past it is committed");
    handler.calls[0]?.resolve();
    await tick();
    await pipeline.commitNow();
    assert.equal(client.lastCommitted("t", 0), 3);
  });

  it("keeps strict order within a partition and runs partitions in parallel", async () => {
    const handler = new ControlledHandler();
    const { pipeline } = setup({ ordering: "partition", concurrency: 4 }, handler);
    pipeline.onBatch({ topic: "t", partition: 0, messages: [message(0, 0), message(0, 1)] });
    pipeline.onBatch({ topic: "t", partition: 1, messages: [message(1, 0)] });
    assert.deepEqual(
      handler.calls.map((c) => `${c.messages[0]?.partition}:${c.messages[0]?.offset}`),
      ["0:0", "1:0"],
    );
    handler.calls[0]?.resolve();
    await tick();
    assert.equal(handler.calls[2]?.messages[0]?.offset, 1);
  });

  it("hands batches of batchSize to the handler and a partial batch after maxWaitMs", async () => {
    const handler = new ControlledHandler();
    const { pipeline } = setup({ batchSize: 3, batchMaxWaitMs: 5 }, handler);
    pipeline.onBatch({ topic: "t", partition: 0, messages: [0, 1, 2, 3].map((o) => message(0, o)) });
    assert.equal(handler.calls[0]?.messages.length, 3);
    handler.calls[0]?.resolve();
    await new Promise((resolve) => setTimeout(resolve, 30));
    assert.equal(handler.calls[1]?.messages.length, 1);
    handler.calls[1]?.resolve();
  });

  it("retries, then dead-letters with headers and commits past the poison message", async () => {
    const failing: Handler = {
      async handle(messages) {
        if (messages.some((m) => m.offset === 1)) throw new Error("poison");
      },
      async close() {},
    };
    const { client, producer, metrics, pipeline } = setup({ batchSize: 3 }, failing);
    pipeline.onBatch({ topic: "t", partition: 0, messages: [message(0, 0), message(0, 1), message(0, 2)] });
    await until(() => producer.sent.length === 1);
    await tick();
    await pipeline.commitNow();
    assert.equal(producer.sent.length, 1);
    const dead = producer.sent[0]?.messages[0];
    assert.equal(dead?.headers["lagpilot.dlq.original.offset"], "1");
    assert.equal(dead?.headers["lagpilot.dlq.error.message"], "poison");
    assert.equal(dead?.headers["lagpilot.dlq.attempts"], "4", "3 batch attempts, then one alone");
    assert.equal(client.lastCommitted("t", 0), 3);
    const processed = await metrics.registry.getSingleMetricAsString("lagpilot_runtime_messages_processed_total");
    assert.match(processed, /topic="t"} 2/);
  });

  it("exports a topic's message counters at 0 from its first assigned partition, before anything happens", async () => {
    const { metrics, pipeline } = setup();
    pipeline.onAssigned([
      { topic: "t", partition: 0 },
      { topic: "u", partition: 3 },
    ]);
    const names = [
      "lagpilot_runtime_messages_consumed_total",
      "lagpilot_runtime_messages_processed_total",
      "lagpilot_runtime_messages_failed_total",
      "lagpilot_runtime_messages_retried_total",
      "lagpilot_runtime_messages_dead_lettered_total",
    ];
    for (const name of names) {
      const samples = (await metrics.registry.getSingleMetricAsString(name))
        .split("\n")
        .filter((line) => line.startsWith(name));
      assert.deepEqual(samples, [`${name}{topic="t"} 0`, `${name}{topic="u"} 0`], name);
    }
    // A counter that starts at 0 still counts from there.
    pipeline.onBatch({ topic: "u", partition: 3, messages: [{ ...message(3, 0), topic: "u" }] });
    const consumed = await metrics.registry.getSingleMetricAsString("lagpilot_runtime_messages_consumed_total");
    assert.match(consumed, /topic="u"} 1/);
    await pipeline.stop(0);
  });

  it("counts every failed attempt as failed, every attempt after a failure as retried, and the dead letter", async () => {
    const failing: Handler = {
      async handle() {
        throw new Error("always");
      },
      async close() {},
    };
    const { producer, metrics, pipeline } = setup({ retries: { max: 2, backoffMs: 1, maxBackoffMs: 1 } }, failing);
    pipeline.onBatch({ topic: "t", partition: 0, messages: [message(0, 0)] });
    await until(() => producer.sent.length === 1);
    const total = async (name: string) =>
      Number(/topic="t"} (\d+)/.exec(await metrics.registry.getSingleMetricAsString(name))?.[1] ?? 0);
    assert.deepEqual(
      {
        failed: await total("lagpilot_runtime_messages_failed_total"),
        retried: await total("lagpilot_runtime_messages_retried_total"),
        deadLettered: await total("lagpilot_runtime_messages_dead_lettered_total"),
        processed: await total("lagpilot_runtime_messages_processed_total"),
      },
      { failed: 3, retried: 2, deadLettered: 1, processed: 0 },
      "one try and two retries, all failed, then one dead letter",
    );
  });

  it("ordering by key: keys of one partition run in parallel, one key in order", async () => {
    const handler = new ControlledHandler();
    const { pipeline } = setup({ ordering: "key", concurrency: 4 }, handler);
    pipeline.onBatch({
      topic: "t",
      partition: 0,
      messages: [message(0, 0, "a"), message(0, 1, "b"), message(0, 2, "a")],
    });
    const running = () => handler.calls.map((c) => `${c.messages[0]?.key}:${c.messages[0]?.offset}`);
    assert.deepEqual(running(), ["a:0", "b:1"], "two keys at once; the second a waits for the first");
    handler.calls[0]?.resolve();
    await until(() => handler.calls.length === 3);
    assert.equal(running()[2], "a:2");
  });

  it("a partition paused when it was revoked fetches again when assigned back", async () => {
    const handler = new ControlledHandler();
    const { client, pipeline } = setup({ maxPartitionMessages: 2 }, handler);
    pipeline.onBatch({ topic: "t", partition: 0, messages: [message(0, 0), message(0, 1)] });
    assert.deepEqual([...client.paused], ["t-0"], "full: paused");
    pipeline.onAssigned([{ topic: "t", partition: 1 }]);
    pipeline.onAssigned([
      { topic: "t", partition: 0 },
      { topic: "t", partition: 1 },
    ]);
    assert.deepEqual([...client.paused], [], "assigned back with nothing held: fetching");
  });

  it("does not commit a message whose dead letter could not be written", async () => {
    const failing: Handler = {
      async handle() {
        throw new Error("always");
      },
      async close() {},
    };
    const { client, producer, pipeline } = setup({}, failing);
    producer.fail = true;
    let sends = 0;
    const send = producer.send.bind(producer);
    producer.send = (topic, messages) => {
      sends++;
      return send(topic, messages);
    };
    pipeline.onBatch({ topic: "t", partition: 0, messages: [message(0, 0)] });
    await until(() => sends >= 3);
    await pipeline.stop(1000);
    assert.equal(client.lastCommitted("t", 0), 0);
    assert.equal(producer.sent.length, 0);
  });

  it("a dead letter that cannot be written stops only the poison's partition, not the handler slot", async () => {
    const handled: string[] = [];
    const poisonAtP0Offset0: Handler = {
      async handle(messages) {
        for (const m of messages) {
          if (m.partition === 0 && m.offset === 0) throw new Error("poison");
          handled.push(`${m.partition}:${m.offset}`);
        }
      },
      async close() {},
    };
    const { client, producer, pipeline } = setup({ concurrency: 1 }, poisonAtP0Offset0);
    producer.fail = true;
    let sends = 0;
    const send = producer.send.bind(producer);
    producer.send = (topic, messages) => {
      sends++;
      return send(topic, messages);
    };
    after(() => pipeline.stop(0));
    pipeline.onBatch({ topic: "t", partition: 0, messages: [message(0, 0), message(0, 1)] });
    pipeline.onBatch({ topic: "t", partition: 1, messages: [message(1, 0), message(1, 1)] });
    await until(() => sends >= 3 && handled.length === 2);
    await pipeline.commitNow();
    assert.deepEqual(handled, ["1:0", "1:1"], "partition 1 goes on; partition 0 waits behind its poison");
    assert.equal(client.lastCommitted("t", 1), 2);
    assert.equal(client.lastCommitted("t", 0) ?? 0, 0, "nothing of partition 0 is committed");
    producer.fail = false;
    await until(() => handled.includes("0:1"));
    await pipeline.commitNow();
    assert.equal(producer.sent[0]?.messages.length, 1, "the poison is dead-lettered once written");
    assert.equal(client.lastCommitted("t", 0), 2, "then partition 0 moves on");
    await pipeline.stop(1000);
  });

  it("while a dead letter waits, its partition drops what arrives instead of pausing, then fetches it again", async () => {
    const handled: string[] = [];
    const poisonAtP0Offset0: Handler = {
      async handle(messages) {
        for (const m of messages) {
          if (m.partition === 0 && m.offset === 0) throw new Error("poison");
          handled.push(`${m.partition}:${m.offset}`);
        }
      },
      async close() {},
    };
    // A client that pauses whole streams would stop partition 1 too if partition 0 were paused.
    const { client, producer, pipeline } = setup({ maxPartitionMessages: 2 }, poisonAtP0Offset0);
    producer.fail = true;
    let sends = 0;
    const send = producer.send.bind(producer);
    producer.send = (topic, messages) => {
      sends++;
      return send(topic, messages);
    };
    after(() => pipeline.stop(0));
    pipeline.onBatch({ topic: "t", partition: 0, messages: [message(0, 0), message(0, 1)] });
    await until(() => sends >= 1);
    pipeline.onBatch({ topic: "t", partition: 0, messages: [message(0, 2), message(0, 3), message(0, 4)] });
    pipeline.onBatch({ topic: "t", partition: 1, messages: [message(1, 0)] });
    await until(() => handled.includes("1:0"));
    assert.deepEqual([...client.paused], [], "no partition paused while partition 0 waits");
    producer.fail = false;
    await until(() => client.seeks.length === 1);
    assert.deepEqual(client.seeks, [{ topic: "t", partition: 0, offset: 2 }], "fetched again from the first dropped");
    // A batch fetched before the seek took effect starts past the rewind point: dropped, and the seek repeated.
    pipeline.onBatch({ topic: "t", partition: 0, messages: [message(0, 5)] });
    assert.equal(client.seeks.length, 2);
    pipeline.onBatch({
      topic: "t",
      partition: 0,
      messages: [message(0, 2), message(0, 3), message(0, 4), message(0, 5)],
    });
    await until(() => handled.includes("0:5"));
    assert.deepEqual(
      handled.filter((h) => h.startsWith("0:")),
      ["0:1", "0:2", "0:3", "0:4", "0:5"],
      "every record of partition 0 after the poison, once, in order",
    );
    await pipeline.commitNow();
    assert.equal(client.lastCommitted("t", 0), 6);
    await pipeline.stop(1000);
  });

  it("gives up a dead letter it cannot write when its partition is revoked, and commits nothing of it", async () => {
    const failing: Handler = {
      async handle() {
        throw new Error("always");
      },
      async close() {},
    };
    const { client, producer, pipeline } = setup({}, failing);
    producer.fail = true;
    let sends = 0;
    const send = producer.send.bind(producer);
    producer.send = (topic, messages) => {
      sends++;
      return send(topic, messages);
    };
    after(() => pipeline.stop(0));
    pipeline.onBatch({ topic: "t", partition: 0, messages: [message(0, 0)] });
    await until(() => sends >= 2);
    pipeline.onAssigned([{ topic: "t", partition: 1 }]);
    const sendsAtRevoke = sends;
    for (let i = 0; i < 20; i++) await tick();
    assert.ok(sends <= sendsAtRevoke + 1, "at most the write already under way");
    await pipeline.stop(1000);
    assert.equal(client.lastCommitted("t", 0) ?? 0, 0);
  });

  it("pauses partitions while buffers are full and resumes when they drain", async () => {
    const handler = new ControlledHandler();
    const { client, pipeline } = setup({ maxBufferedMessages: 4, maxPartitionMessages: 100 }, handler);
    pipeline.onBatch({ topic: "t", partition: 0, messages: [0, 1, 2, 3].map((o) => message(0, o)) });
    assert.deepEqual([...client.paused].sort(), ["t-0", "t-1"]);
    for (let i = 0; i < 2; i++) {
      handler.calls[i]?.resolve();
      await tick();
    }
    assert.deepEqual([...client.paused], []);
  });

  it("pauses a partition holding maxPartitionMessages (consumer.maxPollRecords) alone, and resumes it at half", async () => {
    const handler = new ControlledHandler();
    const { client, pipeline } = setup({ maxPartitionMessages: 4, concurrency: 2 }, handler);
    pipeline.onBatch({ topic: "t", partition: 0, messages: [0, 1, 2].map((o) => message(0, o)) });
    assert.deepEqual([...client.paused], [], "3 of 4 held: still fetching");
    pipeline.onBatch({ topic: "t", partition: 0, messages: [message(0, 3)] });
    pipeline.onBatch({ topic: "t", partition: 1, messages: [message(1, 0)] });
    assert.deepEqual([...client.paused], ["t-0"], "4 held: that partition alone pauses");
    const call = (partition: number, offset: number) =>
      handler.calls.find((c) => c.messages[0]?.partition === partition && c.messages[0].offset === offset);
    call(0, 0)?.resolve();
    await until(() => call(0, 1) !== undefined);
    assert.deepEqual([...client.paused], ["t-0"], "3 held: above half, still paused");
    call(0, 1)?.resolve();
    await until(() => client.paused.size === 0);
  });

  it("on stop, waits for running work, commits it and leaves queued work uncommitted", async () => {
    const handler = new ControlledHandler();
    const { client, pipeline } = setup({}, handler);
    pipeline.onBatch({ topic: "t", partition: 0, messages: [message(0, 0), message(0, 1)] });
    const stopped = pipeline.stop(5000);
    handler.calls[0]?.resolve();
    await stopped;
    assert.equal(handler.calls.length, 1, "queued work is not started after stop");
    assert.equal(client.lastCommitted("t", 0), 1);
  });

  it("drops queued work of revoked partitions and ignores their late completions", async () => {
    const handler = new ControlledHandler();
    const { client, pipeline } = setup({}, handler);
    pipeline.onBatch({ topic: "t", partition: 1, messages: [message(1, 0), message(1, 1)] });
    pipeline.onAssigned([{ topic: "t", partition: 0 }]);
    handler.calls[0]?.resolve();
    await tick();
    await pipeline.commitNow();
    assert.equal(client.lastCommitted("t", 1), undefined);
    assert.equal(handler.calls.length, 1);
  });

  it("between a rebalance's start and the new assignment, queued work waits; a revoked partition's never runs", async () => {
    const handler = new ControlledHandler();
    const { client, pipeline } = setup({ concurrency: 2 }, handler);
    pipeline.onBatch({ topic: "t", partition: 0, messages: [message(0, 0), message(0, 1)] });
    pipeline.onBatch({ topic: "t", partition: 1, messages: [message(1, 0), message(1, 1)] });
    assert.deepEqual(
      handler.calls.map((c) => c.messages[0]?.partition),
      [0, 1],
      "one message of each partition runs",
    );
    pipeline.onRebalancing();
    handler.calls[0]?.resolve();
    handler.calls[1]?.resolve();
    await until(() => client.lastCommitted("t", 0) === 1 && client.lastCommitted("t", 1) === 1);
    assert.equal(handler.calls.length, 2, "nothing queued is handed out while the rebalance runs");
    pipeline.onAssigned([{ topic: "t", partition: 0 }]);
    await tick();
    assert.deepEqual(
      handler.calls.slice(2).map((c) => [c.messages[0]?.partition, c.messages[0]?.offset]),
      [[0, 1]],
      "the kept partition goes on; the revoked partition's buffered record is never handled",
    );
  });

  it("a rebalance with no new assignment holds queued work at most rebalanceHoldMaxMs", async (t) => {
    // Mocked timers: the hold is measured on the pipeline's own clock, not on how busy the machine is.
    t.mock.timers.enable({ apis: ["setTimeout"] });
    const handler = new ControlledHandler();
    const { pipeline } = setup({ rebalanceHoldMaxMs: 20 }, handler);
    pipeline.onBatch({ topic: "t", partition: 0, messages: [message(0, 0), message(0, 1)] });
    pipeline.onRebalancing();
    handler.calls[0]?.resolve();
    await tick();
    t.mock.timers.tick(19);
    await tick();
    assert.equal(handler.calls.length, 1, "held while the rebalance runs");
    t.mock.timers.tick(1);
    await until(() => handler.calls.length === 2);
    assert.equal(handler.calls.length, 2, "released after the hold's limit");
    t.mock.timers.reset();
    handler.calls[1]?.resolve();
    await pipeline.stop(0);
  });
});
