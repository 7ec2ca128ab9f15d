// Retry timing, kept pure: the caller passes the random source so tests are exact.

export interface RetryPolicy {
  /** Retries after the first attempt; 0 means one attempt only. */
  max: number;
  backoffMs: number;
  maxBackoffMs: number;
}

/**
 * Delay before retry number `retry` (1-based): exponential from backoffMs, capped at maxBackoffMs, with
 * "equal jitter" (half fixed, half random) so a fleet of consumers hitting the same failure spreads out.
 */
export function backoffDelayMs(policy: RetryPolicy, retry: number, random: () => number = Math.random): number {
  if (retry < 1 || policy.backoffMs <= 0) return 0;
  const exponential = policy.backoffMs * 2 ** Math.min(retry - 1, 30);
  const capped = Math.min(policy.maxBackoffMs, exponential);
  return Math.round(capped / 2 + (capped / 2) * random());
}

/** Whether another attempt is allowed after `attempts` failed ones. */
export function shouldRetry(policy: RetryPolicy, attempts: number): boolean {
  return attempts <= policy.max;
}
