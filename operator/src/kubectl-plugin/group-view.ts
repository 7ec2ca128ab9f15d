// What `kubectl lagpilot` reads of a KafkaConsumerGroup: a tolerant view of its status (every field may be
// missing: a new group, an older operator), with the decision history of status.autoscaling as
// docs of the status contract name it. Pure: turns objects into rows and documents.

export interface DecisionFigures {
  lag?: number;
  lagSeconds?: number;
  arrivalRate?: number;
  throughputPerReplica?: number;
  targetLagSeconds?: number;
  partitions?: number;
}

export interface Decision {
  time: string;
  fromReplicas: number;
  toReplicas: number;
  reason: string;
  message: string;
  figures?: DecisionFigures;
}

export interface Learned {
  throughputPerReplica?: number;
  podStartSeconds?: number;
  rebalanceSeconds?: number;
  observedAt?: string;
}

export interface GroupObject {
  metadata: { name: string; namespace?: string; creationTimestamp?: string };
  spec?: {
    lag?: { maxSeconds?: number };
    autoscaling?: { enabled?: boolean; minReplicas?: number; maxReplicas?: number };
  };
  status?: {
    conditions?: { type: string; status: string; reason: string; message: string }[];
    replicas?: number;
    readyReplicas?: number;
    desiredReplicas?: number;
    partitions?: number;
    totalLag?: number;
    lagSeconds?: number;
    produceRate?: number;
    consumeRate?: number;
    partitionHealth?: Record<string, number>;
    lastScaleTime?: string;
    lastScaleReason?: string;
    autoscaling?: { decisions?: Decision[]; learned?: Learned };
  };
}

/** One row of `top`, also its -o json|yaml form. */
export interface TopRow {
  namespace: string;
  name: string;
  lag: number | null;
  lagSeconds: number | null;
  rateIn: number | null;
  rateOut: number | null;
  replicas: number | null;
  readyReplicas: number | null;
  desiredReplicas: number | null;
  partitions: number | null;
  health: string;
  status: string;
}

const HEALTH_ORDER = ["rewind", "stop", "stall", "warn", "ok"];

/** "ok" when every partition is; else the troubled states, worst first: "stall:2 warn:1". */
export function healthSummary(health: Record<string, number> | undefined): string {
  if (!health) return "unknown";
  const troubled = HEALTH_ORDER.filter((state) => state !== "ok" && (health[state] ?? 0) > 0);
  if (troubled.length === 0) return (health.ok ?? 0) > 0 ? "ok" : "unknown";
  return troubled.map((state) => `${state}:${health[state]}`).join(" ");
}

function readyReason(group: GroupObject): string {
  const ready = group.status?.conditions?.find((c) => c.type === "Ready");
  return ready?.reason ?? "Unknown";
}

export function topRow(group: GroupObject): TopRow {
  const s = group.status ?? {};
  return {
    namespace: group.metadata.namespace ?? "",
    name: group.metadata.name,
    lag: s.totalLag ?? null,
    lagSeconds: s.lagSeconds ?? null,
    rateIn: s.produceRate ?? null,
    rateOut: s.consumeRate ?? null,
    replicas: s.replicas ?? null,
    readyReplicas: s.readyReplicas ?? null,
    desiredReplicas: s.desiredReplicas ?? null,
    partitions: s.partitions ?? null,
    health: healthSummary(s.partitionHealth),
    status: readyReason(group),
  };
}

/** Numbers as kubectl shows quantities: integers plain, others with one decimal; missing as <none>. */
export function show(value: number | null | undefined, suffix = ""): string {
  if (value === null || value === undefined) return "<none>";
  return `${Number.isInteger(value) ? value : value.toFixed(1)}${suffix}`;
}

export function topTable(rows: TopRow[], withNamespace: boolean): { headers: string[]; cells: string[][] } {
  const headers = [
    ...(withNamespace ? ["namespace"] : []),
    "name",
    "lag",
    "lag(s)",
    "rate-in/s",
    "rate-out/s",
    "replicas",
    "partitions",
    "health",
    "status",
  ];
  const cells = rows.map((r) => [
    ...(withNamespace ? [r.namespace] : []),
    r.name,
    show(r.lag),
    show(r.lagSeconds),
    show(r.rateIn),
    show(r.rateOut),
    `${show(r.readyReplicas)}/${show(r.desiredReplicas)}`,
    show(r.partitions),
    r.health,
    r.status,
  ]);
  return { headers, cells };
}

