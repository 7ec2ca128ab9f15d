// The arrival trend: a least-squares line through the incoming rates of the last few minutes, used
// to size for the rate expected once added replicas are consuming (one lead time ahead).

export interface ArrivalSample {
  timeMs: number;
  /** Records per second arriving on the partitions that drive scaling. */
  rate: number;
}

/** Rates older than this are dropped: the trend follows the last few minutes, not the day. */
export const trendWindowSeconds = 300;
/** Fewer samples or a shorter span than this give no trend. */
export const minTrendSamples = 4;
export const minTrendSpanSeconds = 60;
/** The forecast never sizes for more than this multiple of today's rate. */
export const maxForecastGrowth = 1.5;

export function recordArrival(samples: readonly ArrivalSample[], sample: ArrivalSample): ArrivalSample[] {
  const fromMs = sample.timeMs - trendWindowSeconds * 1000;
  return [...samples.filter((s) => s.timeMs >= fromMs && s.timeMs < sample.timeMs), sample];
}

/** Slope in records per second per second; 0 without enough samples. */
export function arrivalSlope(samples: readonly ArrivalSample[]): number {
  const first = samples[0];
  const last = samples.at(-1);
  if (first === undefined || last === undefined || samples.length < minTrendSamples) return 0;
  if ((last.timeMs - first.timeMs) / 1000 < minTrendSpanSeconds) return 0;
  const xs = samples.map((s) => (s.timeMs - first.timeMs) / 1000);
  const meanX = xs.reduce((a, b) => a + b, 0) / xs.length;
  const meanY = samples.reduce((a, s) => a + s.rate, 0) / samples.length;
  let covariance = 0;
  let variance = 0;
  samples.forEach((s, i) => {
    const dx = (xs[i] as number) - meanX;
    covariance += dx * (s.rate - meanY);
    variance += dx * dx;
  });
  return variance > 0 ? covariance / variance : 0;
}

/**
 * How much more than `incoming` to size for, as a factor: the rate the trend reaches `leadSeconds`
 * ahead, over today's. Never below 1 (a falling trend is left to the scale-down window) nor above
 * maxForecastGrowth.
 */
export function forecastGrowth(samples: readonly ArrivalSample[], incoming: number, leadSeconds: number): number {
  if (incoming <= 0) return 1;
  const ahead = incoming + arrivalSlope(samples) * leadSeconds;
  return Math.min(maxForecastGrowth, Math.max(1, ahead / incoming));
}
