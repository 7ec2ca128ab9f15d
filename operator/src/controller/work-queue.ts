// A keyed, de-duplicating work queue: a key is queued at most once, processed by one worker at a time
// (per-key serialization), retried with exponential backoff on error and re-queued after a delay on request.
// Changes seen by watches are taken before requeues that fell due (queue-lanes.ts).
import { type BackoffPolicy, backoffDelay, defaultBackoff } from "./backoff.ts";
import { type Lane, nextLane } from "./queue-lanes.ts";

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
  readonly #lanes: Record<Lane, string[]> = { change: [], requeue: [] };
  /** Each waiting key and its lane. */
  readonly #queued = new Map<string, Lane>();
  #changesSinceRequeue = 0;
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

  /** Queues a key that changed (a watch saw it): it goes before requeues that fell due. */
  add(key: string): void {
    this.#enqueue(key, "change");
  }

  #enqueue(key: string, lane: Lane): void {
    if (this.#processing.has(key)) {
      this.#dirty.add(key);
      return;
    }
    const waiting = this.#queued.get(key);
    if (waiting === "change" || waiting === lane) return;
    if (waiting === "requeue") {
      // A change of a key already due: it moves up to the change lane.
      const requeues = this.#lanes.requeue;
      requeues.splice(requeues.indexOf(key), 1);
    }
    this.#queued.set(key, lane);
    this.#lanes[lane].push(key);
    this.#options.onDepthChange?.(this.#depth());
    this.#pump();
  }

  #depth(): number {
    return this.#lanes.change.length + this.#lanes.requeue.length;
  }

  /** Queues the key after `delayMs`; an earlier pending schedule for the same key wins. */
  addAfter(key: string, delayMs: number): void {
    if (delayMs <= 0) {
      this.#enqueue(key, "requeue");
      return;
    }
    const at = Date.now() + delayMs;
    const existing = this.#timers.get(key);
    if (existing && existing.at <= at) return;
    if (existing) clearTimeout(existing.timer);
    const timer = setTimeout(() => {
      this.#timers.delete(key);
      this.#enqueue(key, "requeue");
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
    while (this.#running && this.#processing.size < this.#options.concurrency) {
      const lane = nextLane({
        changes: this.#lanes.change.length,
        requeues: this.#lanes.requeue.length,
        changesSinceRequeue: this.#changesSinceRequeue,
      });
      if (lane === undefined) return;
      this.#changesSinceRequeue = lane === "change" ? this.#changesSinceRequeue + 1 : 0;
      const key = this.#lanes[lane].shift() as string;
      this.#queued.delete(key);
      this.#options.onDepthChange?.(this.#depth());
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
