// Everything the desired-object builders need, gathered by the reconciler; the builders are pure.
import type { KafkaConsumerGroupSpec } from "../../api/spec.ts";
import type { ResolvedSettings } from "../../api/status.ts";

export interface GroupIdentity {
  namespace: string;
  name: string;
  uid: string;
}

export interface RenderContext {
  group: GroupIdentity;
  spec: KafkaConsumerGroupSpec;
  /** Profile and defaults applied; what status.resolved reports. */
  resolved: ResolvedSettings;
  replicas: number;
  runtimeImage: string;
  /** Hash of the values the consumer reads from spec.kafka's Secrets; undefined when it references none. */
  secretsHash?: string;
}
