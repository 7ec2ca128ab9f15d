// Merges the three layers of tunable settings, explicit spec > profile > built-in defaults, into the values the
// consumer runs with, and says where each came from. Pure; the operator writes the result to status.resolved.
import {
  type BatchSettings,
  batchingTiers,
  builtinDefaults,
  type CommitSettings,
  type ConsumerSettings,
  profiles,
} from "./profiles.ts";
import type { KafkaConsumerGroupSpec } from "./spec.ts";
import { defaultModuleTimeoutMs } from "./spec-processing.ts";
import type { ResolvedSettings } from "./status.ts";

type Source = ResolvedSettings["sources"][string];

/** The consumer group id: spec.groupId, else <namespace>.<name>. */
export function effectiveGroupId(spec: Pick<KafkaConsumerGroupSpec, "groupId">, namespace: string, name: string) {
  return spec.groupId ?? `${namespace}.${name}`;
}

/** What the operator learned about the Kafka cluster that a default depends on. */
export interface BrokerFeatures {
  /** The broker answers ConsumerGroupHeartbeat (API key 68): the consumer group protocol of KIP-848. */
  consumerGroupProtocol: boolean;
}

/** `broker`: undefined until Kafka has answered once; defaults that depend on it then take the built-in value. */
export function resolveSettings(
  spec: KafkaConsumerGroupSpec,
  object: { namespace: string; name: string },
  broker?: BrokerFeatures,
): ResolvedSettings {
  const profile = spec.profile ? profiles[spec.profile] : undefined;
  const sources: Record<string, Source> = {};

  function pick<T>(field: string, explicit: T | undefined, preset: T | undefined, fallback: T): T {
    if (explicit !== undefined) {
      sources[field] = "spec";
      return explicit;
    }
    if (preset !== undefined) {
      sources[field] = "profile";
      return preset;
    }
    sources[field] = "default";
    return fallback;
  }

  function pickAll<T extends object>(
    prefix: string,
    explicit: Partial<T> | undefined,
    preset: Partial<T> | undefined,
    fallback: T,
  ) {
    const result = {} as T;
    for (const key of Object.keys(fallback) as (keyof T & string)[]) {
      result[key] = pick<T[typeof key]>(`${prefix}.${key}`, explicit?.[key], preset?.[key], fallback[key]);
    }
    return result;
  }

  const tier = pick("tier", spec.tier, profile?.tier, builtinDefaults.tier);
  const consumer = pickAll<ConsumerSettings>("consumer", spec.consumer, profile?.consumer, builtinDefaults.consumer);
  const commit = pickAll<CommitSettings>("commit", spec.processing.commit, profile?.commit, builtinDefaults.commit);
  adjustHeartbeat(consumer, sources);
  adjustGroupProtocol(consumer, sources, broker);

  const resolved: ResolvedSettings = {
    groupId: effectiveGroupId(spec, object.namespace, object.name),
    tier,
    consumer,
    commit,
    sources,
  };
  if (spec.profile) resolved.profile = spec.profile;
  if (spec.processing.handler.module) {
    resolved.moduleTimeoutMs = pick(
      "processing.handler.module.timeoutMs",
      spec.processing.handler.module.timeoutMs,
      profile?.moduleTimeoutMs,
      defaultModuleTimeoutMs,
    );
  }
  if (batchingTiers.includes(tier)) {
    resolved.batch = pickAll<BatchSettings>("batch", spec.batch, profile?.batch, builtinDefaults.batch);
  }
  return resolved;
}

/** Unless the spec names one, the group protocol is the newest the broker speaks. */
function adjustGroupProtocol(consumer: ConsumerSettings, sources: Record<string, Source>, broker?: BrokerFeatures) {
  if (sources["consumer.groupProtocol"] === "spec" || broker === undefined) return;
  consumer.groupProtocol = broker.consumerGroupProtocol ? "consumer" : "classic";
  sources["consumer.groupProtocol"] = "broker";
}

/**
 * Kafka wants heartbeats at most a third of the session timeout. When the spec sets only one of the two, the other
 * (from the profile or defaults) gives way; when it sets both, the apiserver has already checked them.
 */
function adjustHeartbeat(consumer: ConsumerSettings, sources: Record<string, Source>) {
  if (consumer.heartbeatIntervalMs * 3 <= consumer.sessionTimeoutMs) return;
  if (sources["consumer.heartbeatIntervalMs"] !== "spec") {
    consumer.heartbeatIntervalMs = Math.floor(consumer.sessionTimeoutMs / 3);
    sources["consumer.heartbeatIntervalMs"] = "derived";
  } else if (sources["consumer.sessionTimeoutMs"] !== "spec") {
    consumer.sessionTimeoutMs = Math.min(1_800_000, consumer.heartbeatIntervalMs * 3);
    sources["consumer.sessionTimeoutMs"] = "derived";
  }
}
