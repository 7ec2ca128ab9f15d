// Recommendation windows, as the Kubernetes HPA applies them: scale up to the lowest recommendation
// of the scale-up window, down to the highest of the scale-down window.

export interface Recommendation {
  timeMs: number;
  replicas: number;
}

export interface StabilizeInput {
  current: number;
  /** Recommendations so far, including the one just made. */
  recommendations: readonly Recommendation[];
  nowMs: number;
  upWindowSeconds: number;
  downWindowSeconds: number;
  /**
   * Since when recommendations have been made. Until they cover the whole scale-down window the
   * highest recommendation in it is unknown, so there is no scale-down (after a restart, too).
   */
  coveredSinceMs?: number;
}

export function stabilize({
  current,
  recommendations,
  nowMs,
  upWindowSeconds,
  downWindowSeconds,
  coveredSinceMs,
}: StabilizeInput): {
  replicas: number;
  upBound: number;
  downBound: number;
} {
  const inWindow = (seconds: number) => recommendations.filter((r) => r.timeMs >= nowMs - seconds * 1000);
  const up = inWindow(upWindowSeconds).map((r) => r.replicas);
  const down = inWindow(downWindowSeconds).map((r) => r.replicas);
  const upBound = up.length > 0 ? Math.min(...up) : current;
  const covered = coveredSinceMs === undefined || nowMs - coveredSinceMs >= downWindowSeconds * 1000;
  const downBound = Math.max(down.length > 0 ? Math.max(...down) : current, covered ? 0 : current);
  let replicas = current;
  if (replicas < upBound) replicas = upBound;
  if (replicas > downBound) replicas = downBound;
  return { replicas, upBound, downBound };
}

/** Keeps what the longest window can still see; drops entries from the future (a clock that went back). */
export function pruneRecommendations(
  recommendations: readonly Recommendation[],
  nowMs: number,
  keepSeconds: number,
): Recommendation[] {
  return recommendations.filter((r) => r.timeMs <= nowMs && r.timeMs >= nowMs - keepSeconds * 1000);
}
