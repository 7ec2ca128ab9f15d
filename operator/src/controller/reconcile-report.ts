// What the framework, not the reconciler, does with each reconcile's result: count it by result, time it,
// and log a failure once (with when it will be retried).
import { errorReason } from "../kube-errors.ts";
import type { Logger } from "../observability/logger.ts";
import type { ReconcileMetrics, reconcileResults } from "../observability/metrics.ts";
import { TerminalError } from "./work-queue.ts";

export type ReconcileResult = (typeof reconcileResults)[number];

export function reconcileResult(error: unknown): ReconcileResult {
  if (error === undefined) return "success";
  return error instanceof TerminalError ? "invalid" : "error";
}

export function reportReconcile(
  metrics: ReconcileMetrics,
  log: Logger,
  key: string,
  seconds: number,
  error: unknown,
  retryInMs: number | undefined,
): void {
  const result = reconcileResult(error);
  metrics.reconcileTotal.inc({ result });
  metrics.reconcileDuration.observe(seconds);
  if (result === "success") return;
  if (result === "invalid") {
    log.warn("reconcile stopped: the object needs an edit", { key, error: String((error as Error).message) });
    return;
  }
  metrics.reconcileErrorsTotal.inc({ reason: errorReason(error) });
  log.error("reconcile failed", {
    key,
    error: String((error as Error)?.message ?? error),
    retryInMs: retryInMs ?? null,
  });
}
