// Reads the group's committed offsets from outside the group, before the consumer joins it: an admin
// OffsetFetch (kafkajs), which the broker answers for groups of either protocol. (A member's own OffsetFetch
// under the consumer protocol names its member id and epoch, which a consumer that has not joined has none of.)
import { Kafka } from "kafkajs";
import type { ConsumerClientOptions } from "./contract.ts";
import { kafkajsConfig } from "./kafkajs.ts";
import { chooseFallback } from "./start-fallback.ts";
import type { CommittedReading, StartFrom } from "./start-positions.ts";

const attempts = 6;

export async function readGroupCommits(options: ConsumerClientOptions, topics: string[]): Promise<CommittedReading[]> {
  const admin = new Kafka(kafkajsConfig(options)).admin();
  await admin.connect();
  try {
    const result = await admin.fetchOffsets({ groupId: options.groupId, topics });
    return result.flatMap((t) =>
      t.partitions.map((p) => ({ topic: t.topic, partition: p.partition, offset: Number(p.offset) })),
    );
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

/**
 * The fallback for partitions without a commit (start-fallback.ts). With startFrom latest the group's commits are
 * read first; a read that keeps failing throws (the runtime stops and is restarted) rather than guess `latest`
 * and skip records of a grown topic.
 */
export async function fallbackForGroup(
  options: ConsumerClientOptions,
  topics: string[],
  startFrom: StartFrom,
): Promise<StartFrom> {
  if (startFrom === "earliest") return "earliest";
  for (let attempt = 1; ; attempt++) {
    try {
      return chooseFallback({ startFrom, topics, committed: await readGroupCommits(options, topics) });
    } catch (error) {
      if (attempt >= attempts) {
        throw new Error(
          `cannot read the committed offsets of group ${options.groupId} (needed to choose where partitions without a commit start): ${(error as Error).message}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, Math.min(5000, 250 * 2 ** attempt)));
    }
  }
}
