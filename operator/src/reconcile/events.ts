// The operator's one Event recorder. The same reason and message for the same object is recorded once per
// window, so a failing object retried with backoff does not flood the namespace.
import * as k8s from "@kubernetes/client-node";

export const EVENT_COMPONENT = "lagpilot-operator";

export interface EventTarget {
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
  uid: string;
}

export interface EventRecorder {
  record(target: EventTarget, type: "Normal" | "Warning", reason: string, message: string): Promise<void>;
}

export interface EventRecorderOptions {
  /** Who reports, e.g. the operator Pod's name. */
  instance: string;
  onError: (error: unknown) => void;
  onCreated?: () => void;
  dedupeWindowMs?: number;
}

const MAX_MESSAGE = 1024;

export function createEventRecorder(kubeConfig: k8s.KubeConfig, options: EventRecorderOptions): EventRecorder {
  const api = kubeConfig.makeApiClient(k8s.CoreV1Api);
  const lastSeen = new Map<string, number>();
  const windowMs = options.dedupeWindowMs ?? 10 * 60_000;
  return {
    async record(target, type, reason, message) {
      const dedupeKey = `${target.uid}/${type}/${reason}/${message}`;
      const now = Date.now();
      const last = lastSeen.get(dedupeKey);
      if (last !== undefined && now - last < windowMs) return;
      lastSeen.set(dedupeKey, now);
      if (lastSeen.size > 10_000) lastSeen.clear();
      const timestamp = new Date(now);
      try {
        await api.createNamespacedEvent({
          namespace: target.namespace,
          body: {
            metadata: { generateName: `${target.name}.`, namespace: target.namespace },
            involvedObject: {
              apiVersion: target.apiVersion,
              kind: target.kind,
              name: target.name,
              namespace: target.namespace,
              ...(target.uid ? { uid: target.uid } : {}),
            },
            type,
            reason,
            message: message.length > MAX_MESSAGE ? `${message.slice(0, MAX_MESSAGE - 3)}...` : message,
            source: { component: EVENT_COMPONENT },
            reportingComponent: `lagpilot.dev/${EVENT_COMPONENT}`,
            reportingInstance: options.instance,
            firstTimestamp: timestamp,
            lastTimestamp: timestamp,
            count: 1,
          },
        });
        options.onCreated?.();
      } catch (error) {
        // An event that cannot be recorded must never fail the reconcile that produced it.
        options.onError(error);
      }
    },
  };
}
