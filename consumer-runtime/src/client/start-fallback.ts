// Where a client that takes one fallback for every partition without a committed offset starts them
// (@platformatic/kafka's fallbackMode, fixed when the consumer joins). The per-partition rules of
// start-positions.ts need a seek before the first fetch, which that client does not offer; one choice for the
// whole consumer, made before it joins, keeps their promise as long as the group has commits on every topic:
//   1. startFrom earliest: earliest (nothing to protect);
//   2. every subscribed topic has a committed offset on some partition: earliest. A partition without one is
//      then new (the topic grew) or its commits expired; its first offset is the safe side either way;
//   3. otherwise the group meets a topic for the first time: startFrom decides, for every partition.
// The operator commits the log end of every topic a `latest` group has never committed on before its consumers
// start (docs/adr/0011), so rule 3 only applies to groups run without the operator, or to a topic added to a
// group whose consumers were running.
import type { CommittedReading, StartFrom } from "./start-positions.ts";

export interface FallbackInput {
  startFrom: StartFrom;
  /** The topics the consumer subscribes to. */
  topics: readonly string[];
  /** The group's committed offsets on those topics; a negative offset means none. */
  committed: readonly CommittedReading[];
}

export function chooseFallback({ startFrom, topics, committed }: FallbackInput): StartFrom {
  if (startFrom === "earliest") return "earliest";
  const topicsWithCommits = new Set(committed.filter((c) => c.offset >= 0).map((c) => c.topic));
  return topics.length > 0 && topics.every((topic) => topicsWithCommits.has(topic)) ? "earliest" : startFrom;
}
