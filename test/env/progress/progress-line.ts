// How a long step reports itself: what it is doing, how far it is, how long it has run and how long it
// usually runs. Pure: the caller passes the clock's reading.

export interface StepSnapshot {
  /** The step's name as the user sees it, e.g. "kubernetes". */
  step: string;
  /** What the step is doing right now, e.g. "compiling Go packages". */
  activity: string;
  done?: number;
  /** Unknown while a step cannot count its work in advance (module downloads). */
  total?: number;
  unit?: string;
  elapsedMs: number;
  /** How long this step usually takes here, when known. */
  usualMs?: number;
}

/** 12s, 4m05s, 1h02m: short enough for a progress line, exact enough to compare runs. */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m${String(seconds % 60).padStart(2, "0")}s`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, "0")}m`;
}

function amount(snapshot: StepSnapshot): string {
  const { done, total, unit } = snapshot;
  if (done === undefined) return "";
  const what = unit ? ` ${unit}` : "";
  if (total === undefined || total <= 0) return ` ${done}${what}`;
  const shown = Math.min(done, total);
  return ` ${shown}/${total}${what} (${Math.floor((shown / total) * 100)}%)`;
}

/** e.g. "provision kubernetes: compiling Go packages 812/1320 packages (61%), 4m10s elapsed, usually about 9m here" */
export function progressLine(snapshot: StepSnapshot): string {
  const usual = snapshot.usualMs === undefined ? "" : `, usually about ${formatDuration(snapshot.usualMs)} here`;
  return (
    `provision ${snapshot.step}: ${snapshot.activity}${amount(snapshot)}, ` +
    `${formatDuration(snapshot.elapsedMs)} elapsed${usual}`
  );
}
