// Wires watches to the work queue: every change of a KafkaConsumerGroup, or of an object it owns,
// queues the group's key. Watches run on every replica (a hot standby); only the leader processes keys.
import type * as k8s from "@kubernetes/client-node";
import { keyOf, ownerKey } from "./object-key.ts";
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
  reconcile: (key: string) => Promise<ReconcileOutcome>;
  onDeleted?: (key: string) => void;
  concurrency?: number;
  onWatchRestart?: (resource: string, reason: string) => void;
  onReconcileError?: (key: string, error: unknown, retryInMs: number | undefined) => void;
  onQueueDepth?: (depth: number) => void;
}

export class Controller {
  readonly #queue: WorkQueue;
  readonly #sources: WatchSource[] = [];
  readonly #options: ControllerOptions;
  /** Every primary object seen, with its last generation, so a new leader can queue them all. */
  readonly #known = new Map<string, number>();

  constructor(options: ControllerOptions) {
    this.#options = options;
    this.#queue = new WorkQueue({
      process: options.reconcile,
      concurrency: options.concurrency ?? 4,
      onError: options.onReconcileError,
      onDepthChange: options.onQueueDepth,
    });
    const namespaces = options.namespaces.length > 0 ? options.namespaces : [undefined];
    for (const namespace of namespaces) {
      this.#sources.push(
        this.#source(options.primary, namespace, (type, object) => {
          const key = keyOf(object);
          if (type === "DELETED") {
            this.#known.delete(key);
            this.#queue.forget(key);
            options.onDeleted?.(key);
            return;
          }
          // Our own status writes come back as MODIFIED events with the same generation: reacting to them
          // would turn every status change into another reconcile (and another Kafka poll).
          const generation = object.metadata?.generation ?? 0;
          const statusOnly =
            type === "MODIFIED" && this.#known.get(key) === generation && !object.metadata?.deletionTimestamp;
          this.#known.set(key, generation);
          if (!statusOnly) this.#queue.add(key);
        }),
      );
      for (const owned of options.owned) {
        this.#sources.push(
          this.#source(owned, namespace, (_type, object) => {
            const key = ownerKey(object, options.primary.kind, options.primary.apiVersion.split("/")[0] ?? "");
            if (key) this.#queue.add(key);
          }),
        );
      }
    }
  }

  #source(
    resource: WatchedResource,
    namespace: string | undefined,
    onEvent: (type: string, object: k8s.KubernetesObject) => void,
  ): WatchSource {
    return new WatchSource({
      kubeConfig: this.#options.kubeConfig,
      apiVersion: resource.apiVersion,
      kind: resource.kind,
      plural: resource.plural,
      namespace,
      labelSelector: resource.labelSelector,
      onEvent,
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

  /** Starts processing keys (on the leader only). */
  startProcessing(): void {
    for (const key of this.#known.keys()) this.#queue.add(key);
    this.#queue.start();
  }

  async stopProcessing(): Promise<void> {
    await this.#queue.stop();
  }

  async stop(): Promise<void> {
    for (const source of this.#sources) source.stop();
    await this.#queue.stop();
  }

  enqueue(key: string): void {
    this.#queue.add(key);
  }
}
