// What the operator remembers about a group between reconciles. Plain data, owned by the reconciler, replaced
// (never changed in place) by each plan. Lost on restart and rebuilt by polling, except what the autoscaler
// learned and decided: status.autoscaling keeps it, and a fresh memory starts from there.
import type * as k8s from "@kubernetes/client-node";
import type { BrokerFeatures } from "../api/resolve.ts";
import type { GroupHistory } from "../lag/types.ts";
import type { GroupSnapshot } from "../observability/metrics.ts";
import type { ScalingDecision, ScalingState } from "../scaling/types.ts";
import type { KafkaOutcome } from "./status.ts";

/** The objects a group owns, as the watch caches hold them (undefined: not there). */
export interface OwnedObjects {
  configMap?: k8s.V1ConfigMap;
  deployment?: k8s.V1Deployment;
  service?: k8s.V1Service;
  pdb?: k8s.V1PodDisruptionBudget;
}

/** The last Kafka poll, without the raw offsets (those live on in the history). */
export interface LastPoll {
  atMs: number;
  generation: number;
  kafka: KafkaOutcome;
  topics?: Record<string, number>;
  pollError?: string;
  /** Hash of the credentials the consumer reads from Secrets, as of this poll. */
  secretsHash?: string;
}

export interface GroupMemory {
  history: GroupHistory;
  scaling: ScalingState;
  lastPoll?: LastPoll;
  /** What the broker supported when it last answered; defaults that depend on it (the group protocol) keep it. */
  broker?: BrokerFeatures;
  /** The decision made at the last poll, re-used until the next one. */
  lastDecision?: ScalingDecision;
  /** Whether Kafka answered at the last poll; undefined before the first. Events and logs fire on a change. */
  kafkaReachable?: boolean;
  /** Topics of spec.topics Kafka lacked at the last poll, sorted; an Event fires when the list changes. */
  missingTopics?: string[];
  /** processing.deadLetter.topic when Kafka lacked it at the last poll; an Event fires when this changes. */
  missingDeadLetterTopic?: string;
  /** Partitions each topic should have: a level the executor grows topics to, never a one-off command. */
  desiredPartitions: Record<string, number>;
  /** Owned objects are re-applied even when unchanged this often, to revert hand edits. */
  lastResyncMs: number;
  /** Replica and partition changes so far, by "direction/reason" (a metric). */
  scaleEvents: Record<string, number>;
  /** What the group exports as metrics, read at scrape time. */
  snapshot?: GroupSnapshot;
}
