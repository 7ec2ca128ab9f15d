// What to write when an object fails validation: Ready=False with reason InvalidSpec naming the fields, and one
// Warning Event. Pure and idempotent: nothing to write when the status already says exactly this.
import { findCondition, setCondition, toKubernetesTime } from "./conditions.ts";
import { type Condition, readyReasons } from "./status.ts";

export const EVENT_COMPONENT = "lagpilot-operator";

/** The parts of an object the report needs; anything that has them will do, even one that failed validation. */
export interface ReportedObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace: string; uid?: string; generation?: number; resourceVersion?: string };
  status?: { observedGeneration?: number; conditions?: Condition[] };
}

export interface CoreEvent {
  apiVersion: "v1";
  kind: "Event";
  metadata: { generateName: string; namespace: string };
  involvedObject: {
    apiVersion: string;
    kind: string;
    name: string;
    namespace: string;
    uid?: string;
    resourceVersion?: string;
  };
  type: "Warning" | "Normal";
  reason: string;
  action: string;
  message: string;
  source: { component: string };
  reportingComponent: string;
  reportingInstance: string;
  firstTimestamp: string;
  lastTimestamp: string;
  count: number;
}

export interface InvalidSpecReport {
  /** A merge patch for the status subresource, or null when the status already says this. */
  statusPatch: { status: { observedGeneration?: number; conditions: Condition[] } } | null;
  /** An Event to create, or null; emitted only with a status change, so re-reconciling does not repeat it. */
  event: CoreEvent | null;
}

export function planInvalidSpecReport(
  object: ReportedObject,
  message: string,
  now: Date,
  instance: string = EVENT_COMPONENT,
): InvalidSpecReport {
  const generation = object.metadata.generation;
  const text = `invalid spec: ${message}`;
  const current = findCondition(object.status?.conditions, "Ready");
  const unchanged =
    current?.status === "False" &&
    current.reason === readyReasons.invalidSpec &&
    current.message === text &&
    current.observedGeneration === generation &&
    object.status?.observedGeneration === generation;
  if (unchanged) return { statusPatch: null, event: null };

  const conditions = setCondition(
    object.status?.conditions,
    { type: "Ready", status: "False", reason: readyReasons.invalidSpec, message: text, observedGeneration: generation },
    now,
  );
  const status: { observedGeneration?: number; conditions: Condition[] } = { conditions };
  if (generation !== undefined) status.observedGeneration = generation;

  const { name, namespace, uid, resourceVersion } = object.metadata;
  const time = toKubernetesTime(now);
  const event: CoreEvent = {
    apiVersion: "v1",
    kind: "Event",
    metadata: { generateName: `${name}.`, namespace },
    involvedObject: { apiVersion: object.apiVersion, kind: object.kind, name, namespace },
    type: "Warning",
    reason: readyReasons.invalidSpec,
    action: "Validate",
    message: text.length > 1024 ? `${text.slice(0, 1021)}...` : text,
    source: { component: EVENT_COMPONENT },
    reportingComponent: `lagpilot.dev/${EVENT_COMPONENT}`,
    reportingInstance: instance,
    firstTimestamp: time,
    lastTimestamp: time,
    count: 1,
  };
  if (uid) event.involvedObject.uid = uid;
  if (resourceVersion) event.involvedObject.resourceVersion = resourceVersion;
  return { statusPatch: { status }, event };
}
