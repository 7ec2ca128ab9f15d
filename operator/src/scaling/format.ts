// Number formatting for human-readable reasons: "9.8k msg/s", "48s".

export function formatCount(value: number): string {
  const v = Math.abs(value);
  const sign = value < 0 ? "-" : "";
  if (v >= 1e6) return `${sign}${trim(v / 1e6)}M`;
  if (v >= 1e3) return `${sign}${trim(v / 1e3)}k`;
  if (v >= 10 || Number.isInteger(v)) return `${sign}${Math.round(v)}`;
  return `${sign}${v.toFixed(1)}`;
}

function trim(scaled: number): string {
  return scaled >= 100 ? Math.round(scaled).toString() : scaled.toFixed(1).replace(/\.0$/, "");
}

export function formatRate(perSecond: number): string {
  return `${formatCount(perSecond)} msg/s`;
}

export function formatSeconds(seconds: number): string {
  if (seconds >= 3600) return `${trim(seconds / 3600)}h`;
  if (seconds >= 600) return `${Math.round(seconds / 60)}m`;
  return `${Math.round(seconds)}s`;
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}
