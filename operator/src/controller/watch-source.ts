// A list-then-watch source that survives what real apiservers do: dropped connections and errors
// (re-watch with backoff), 410 Gone (re-list), long silences (server-side watch timeout and a periodic
// full re-list). It reports objects and lists; the controller keeps them in its cache (object-cache.ts).
import * as k8s from "@kubernetes/client-node";
import { backoffDelay } from "./backoff.ts";

export type WatchEventType = "ADDED" | "MODIFIED" | "DELETED" | "SYNC";

export interface WatchSourceOptions {
  kubeConfig: k8s.KubeConfig;
  apiVersion: string;
  kind: string;
  /** Plural resource name, used in the watch path. */
  plural: string;
  /** Undefined: all namespaces. */
  namespace?: string;
  labelSelector?: string;
  /** Full re-list period; objects are reported again as SYNC. */
  relistIntervalMs?: number;
  /** Server-side watch timeout; the watch is re-opened from the last resourceVersion. */
  watchTimeoutSeconds?: number;
  onEvent: (type: WatchEventType, object: k8s.KubernetesObject) => void;
  /** Called with every full list, before its objects are reported as SYNC (a cache replaces its content). */
  onList?: (items: k8s.KubernetesObject[]) => void;
  onRestart?: (reason: string) => void;
}

function pathFor(apiVersion: string, plural: string, namespace: string | undefined): string {
  const base = apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
  return namespace ? `${base}/namespaces/${namespace}/${plural}` : `${base}/${plural}`;
}

export class WatchSource {
  readonly #options: WatchSourceOptions;
  readonly #objects: k8s.KubernetesObjectApi;
  readonly #watch: k8s.Watch;
  #resourceVersion = "";
  #stopped = true;
  #abort: AbortController | undefined;
  #failures = 0;
  #relistTimer: NodeJS.Timeout | undefined;
  #retryTimer: NodeJS.Timeout | undefined;
  #synced: Promise<void>;
  #markSynced: () => void = () => {};

  constructor(options: WatchSourceOptions) {
    this.#options = options;
    this.#objects = k8s.KubernetesObjectApi.makeApiClient(options.kubeConfig);
    this.#watch = new k8s.Watch(options.kubeConfig);
    this.#synced = new Promise((resolve) => {
      this.#markSynced = resolve;
    });
  }

  /** Resolves after the first successful list. */
  get synced(): Promise<void> {
    return this.#synced;
  }

  start(): void {
    this.#stopped = false;
    void this.#listAndWatch();
    const relistMs = this.#options.relistIntervalMs ?? 10 * 60_000;
    this.#relistTimer = setInterval(() => this.#restart("periodic relist", true), relistMs);
    this.#relistTimer.unref();
  }

  stop(): void {
    this.#stopped = true;
    clearInterval(this.#relistTimer);
    clearTimeout(this.#retryTimer);
    this.#abort?.abort();
    this.#abort = undefined;
  }

  #restart(reason: string, relist: boolean): void {
    if (this.#stopped) return;
    if (relist) this.#resourceVersion = "";
    this.#abort?.abort();
    this.#abort = undefined;
    this.#options.onRestart?.(reason);
    clearTimeout(this.#retryTimer);
    const delay = backoffDelay(this.#failures, { baseDelayMs: 250, maxDelayMs: 30_000 });
    this.#retryTimer = setTimeout(() => void this.#listAndWatch(), delay);
  }

  async #listAndWatch(): Promise<void> {
    if (this.#stopped) return;
    const { apiVersion, kind, namespace, labelSelector } = this.#options;
    try {
      if (!this.#resourceVersion) {
        const list = await this.#objects.list(
          apiVersion,
          kind,
          namespace,
          undefined,
          undefined,
          undefined,
          undefined,
          labelSelector,
        );
        this.#resourceVersion = list.metadata?.resourceVersion ?? "";
        this.#options.onList?.(list.items);
        for (const item of list.items) this.#options.onEvent("SYNC", item);
        this.#markSynced();
      }
      const query: Record<string, string | number | boolean> = {
        resourceVersion: this.#resourceVersion,
        allowWatchBookmarks: true,
        timeoutSeconds: this.#options.watchTimeoutSeconds ?? 300,
      };
      if (labelSelector) query.labelSelector = labelSelector;
      const path = pathFor(apiVersion, this.#options.plural, namespace);
      let ended = false;
      this.#abort = await this.#watch.watch(
        path,
        query,
        (type: string, object: k8s.KubernetesObject & { code?: number }) => {
          if (type === "ERROR") {
            // 410 Gone arrives as an ERROR event: our resourceVersion is too old; start from a fresh list.
            if (!ended) {
              ended = true;
              this.#failures = object.code === 410 ? 0 : this.#failures + 1;
              this.#restart(object.code === 410 ? "410 Gone" : `watch error ${object.code}`, true);
            }
            return;
          }
          this.#failures = 0;
          if (object.metadata?.resourceVersion) this.#resourceVersion = object.metadata.resourceVersion;
          if (type === "BOOKMARK") return;
          this.#options.onEvent(type as WatchEventType, object);
        },
        (error: unknown) => {
          if (ended || this.#stopped) return;
          ended = true;
          const code = (error as { statusCode?: number; code?: number } | null)?.statusCode;
          if (error && (error as Error).name === "AbortError") return;
          if (error) this.#failures += 1;
          this.#restart(error ? `watch failed: ${String(error)}` : "watch closed", code === 410);
        },
      );
    } catch (error) {
      this.#failures += 1;
      const code = (error as { code?: number }).code;
      this.#restart(`list failed: ${String(error)}`, code === 410);
    }
  }
}
