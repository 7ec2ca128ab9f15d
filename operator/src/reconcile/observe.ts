// Every read of one reconcile: the group and the objects it owns from the watch caches (no request to the
// apiserver), and one Kafka poll when one is due. Nothing here decides anything but whether to poll.
import type * as k8s from "@kubernetes/client-node";
import { KIND } from "../api/group.ts";
import type { KafkaConsumerGroup } from "../api/object.ts";
import { type BrokerFeatures, resolveSettings } from "../api/resolve.ts";
import type { KafkaConsumerGroupStatus } from "../api/status.ts";
import { type Validation, validateKafkaConsumerGroup } from "../api/validate.ts";
import type { CacheReader } from "../controller/object-cache.ts";
import type { ObjectKey } from "../controller/object-key.ts";
import type { KafkaConnection } from "../kafka/connection.ts";
import type { AdminPool } from "../kafka/pool.ts";
import { buildPoll } from "../lag/poll.ts";
import type { Poll } from "../lag/types.ts";
import { objectNames } from "./desired/names.ts";
import {
  explainTlsFailure,
  resolveKafkaConnection,
  SecretMissingError,
  type SecretReader,
} from "./kafka-connection.ts";
import type { GroupMemory, OwnedObjects } from "./memory.ts";
import { pollDue } from "./poll-due.ts";
import { contentHash } from "./spec-hash.ts";
import type { KafkaOutcome } from "./status.ts";

/** The group as stored, before validation: enough to report on it even when its spec is invalid. */
export interface StoredGroup {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace: string; uid?: string; generation?: number; resourceVersion?: string };
  spec?: unknown;
  status?: KafkaConsumerGroupStatus;
}

/** One poll of Kafka: what it answered, or why it could not be asked. */
export interface KafkaReading {
  atMs: number;
  generation: number;
  kafka: KafkaOutcome;
  /** What the broker supports, when Kafka answered. */
  broker?: BrokerFeatures;
  /** Partitions per topic, when Kafka answered. */
  topics?: Record<string, number>;
  pollError?: string;
  poll?: Poll;
  /** Hash of the credentials read from spec.kafka's Secrets; undefined when none is referenced or readable. */
  secretsHash?: string;
}

export interface Observed {
  key: ObjectKey;
  /** Undefined: the group is gone. */
  stored?: StoredGroup;
  validation?: Validation;
  owned: OwnedObjects;
  /** Set when Kafka was polled in this reconcile. */
  reading?: KafkaReading;
}

export interface ObserveDeps {
  cache: CacheReader;
  adminPool: AdminPool;
  readSecret: SecretReader;
}

function ownedObjects(cache: CacheReader, key: ObjectKey): OwnedObjects {
  const names = objectNames(key.name);
  return {
    configMap: cache.get<k8s.V1ConfigMap>("ConfigMap", key.namespace, names.configMap),
    deployment: cache.get<k8s.V1Deployment>("Deployment", key.namespace, names.deployment),
    service: cache.get<k8s.V1Service>("Service", key.namespace, names.service),
    pdb: cache.get<k8s.V1PodDisruptionBudget>("PodDisruptionBudget", key.namespace, names.pdb),
  };
}

