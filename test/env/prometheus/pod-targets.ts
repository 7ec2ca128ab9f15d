// Which Pods the stack's Prometheus scrapes, and with which labels: the relabelling of the chart's
// charts/lagpilot/files/prometheus.example.yaml, done here because Debian's Prometheus is built without
// Kubernetes service discovery. Pure; pod-targets-writer.ts watches the Pods and writes the result as
// file_sd files.

export interface PodLike {
  metadata?: { name?: string; namespace?: string; labels?: Record<string, string>; deletionTimestamp?: unknown };
  spec?: { containers?: { ports?: { name?: string; containerPort: number }[] }[] };
  status?: { podIP?: string; phase?: string };
}

export interface TargetGroup {
  targets: string[];
  labels: Record<string, string>;
}

export type ScrapeJob = "lagpilot-operator" | "lagpilot-consumers";

/** The job keep rules of the example: operator Pods by name and component, consumers by manager and component. */
export function jobOf(labels: Record<string, string>): ScrapeJob | undefined {
  const component = labels["app.kubernetes.io/component"];
  if (labels["app.kubernetes.io/name"] === "lagpilot" && component === "operator") return "lagpilot-operator";
  if (labels["app.kubernetes.io/managed-by"] === "lagpilot" && component === "consumer") return "lagpilot-consumers";
  return undefined;
}

/** One target group per Pod port named "metrics", labelled namespace, pod and (consumers) name. */
export function podTargets(pods: PodLike[], job: ScrapeJob): TargetGroup[] {
  const groups: TargetGroup[] = [];
  for (const pod of pods) {
    const labels = pod.metadata?.labels ?? {};
    const ip = pod.status?.podIP;
    if (jobOf(labels) !== job || !ip || pod.status?.phase !== "Running" || pod.metadata?.deletionTimestamp) continue;
    for (const container of pod.spec?.containers ?? []) {
      for (const port of container.ports ?? []) {
        if (port.name !== "metrics") continue;
        const group = labels["lagpilot.dev/consumer-group"];
        groups.push({
          targets: [`${ip}:${port.containerPort}`],
          labels: {
            namespace: pod.metadata?.namespace ?? "",
            pod: pod.metadata?.name ?? "",
            ...(group ? { name: group } : {}),
          },
        });
      }
    }
  }
  return groups.sort((a, b) => (a.targets[0] ?? "").localeCompare(b.targets[0] ?? ""));
}
