// Renders what the demo shows each second: the same numbers `kubectl get kcg -w` shows, and a bit more.
export interface Snapshot {
  elapsed: number;
  tier: string;
  desiredReplicas: number;
  readyReplicas: number;
  partitions: number;
  lag: number;
  lagSeconds: number;
  produceRate: number;
  consumeRate: number;
  health: string;
  /** The Degraded condition, while it is True. */
  degraded?: { reason: string; message: string };
  lastScaleReason: string;
  produced: number;
}

const columns: { title: string; width: number; value: (s: Snapshot) => string }[] = [
  { title: "T", width: 6, value: (s) => `${Math.round(s.elapsed)}s` },
  { title: "TIER", width: 10, value: (s) => s.tier },
  { title: "REPLICAS", width: 9, value: (s) => `${s.readyReplicas}/${s.desiredReplicas}` },
  { title: "PARTS", width: 6, value: (s) => String(s.partitions) },
  { title: "LAG", width: 8, value: (s) => String(s.lag) },
  { title: "LAG(S)", width: 7, value: (s) => s.lagSeconds.toFixed(1) },
  { title: "IN/S", width: 7, value: (s) => s.produceRate.toFixed(0) },
  { title: "OUT/S", width: 7, value: (s) => s.consumeRate.toFixed(0) },
  { title: "PRODUCED", width: 9, value: (s) => String(s.produced) },
  { title: "HEALTH", width: 18, value: (s) => s.health },
];

const pad = (text: string, width: number) =>
  text.length >= width ? `${text.slice(0, width - 1)} ` : text.padEnd(width);

export function header(): string {
  return `${columns.map((c) => pad(c.title, c.width)).join("")}LAST SCALE`;
}

export function row(snapshot: Snapshot): string {
  return `${columns.map((c) => pad(c.value(snapshot), c.width)).join("")}${snapshot.lastScaleReason}`;
}
