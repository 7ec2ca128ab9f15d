// Why Kafka refused an offset commit sent from outside a group (generation or member epoch -1, no member id).
// It accepts one only while the group has no members; otherwise it answers as it would an unknown member of a
// running group. Those answers mean "consumers run", not a failure.
const unknownMemberId = 25;
const illegalGeneration = 22;
const rebalanceInProgress = 27;
const staleMemberEpoch = 113;

const membersExist = new Set([unknownMemberId, illegalGeneration, rebalanceInProgress, staleMemberEpoch]);

/** True when every partition's error code says the group has members (and at least one partition failed). */
export function refusedForMembers(errorCodes: readonly number[]): boolean {
  const failed = errorCodes.filter((code) => code !== 0);
  return failed.length > 0 && failed.every((code) => membersExist.has(code));
}
