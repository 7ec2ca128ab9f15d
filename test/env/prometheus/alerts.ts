// Alerts of the local stack's Prometheus as a story: when each alert of a group went pending, fired and
// resolved. The reading is Prometheus' HTTP API (/api/v1/alerts); the bookkeeping is pure.

export interface ActiveAlert {
  alert: string;
  state: "pending" | "firing";
}

export interface AlertSpan {
  alert: string;
  pendingAtSeconds?: number;
  firedAtSeconds?: number;
  resolvedAtSeconds?: number;
}

/** Folds one reading into the spans; returns the new spans and the changes, in words, for a live view. */
export function trackAlerts(
  spans: AlertSpan[],
  active: ActiveAlert[],
  atSeconds: number,
): { spans: AlertSpan[]; changes: string[] } {
  const changes: string[] = [];
  const next = spans.map((span) => ({ ...span }));
  const open = (alert: string) => next.find((s) => s.alert === alert && s.resolvedAtSeconds === undefined);
  for (const { alert, state } of active) {
    let span = open(alert);
    if (!span) {
      span = { alert };
      next.push(span);
    }
    if (state === "pending" && span.pendingAtSeconds === undefined && span.firedAtSeconds === undefined) {
      span.pendingAtSeconds = atSeconds;
      changes.push(`${alert} pending`);
    }
    if (state === "firing" && span.firedAtSeconds === undefined) {
      span.firedAtSeconds = atSeconds;
      changes.push(`${alert} FIRING`);
    }
  }
  for (const span of next) {
    if (span.resolvedAtSeconds !== undefined || active.some((a) => a.alert === span.alert)) continue;
    span.resolvedAtSeconds = atSeconds;
    changes.push(span.firedAtSeconds === undefined ? `${span.alert} no longer pending` : `${span.alert} resolved`);
  }
  return { spans: next, changes };
}

/** True while an alert has fired and not resolved. */
export function alertFiring(spans: AlertSpan[]): boolean {
  return spans.some((s) => s.firedAtSeconds !== undefined && s.resolvedAtSeconds === undefined);
}

interface AlertsResponse {
  data?: { alerts?: { labels: Record<string, string>; state: string }[] };
}

/** The alerts Prometheus holds for one KafkaConsumerGroup. */
export async function activeAlerts(prometheusUrl: string, namespace: string, name: string): Promise<ActiveAlert[]> {
  const response = await fetch(`${prometheusUrl}/api/v1/alerts`, { signal: AbortSignal.timeout(3000) });
  if (!response.ok) throw new Error(`${prometheusUrl}/api/v1/alerts answered ${response.status}`);
  const body = (await response.json()) as AlertsResponse;
  return (body.data?.alerts ?? [])
    .filter((a) => a.labels.namespace === namespace && a.labels.name === name)
    .filter((a): a is { labels: Record<string, string>; state: "pending" | "firing" } =>
      ["pending", "firing"].includes(a.state),
    )
    .map((a) => ({ alert: a.labels.alertname ?? "unnamed", state: a.state }));
}
