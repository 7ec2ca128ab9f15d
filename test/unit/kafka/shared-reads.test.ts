import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { KafkaAdmin, PartitionOffsets } from "../../../operator/src/kafka/admin.ts";
import { withSharedReads } from "../../../operator/src/kafka/shared-reads.ts";

/** A cluster that answers when told to, and counts the questions it is asked. */
function slowCluster() {
  const asked: string[] = [];
  const pending: (() => void)[] = [];
  const later = <T>(what: string, value: T) => {
    asked.push(what);
    return new Promise<T>((resolve) => pending.push(() => resolve(value)));
  };
  const offsets = (topic: string): PartitionOffsets[] => [
    { topic, partition: 1, logStartOffset: 0, logEndOffset: 20 },
    { topic, partition: 0, logStartOffset: 0, logEndOffset: 10 },
  ];
  const admin = {
    missingTopics: (topics: string[]) =>
      later(
        `missing ${topics}`,
        topics.filter((t) => t === "gone"),
      ),
    partitionCounts: (topics: string[]) => later(`partitions ${topics}`, new Map(topics.map((t) => [t, 2]))),
    logOffsets: (topics: string[]) => later(`offsets ${topics}`, topics.flatMap(offsets)),
    committedOffsets: (groupId: string) => later(`committed ${groupId}`, []),
    describeGroup: (groupId: string) => later(`describe ${groupId}`, { state: "Stable", members: [] }),
  } as unknown as KafkaAdmin;
  const answerAll = () => {
    for (const answer of pending.splice(0)) answer();
  };
  return { admin, asked, answerAll };
}

describe("shared reads", () => {
  it("asks Kafka once for the same read made by many groups at once, and answers each of them", async () => {
    const cluster = slowCluster();
    const admin = withSharedReads(cluster.admin);
    const reads = Array.from({ length: 50 }, () =>
      Promise.all([admin.missingTopics(["orders"]), admin.partitionCounts(["orders"]), admin.logOffsets(["orders"])]),
    );
    cluster.answerAll();
    const answers = await Promise.all(reads);
    assert.deepEqual(cluster.asked, ["missing orders", "partitions orders", "offsets orders"]);
    for (const [missing, counts, offsets] of answers) {
      assert.deepEqual(missing, []);
      assert.equal(counts.get("orders"), 2);
      assert.deepEqual(
        offsets.map((o) => o.partition),
        [0, 1],
      );
    }
  });

  it("a read after the last answer asks again: nothing is older than the call that asked", async () => {
    const cluster = slowCluster();
    const admin = withSharedReads(cluster.admin);
    const first = admin.logOffsets(["orders"]);
    cluster.answerAll();
    await first;
    const second = admin.logOffsets(["orders"]);
    cluster.answerAll();
    await second;
    assert.deepEqual(cluster.asked, ["offsets orders", "offsets orders"]);
  });

  it("shares log offsets per topic across different topic sets, sorted by topic and partition", async () => {
    const cluster = slowCluster();
    const admin = withSharedReads(cluster.admin);
    const a = admin.logOffsets(["payments", "orders"]);
    const b = admin.logOffsets(["orders"]);
    cluster.answerAll();
    const [both] = await Promise.all([a, b]);
    assert.deepEqual(cluster.asked.sort(), ["offsets orders", "offsets payments"]);
    assert.deepEqual(
      both.map((o) => `${o.topic}/${o.partition}`),
      ["orders/0", "orders/1", "payments/0", "payments/1"],
    );
  });

  it("never shares a group's own reads: committed offsets and members are asked per group", async () => {
    const cluster = slowCluster();
    const admin = withSharedReads(cluster.admin);
    const reads = Promise.all([
      admin.committedOffsets("a", ["orders"]),
      admin.committedOffsets("b", ["orders"]),
      admin.describeGroup("a"),
      admin.describeGroup("b"),
    ]);
    cluster.answerAll();
    await reads;
    assert.deepEqual(cluster.asked, ["committed a", "committed b", "describe a", "describe b"]);
  });

  it("a failed read fails every caller sharing it, and the next read asks again", async () => {
    let calls = 0;
    const admin = withSharedReads({
      partitionCounts: async () => {
        calls += 1;
        throw new Error("broker down");
      },
    } as unknown as KafkaAdmin);
    const results = await Promise.allSettled([admin.partitionCounts(["orders"]), admin.partitionCounts(["orders"])]);
    assert.deepEqual(
      results.map((r) => r.status),
      ["rejected", "rejected"],
    );
    assert.equal(calls, 1);
    await assert.rejects(admin.partitionCounts(["orders"]), /broker down/);
    assert.equal(calls, 2);
  });
});
