// A keyed, de-duplicating work queue: a key is queued at most once, processed by one worker at a time
// (per-key serialization), retried with exponential backoff on error and re-queued after a delay on request.
import { type BackoffPolicy, backoffDelay, defaultBackoff } from "./backoff.ts";

export interface ReconcileOutcome {
  /** Reconcile again after this long even if nothing changes (periodic work such as lag polling). */
  requeueAfterMs?: number;
}

/** Throw this for errors that retrying cannot fix (for example an invalid spec); the key is not retried. */
export class TerminalError extends Error {
  readonly terminal = true;
}

export interface WorkQueueOptions {
  process: (key: string) => Promise<ReconcileOutcome>;
  concurrency?: number;
  backoff?: BackoffPolicy;
  onError?: (key: string, error: unknown, retryInMs: number | undefined) => void;
  onDepthChange?: (depth: number) => void;
}

export class WorkQueue {
  readonly #options: Required<Omit<WorkQueueOptions, "onError" | "onDepthChange">> &
    Pick<WorkQueueOptions, "onError" | "onDepthChange">;
  readonly #queue: string[] = [];
  readonly #queued = new Set<string>();
  readonly #processing = new Set<string>();
  /** Keys that changed while being processed: they run again right after. */
  readonly #dirty = new Set<string>();
  readonly #timers = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  readonly #failures = new Map<string, number>();
  #running = false;
  #idleWaiters: (() => void)[] = [];

  constructor(options: WorkQueueOptions) {
    this.#options = { concurrency: 4, backoff: defaultBackoff, ...options };
  }

  start(): void {
    this.#running = true;
    this.#pump();
  }

  /** Stops taking work; resolves once in-flight reconciles finish. */
  async stop(): Promise<void> {
    this.#running = false;
    for (const { timer } of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
    if (this.#processing.size > 0) await new Promise<void>((resolve) => this.#idleWaiters.push(resolve));
  }

  add(key: string): void {
    if (this.#processing.has(key)) {
      this.#dirty.add(key);
      return;
    }
    if (this.#queued.has(key)) return;
    this.#queued.add(key);
    this.#queue.push(key);
    this.#options.onDepthChange?.(this.#queue.length);
    this.#pump();
  }

  /** Queues the key after `delayMs`; an earlier pending schedule for the same key wins. */
  addAfter(key: string, delayMs: number): void {
    if (delayMs <= 0) {
      this.add(key);
      return;
    }
    const at = Date.now() + delayMs;
    const existing = this.#timers.get(key);
    if (existing && existing.at <= at) return;
    if (existing) clearTimeout(existing.timer);
    const timer = setTimeout(() => {
      this.#timers.delete(key);
      this.add(key);
    }, delayMs);
    timer.unref();
    this.#timers.set(key, { at, timer });
  }

  /** Drops every trace of a key (its object was deleted). */
  forget(key: string): void {
    const pending = this.#timers.get(key);
    if (pending) clearTimeout(pending.timer);
    this.#timers.delete(key);
    this.#failures.delete(key);
  }

  #pump(): void {
    while (this.#running && this.#processing.size < this.#options.concurrency && this.#queue.length > 0) {
      const key = this.#queue.shift() as string;
      this.#queued.delete(key);
      this.#options.onDepthChange?.(this.#queue.length);
      this.#processing.add(key);
      void this.#run(key);
    }
  }

  async #run(key: string): Promise<void> {
    let retryInMs: number | undefined;
    try {
      const outcome = await this.#options.process(key);
      this.#failures.delete(key);
      if (outcome.requeueAfterMs !== undefined) retryInMs = outcome.requeueAfterMs;
    } catch (error) {
      const terminal = error instanceof TerminalError;
      const failures = (this.#failures.get(key) ?? 0) + 1;
      this.#failures.set(key, failures);
      retryInMs = terminal ? undefined : backoffDelay(failures, this.#options.backoff);
      this.#options.onError?.(key, error, retryInMs);
    } finally {
      this.#processing.delete(key);
    }
    if (this.#dirty.delete(key)) this.add(key);
    else if (retryInMs !== undefined && this.#running) this.addAfter(key, retryInMs);
    if (this.#processing.size === 0) {
      for (const resolve of this.#idleWaiters.splice(0)) resolve();
    }
    this.#pump();
  }
}
