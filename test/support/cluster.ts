// Kubernetes helpers for integration tests: the CRD, namespaces, and typed reads of what the operator made.
import { join } from "node:path";
import * as k8s from "@kubernetes/client-node";
import { API_VERSION, CRD_NAME, GROUP, KIND, PLURAL, VERSION } from "../../operator/src/api/group.ts";
import { repoRoot } from "./processes.ts";
import { eventually, runTool, stackEnv } from "./stack-env.ts";

export const crdFile = join(repoRoot, "crds", "kafkaconsumergroups.lagpilot.dev.yaml");

export function kubeConfig(): k8s.KubeConfig {
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(stackEnv().kubeconfig);
  return kc;
}

/** Installs (or restores) the generated CRD and waits until it is served. */
export async function installCrd(): Promise<void> {
  await runTool("kubectl", ["apply", "--server-side", "--force-conflicts", "-f", crdFile]);
  // A CRD created a moment ago has no conditions yet, and kubectl wait fails on that instead of waiting.
  await eventually(() =>
    runTool("kubectl", ["wait", "--for=condition=Established", `crd/${CRD_NAME}`, "--timeout=60s"]),
  );
  await eventually(() => runTool("kubectl", ["get", PLURAL, "-A"]));
}

export async function createNamespace(name: string): Promise<void> {
  await runTool("kubectl", ["create", "namespace", name]);
}

export async function deleteNamespace(name: string): Promise<void> {
  await runTool("kubectl", ["delete", "namespace", name, "--wait=false", "--ignore-not-found"]).catch(() => {});
}

export function applyYaml(manifest: unknown): Promise<string> {
  return runTool("kubectl", ["apply", "-f", "-"], JSON.stringify(manifest));
}

export interface GroupObject {
  metadata: { name: string; namespace: string; generation: number; resourceVersion: string; uid: string };
  spec: Record<string, unknown>;
  status?: {
    observedGeneration?: number;
    conditions?: { type: string; status: string; reason: string; message: string }[];
    desiredReplicas?: number;
    [key: string]: unknown;
  };
}

export function groupClient() {
  const api = kubeConfig().makeApiClient(k8s.CustomObjectsApi);
  return {
    get: (namespace: string, name: string) =>
      api.getNamespacedCustomObject({
        group: GROUP,
        version: VERSION,
        namespace,
        plural: PLURAL,
        name,
      }) as Promise<GroupObject>,
    patchSpec: (namespace: string, name: string, spec: Record<string, unknown>) =>
      api.patchNamespacedCustomObject(
        { group: GROUP, version: VERSION, namespace, plural: PLURAL, name, body: { spec } },
        k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch),
      ),
  };
}

export function condition(group: GroupObject, type: string) {
  return group.status?.conditions?.find((c) => c.type === type);
}

export function groupManifest(namespace: string, name: string, spec: Record<string, unknown>) {
  return { apiVersion: API_VERSION, kind: KIND, metadata: { name, namespace }, spec };
}
