// Kubernetes Events for transitions that matter. The same reason and message for the same object is
// recorded once per window, so a failing object retried with backoff does not flood the namespace.
import * as k8s from "@kubernetes/client-node";

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

export function createEventRecorder(
  kubeConfig: k8s.KubeConfig,
  component: string,
  onError: (error: unknown) => void,
  dedupeWindowMs = 10 * 60_000,
): EventRecorder {
  const api = kubeConfig.makeApiClient(k8s.CoreV1Api);
  const lastSeen = new Map<string, number>();
  return {
    async record(target, type, reason, message) {
      const dedupeKey = `${target.uid}/${type}/${reason}/${message}`;
      const now = Date.now();
      const last = lastSeen.get(dedupeKey);
      if (last !== undefined && now - last < dedupeWindowMs) return;
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
              uid: target.uid,
            },
            type,
            reason,
            message: message.slice(0, 1024),
            source: { component },
            reportingComponent: component,
            reportingInstance: process.env.HOSTNAME ?? component,
            firstTimestamp: timestamp,
            lastTimestamp: timestamp,
            count: 1,
          },
        });
      } catch (error) {
        // An event that cannot be recorded must never fail the reconcile that produced it.
        onError(error);
      }
    },
  };
}
