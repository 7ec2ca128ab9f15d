// A KIP-848 group described by ConsumerGroupDescribe, read in the vocabulary the lag poll speaks.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { toGroupDescription } from "../../../operator/src/kafka/consumer-protocol.ts";

function group(groupState: string, members: { id: string; partitions: number[] }[] = []) {
  return {
    errorCode: 0,
    errorMessage: null,
    groupId: "g",
    groupState,
    groupEpoch: 3,
    assignmentEpoch: 3,
    assignorName: "uniform",
    authorizedOperations: 0,
    members: members.map((m) => ({
      memberId: m.id,
      instanceId: null,
      rackId: null,
      memberEpoch: 3,
      clientId: `client-${m.id}`,
      clientHost: "/10.0.0.1",
      subscribedTopicNames: ["orders"],
      subscribedTopicRegex: null,
      assignment: { topicPartitions: [{ topicId: "id", topicName: "orders", partitions: m.partitions }] },
      targetAssignment: { topicPartitions: [] },
    })),
  };
}

describe("toGroupDescription", () => {
  const states: { broker: string; expect: string }[] = [
    { broker: "Stable", expect: "Stable" },
    { broker: "stable", expect: "Stable" },
    { broker: "Empty", expect: "Empty" },
    { broker: "Assigning", expect: "PreparingRebalance" },
    { broker: "Reconciling", expect: "CompletingRebalance" },
    { broker: "Dead", expect: "Dead" },
    { broker: "NotAState", expect: "Unknown" },
  ];
  for (const c of states) {
    it(`state ${c.broker} reads as ${c.expect}`, () =>
      assert.equal(toGroupDescription(group(c.broker)).state, c.expect));
  }

  it("lists each member with the partitions it owns now", () => {
    const described = toGroupDescription(
      group("Stable", [
        { id: "a", partitions: [0, 1] },
        { id: "b", partitions: [2] },
      ]),
    );
    assert.deepEqual(
      described.members.map((m) => ({ id: m.memberId, client: m.clientId, owns: m.assignment })),
      [
        {
          id: "a",
          client: "client-a",
          owns: [
            { topic: "orders", partition: 0 },
            { topic: "orders", partition: 1 },
          ],
        },
        { id: "b", client: "client-b", owns: [{ topic: "orders", partition: 2 }] },
      ],
    );
  });
});