async function readKafka(deps: ObserveDeps, group: KafkaConsumerGroup, key: ObjectKey, nowMs: number) {
  const { spec } = group;
  const groupId = resolveSettings(spec, key).groupId;
  const servers = spec.kafka.bootstrapServers.join(",");
  const generation = group.metadata.generation ?? 0;
  // Known once the Secrets are read, whether or not Kafka then accepts them: the consumers read the same values.
  let secretsHash: string | undefined;
  try {
    const connection = await resolveKafkaConnection(spec.kafka, key.namespace, deps.readSecret);
    secretsHash = credentialsHash(connection);
    const { topics } = spec;
    const deadLetterTopic = spec.processing.deadLetter?.topic;
    const answered = await deps.adminPool.use(connection, "observe", async (admin) => {
      // A missing topic is the user's to fix, not a failed call: the shared connection stays, and the topic is
      // never named in a request (Kafka would answer that with an error).
      const missing = await admin.missingTopics(deadLetterTopic ? [...topics, deadLetterTopic] : topics);
      const missingDeadLetterTopic = deadLetterTopic && missing.includes(deadLetterTopic) ? deadLetterTopic : undefined;
      const missingTopics = missing.filter((topic) => topic !== deadLetterTopic);
      const dlq = missingDeadLetterTopic ? { missingDeadLetterTopic } : {};
      if (missingTopics.length > 0) return { missing: missingTopics, dlq };
      const [counts, logOffsets, committed, description, consumerGroupProtocol] = await Promise.all([
        admin.partitionCounts(topics),
        admin.logOffsets(topics),
        admin.committedOffsets(groupId, topics),
        admin.describeGroup(groupId),
        admin.supportsConsumerProtocol(),
      ]);
      return {
        counts,
        dlq,
        broker: { consumerGroupProtocol },
        poll: buildPoll({ timeMs: nowMs, logOffsets, committed, group: description }),
      };
    });
    const connected = `connected to ${servers}`;
    if ("missing" in answered) {
      return {
        atMs: nowMs,
        generation,
        kafka: { reachable: true, missingTopics: answered.missing, ...answered.dlq, message: connected },
        ...(secretsHash ? { secretsHash } : {}),
      } satisfies KafkaReading;
    }
    return {
      atMs: nowMs,
      generation,
      kafka: { reachable: true, ...answered.dlq, message: connected },
      broker: answered.broker,
      topics: Object.fromEntries(answered.counts),
      poll: answered.poll,
      ...(secretsHash ? { secretsHash } : {}),
    } satisfies KafkaReading;
  } catch (error) {
    const pollError = String((error as Error).message ?? error);
    // A TLS failure names the spec.kafka.tls field to fix instead of the address.
    const tlsFailure = explainTlsFailure(error, spec.kafka, key.namespace);
    const kafka: KafkaOutcome =
      error instanceof SecretMissingError
        ? { reachable: false, reason: "SecretMissing", message: pollError }
        : {
            reachable: false,
            reason: "KafkaUnreachable",
            message: tlsFailure
              ? `cannot connect to Kafka at ${servers}: ${tlsFailure} (${pollError})`
              : `cannot reach Kafka at ${servers} (spec.kafka): ${pollError}; check the address, network policy and credentials`,
          };
    return {
      atMs: nowMs,
      generation,
      kafka,
      pollError,
      ...(secretsHash ? { secretsHash } : {}),
    } satisfies KafkaReading;
  }
}

/** The Secret-sourced part of a connection, hashed (never logged or stored as is); undefined without Secrets. */
function credentialsHash(connection: KafkaConnection): string | undefined {
  const { tls, sasl } = connection;
  const fromSecrets = {
    ...(tls?.ca || tls?.cert || tls?.key ? { ca: tls.ca, cert: tls.cert, key: tls.key } : {}),
    ...(sasl ? { username: sasl.username, password: sasl.password } : {}),
  };
  return Object.keys(fromSecrets).length > 0 ? contentHash(fromSecrets) : undefined;
}

/**
 * Validation by cached object: the watch cache replaces an object with a new one for every new version and
 * never changes one in place, so a reconcile between versions (a Deployment's status moving, a poll) re-uses
 * the verdict instead of parsing the same spec again.
 */
const validations = new WeakMap<StoredGroup, Validation>();

function validationOf(stored: StoredGroup): Validation {
  let validation = validations.get(stored);
  if (validation === undefined) {
    validation = validateKafkaConsumerGroup(stored);
    validations.set(stored, validation);
  }
  return validation;
}

export async function observe(
  deps: ObserveDeps,
  key: ObjectKey,
  memory: GroupMemory | undefined,
  nowMs: number,
): Promise<Observed> {
  const stored = deps.cache.get<k8s.KubernetesObject>(KIND, key.namespace, key.name) as StoredGroup | undefined;
  const owned = ownedObjects(deps.cache, key);
  if (!stored) return { key, owned };
  const validation = validationOf(stored);
  if (!validation.valid) return { key, stored, validation, owned };
  const group = validation.object;
  const due = pollDue(
    memory?.lastPoll,
    group.metadata.generation ?? 0,
    group.spec.autoscaling.pollIntervalSeconds,
    nowMs,
  );
  if (!due) return { key, stored, validation, owned };
  return { key, stored, validation, owned, reading: await readKafka(deps, group, key, nowMs) };
}