/** Decisions newest first, as both `explain` and `history` list them. */
export function decisionsNewestFirst(group: GroupObject): Decision[] {
  return [...(group.status?.autoscaling?.decisions ?? [])].reverse();
}

/** The figures behind a decision in words: "lag 12000 (14.1s, target 10s), arrival 850/s, 320/s per replica, 6 partitions". */
export function figuresInWords(figures: DecisionFigures | undefined): string {
  if (!figures) return "no figures recorded";
  const parts: string[] = [];
  if (figures.lag !== undefined || figures.lagSeconds !== undefined) {
    const seconds = figures.lagSeconds === undefined ? [] : [`${show(figures.lagSeconds)}s`];
    const target = figures.targetLagSeconds === undefined ? [] : [`target ${show(figures.targetLagSeconds)}s`];
    const inner = [...seconds, ...target].join(", ");
    parts.push(`lag ${show(figures.lag)}${inner ? ` (${inner})` : ""}`);
  } else if (figures.targetLagSeconds !== undefined) {
    parts.push(`lag target ${show(figures.targetLagSeconds)}s`);
  }
  if (figures.arrivalRate !== undefined) parts.push(`arrival ${show(figures.arrivalRate)}/s`);
  if (figures.throughputPerReplica !== undefined) parts.push(`${show(figures.throughputPerReplica)}/s per replica`);
  if (figures.partitions !== undefined) parts.push(`${figures.partitions} partitions`);
  return parts.length > 0 ? parts.join(", ") : "no figures recorded";
}

export function historyTable(group: GroupObject): { headers: string[]; cells: string[][] } {
  const headers = ["time", "replicas", "reason", "lag", "lag(s)", "arrival/s", "per-replica/s", "message"];
  const cells = decisionsNewestFirst(group).map((d) => [
    d.time,
    `${d.fromReplicas}->${d.toReplicas}`,
    d.reason,
    show(d.figures?.lag),
    show(d.figures?.lagSeconds),
    show(d.figures?.arrivalRate),
    show(d.figures?.throughputPerReplica),
    d.message,
  ]);
  return { headers, cells };
}

/** How many decisions `explain` shows; `history` shows every one status keeps. */
export const EXPLAIN_DECISIONS = 3;

/** `explain` in the layout of `kubectl describe`: the group now, what it learned, its last decisions. */
export function explainText(group: GroupObject): string {
  const s = group.status ?? {};
  const row = topRow(group);
  const autoscaling = group.spec?.autoscaling;
  const bounds =
    autoscaling?.enabled === false
      ? "autoscaling off"
      : `autoscaling ${show(autoscaling?.minReplicas)}..${show(autoscaling?.maxReplicas)}`;
  const ready = s.conditions?.find((c) => c.type === "Ready");
  const lines = [
    `Name:         ${group.metadata.name}`,
    `Namespace:    ${row.namespace}`,
    `Status:       ${row.status}${ready ? ` (Ready=${ready.status}): ${ready.message}` : ""}`,
    `Replicas:     ${show(row.desiredReplicas)} desired, ${show(row.readyReplicas)} ready (${bounds})`,
    `Lag:          ${show(row.lag)} messages, ${show(row.lagSeconds, "s")} behind (target ${show(group.spec?.lag?.maxSeconds, "s")})`,
    `Rates:        in ${show(row.rateIn, "/s")}, out ${show(row.rateOut, "/s")}`,
    `Partitions:   ${show(row.partitions)} (health ${row.health})`,
  ];
  const learned = s.autoscaling?.learned;
  if (learned) {
    lines.push(
      `Learned:      ${show(learned.throughputPerReplica, "/s")} per replica, pods start in ` +
        `${show(learned.podStartSeconds, "s")}, rebalances take ${show(learned.rebalanceSeconds, "s")}` +
        (learned.observedAt ? ` (as of ${learned.observedAt})` : ""),
    );
  }
  const decisions = decisionsNewestFirst(group).slice(0, EXPLAIN_DECISIONS);
  if (decisions.length === 0) {
    const last = s.lastScaleReason ? `; last change ${s.lastScaleTime ?? "(time unknown)"}: ${s.lastScaleReason}` : "";
    lines.push(`Decisions:    none recorded in status.autoscaling${last}`);
  } else {
    lines.push("Decisions (newest first):");
    for (const d of decisions) {
      lines.push(`  ${d.time}  ${d.reason}  ${d.fromReplicas} -> ${d.toReplicas} replicas`);
      lines.push(`    ${d.message}`);
      lines.push(`    figures: ${figuresInWords(d.figures)}`);
    }
  }
  return lines.join("\n");
}
