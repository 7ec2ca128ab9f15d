// Exponential backoff for failed reconciles: base * 2^(failures-1), capped, so a broken object is retried
// quickly at first and then rarely, and never hammers the apiserver or Kafka.
export interface BackoffPolicy {
  baseDelayMs: number;
  maxDelayMs: number;
}

export const defaultBackoff: BackoffPolicy = { baseDelayMs: 500, maxDelayMs: 5 * 60_000 };

export function backoffDelay(consecutiveFailures: number, policy: BackoffPolicy = defaultBackoff): number {
  if (consecutiveFailures <= 0) return 0;
  const exponent = Math.min(consecutiveFailures - 1, 30);
  return Math.min(policy.baseDelayMs * 2 ** exponent, policy.maxDelayMs);
}
