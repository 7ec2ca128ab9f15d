// Wires watches to the cache and the work queue: every change of a KafkaConsumerGroup, or of an object it
// owns, updates the cache and queues the group's key. Watches run on every replica (a hot standby); only the
// leader processes keys. Each reconcile's result is counted and logged here, once.
import type * as k8s from "@kubernetes/client-node";
import type { Logger } from "../observability/logger.ts";
import type { ReconcileMetrics } from "../observability/metrics.ts";
import type { ObjectCache } from "./object-cache.ts";
import { keyOf, ownerKey } from "./object-key.ts";
import { reportReconcile } from "./reconcile-report.ts";
import { WatchSource } from "./watch-source.ts";
import { type ReconcileOutcome, WorkQueue } from "./work-queue.ts";

export interface WatchedResource {
  apiVersion: string;
  kind: string;
  plural: string;
  labelSelector?: string;
}

export interface ControllerOptions {
  kubeConfig: k8s.KubeConfig;
  primary: WatchedResource;
  owned: WatchedResource[];
  /** Empty: all namespaces. */
  namespaces: string[];
  /** Filled by the watches, read by the reconciler. */
  cache: ObjectCache;
  reconcile: (key: string) => Promise<ReconcileOutcome>;
  onDeleted?: (key: string) => void;
  concurrency?: number;
  metrics: ReconcileMetrics;
  log: Logger;
  onWatchRestart?: (resource: string, reason: string) => void;
  onQueueDepth?: (depth: number) => void;
}

export class Controller {
  readonly cache: ObjectCache;
  readonly #queue: WorkQueue;
  readonly #sources: WatchSource[] = [];
  readonly #options: ControllerOptions;
  /** Every primary object seen, with its last generation, so a new leader can queue them all. */
  readonly #known = new Map<string, number>();
  readonly #started = new Map<string, number>();
  #processing = false;

  constructor(options: ControllerOptions) {
    this.#options = options;
    this.cache = options.cache;
    this.#queue = new WorkQueue({
      process: (key) => this.#reconcile(key),
      concurrency: options.concurrency ?? 4,
      onError: (key, error, retryInMs) => this.#report(key, error, retryInMs),
      onDepthChange: options.onQueueDepth,
    });
    const namespaces = options.namespaces.length > 0 ? options.namespaces : [undefined];
    const { primary } = options;
    for (const namespace of namespaces) {
      this.#sources.push(
        this.#source(primary, namespace, {
          onList: (items) => {
            for (const gone of this.cache.replace(primary.kind, namespace, items)) this.#deleted(gone);
          },
          onEvent: (type, object) => {
            const key = keyOf(object);
            if (type === "DELETED") {
              this.cache.remove(primary.kind, object.metadata?.namespace ?? "", object.metadata?.name ?? "");
              this.#deleted(key);
              return;
            }
            this.cache.put(primary.kind, object);
            // Our own status writes come back as MODIFIED events with the same generation: reacting to them
            // would turn every status change into another reconcile (and another Kafka poll).
            const generation = object.metadata?.generation ?? 0;
            const statusOnly =
              type === "MODIFIED" && this.#known.get(key) === generation && !object.metadata?.deletionTimestamp;
            this.#known.set(key, generation);
            if (!statusOnly) this.#queue.add(key);
          },
        }),
      );
      for (const owned of options.owned) {
        this.#sources.push(
          this.#source(owned, namespace, {
            onList: (items) => {
              this.cache.replace(owned.kind, namespace, items);
            },
            onEvent: (type, object) => {
              let changed = true;
              if (type === "DELETED") {
                this.cache.remove(owned.kind, object.metadata?.namespace ?? "", object.metadata?.name ?? "");
              } else {
                // The echo of our own apply (already in the cache, same resourceVersion) changes nothing.
                changed = this.cache.put(owned.kind, object) || type === "SYNC";
              }
              const key = ownerKey(object, primary.kind, primary.apiVersion.split("/")[0] ?? "");
              if (key && changed) this.#queue.add(key);
            },
          }),
        );
      }
    }
  }

  #deleted(key: string): void {
    this.#known.delete(key);
    this.#queue.forget(key);
    this.#options.onDeleted?.(key);
  }

  async #reconcile(key: string): Promise<ReconcileOutcome> {
    const started = performance.now();
    this.#started.set(key, started);
    const outcome = await this.#options.reconcile(key);
    this.#report(key, undefined, undefined);
    return outcome;
  }

  #report(key: string, error: unknown, retryInMs: number | undefined): void {
    const started = this.#started.get(key) ?? performance.now();
    this.#started.delete(key);
    const seconds = (performance.now() - started) / 1000;
    reportReconcile(this.#options.metrics, this.#options.log, key, seconds, error, retryInMs);
  }

  #source(
    resource: WatchedResource,
    namespace: string | undefined,
    handlers: Pick<ConstructorParameters<typeof WatchSource>[0], "onEvent" | "onList">,
  ): WatchSource {
    return new WatchSource({
      kubeConfig: this.#options.kubeConfig,
      apiVersion: resource.apiVersion,
      kind: resource.kind,
      plural: resource.plural,
      namespace,
      labelSelector: resource.labelSelector,
      ...handlers,
      onRestart: (reason) => this.#options.onWatchRestart?.(resource.plural, reason),
    });
  }

  /** Starts the watches (on every replica). */
  startWatching(): void {
    for (const source of this.#sources) source.start();
  }

  /** Resolves when every watch has listed once. */
  async synced(): Promise<void> {
    await Promise.all(this.#sources.map((s) => s.synced));
  }

  /**
   * Starts processing keys (on the leader only), once every watch has listed: a reconcile that ran on a
   * half-filled cache would take an existing Deployment for a missing one.
   */
  async startProcessing(): Promise<void> {
    this.#processing = true;
    await this.synced();
    if (!this.#processing) return;
    for (const key of this.#known.keys()) this.#queue.add(key);
    this.#queue.start();
  }

  async stopProcessing(): Promise<void> {
    this.#processing = false;
    await this.#queue.stop();
  }

  async stop(): Promise<void> {
    this.#processing = false;
    for (const source of this.#sources) source.stop();
    await this.#queue.stop();
  }
}
