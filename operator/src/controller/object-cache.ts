// The watch caches: the latest copy of every watched object, kept by the watches and read by reconciles,
// so a reconcile reads nothing from the apiserver. Objects we write are put back at once (write-through), and
// an older copy arriving later from a watch does not replace a newer one.
import type * as k8s from "@kubernetes/client-node";

export interface CacheReader {
  get<T extends k8s.KubernetesObject>(kind: string, namespace: string, name: string): T | undefined;
}

function cacheKey(kind: string, namespace: string, name: string): string {
  return `${kind}/${namespace}/${name}`;
}

/** resourceVersions are opaque, but etcd's are increasing integers; anything else is treated as newer. */
function isOlder(incoming: k8s.KubernetesObject, cached: k8s.KubernetesObject | undefined): boolean {
  const a = Number(incoming.metadata?.resourceVersion);
  const b = Number(cached?.metadata?.resourceVersion);
  return Number.isSafeInteger(a) && Number.isSafeInteger(b) && a < b;
}

/** managedFields are the largest part of most objects and the operator never reads them. */
function slim<T extends k8s.KubernetesObject>(object: T): T {
  if (!object.metadata?.managedFields) return object;
  const { managedFields: _dropped, ...metadata } = object.metadata;
  return { ...object, metadata };
}

/** The part of an object to keep, by kind (what the reconciler reads of it). */
export type KeptFields = (kind: string, object: k8s.KubernetesObject) => k8s.KubernetesObject;

export class ObjectCache implements CacheReader {
  readonly #objects = new Map<string, k8s.KubernetesObject>();
  readonly #keep: KeptFields;

  constructor(keep: KeptFields = (_kind, object) => object) {
    this.#keep = keep;
  }

  #kept(kind: string, object: k8s.KubernetesObject): k8s.KubernetesObject {
    return slim(this.#keep(kind, object));
  }

  get<T extends k8s.KubernetesObject>(kind: string, namespace: string, name: string): T | undefined {
    return this.#objects.get(cacheKey(kind, namespace, name)) as T | undefined;
  }

  /**
   * Stores the object unless the cache already holds a newer copy. Returns whether the cache learned something:
   * false for an older copy and for the copy it holds already (the watch's echo of our own write).
   */
  put(kind: string, object: k8s.KubernetesObject): boolean {
    const key = cacheKey(kind, object.metadata?.namespace ?? "", object.metadata?.name ?? "");
    const cached = this.#objects.get(key);
    if (isOlder(object, cached)) return false;
    this.#objects.set(key, this.#kept(kind, object));
    const version = object.metadata?.resourceVersion;
    return version === undefined || version !== cached?.metadata?.resourceVersion;
  }

  remove(kind: string, namespace: string, name: string): void {
    this.#objects.delete(cacheKey(kind, namespace, name));
  }

  /**
   * After a full list: the listed objects replace every cached one of the kind (in the namespace, or in all
   * namespaces when undefined). Returns the keys ("namespace/name") of objects that are gone.
   */
  replace(kind: string, namespace: string | undefined, items: readonly k8s.KubernetesObject[]): string[] {
    const prefix = namespace === undefined ? `${kind}/` : `${kind}/${namespace}/`;
    const listed = new Set(
      items.map((item) => cacheKey(kind, item.metadata?.namespace ?? "", item.metadata?.name ?? "")),
    );
    const gone: string[] = [];
    for (const key of this.#objects.keys()) {
      if (key.startsWith(prefix) && !listed.has(key)) {
        this.#objects.delete(key);
        gone.push(key.slice(kind.length + 1));
      }
    }
    for (const item of items)
      this.#objects.set(
        cacheKey(kind, item.metadata?.namespace ?? "", item.metadata?.name ?? ""),
        this.#kept(kind, item),
      );
    return gone;
  }
}
