// Server-side apply with one field manager, skipping the request entirely when the object already carries
// the hash of what we would apply: a reconcile with nothing changed sends no writes at all.
import * as k8s from "@kubernetes/client-node";
import { isNotFound } from "../kube-errors.ts";
import { contentHash, SPEC_HASH_ANNOTATION } from "./spec-hash.ts";

export const FIELD_MANAGER = "lagpilot";

export type ApplyResult = "created" | "updated" | "unchanged";

export interface ApplyOptions {
  /** Apply even when the hash matches, to revert hand edits of fields we own (no-op writes cost nothing in etcd). */
  force?: boolean;
}

export interface Applier {
  apply(desired: k8s.KubernetesObject, options?: ApplyOptions): Promise<ApplyResult>;
  read<T extends k8s.KubernetesObject>(
    apiVersion: string,
    kind: string,
    namespace: string,
    name: string,
  ): Promise<T | undefined>;
}

/** Adds the spec-hash annotation computed over everything else we set. */
export function withSpecHash<T extends k8s.KubernetesObject>(desired: T): T {
  const hash = contentHash(desired);
  return {
    ...desired,
    metadata: {
      ...desired.metadata,
      annotations: { ...desired.metadata?.annotations, [SPEC_HASH_ANNOTATION]: hash },
    },
  };
}

export function createApplier(
  kubeConfig: k8s.KubeConfig,
  onWrite?: (kind: string, result: ApplyResult) => void,
): Applier {
  const client = k8s.KubernetesObjectApi.makeApiClient(kubeConfig);

  async function read<T extends k8s.KubernetesObject>(
    apiVersion: string,
    kind: string,
    namespace: string,
    name: string,
  ) {
    try {
      return (await client.read({ apiVersion, kind, metadata: { name, namespace } })) as T;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  return {
    read,
    async apply(desired, options = {}) {
      const hashed = withSpecHash(desired);
      const { apiVersion = "", kind = "", metadata = {} } = hashed;
      const existing = await read(apiVersion, kind, metadata.namespace ?? "", metadata.name ?? "");
      const existingHash = existing?.metadata?.annotations?.[SPEC_HASH_ANNOTATION];
      if (existing && !options.force && existingHash === hashed.metadata?.annotations?.[SPEC_HASH_ANNOTATION]) {
        return "unchanged";
      }
      await client.patch(hashed, undefined, undefined, FIELD_MANAGER, true, k8s.PatchStrategy.ServerSideApply);
      const result: ApplyResult = existing ? "updated" : "created";
      onWrite?.(kind, result);
      return result;
    },
  };
}
