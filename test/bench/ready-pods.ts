// What stands in for the consumer Pods in bench:operator: no container runs. The namespace gets a node selector
// no node matches (the PodNodeSelector admission plugin adds it to every Pod), so the scheduler never places
// these Pods on the local node; each Pod the ReplicaSet controller creates is then reported Ready in its status,
// as a kubelet would after a passing readiness probe. The ReplicaSet and Deployment controllers and the
// operator see ready Pods; Kafka sees no consumer. The figures are the control plane's.
import * as k8s from "@kubernetes/client-node";
import { WatchSource } from "../../operator/src/controller/watch-source.ts";

export const READY_PODS_STAND_IN =
  "no container runs: a watch in the bench marks each consumer Pod Ready in its status (no node, no kubelet)";

const MANAGED = "app.kubernetes.io/managed-by=lagpilot";
const NODE_SELECTOR_ANNOTATION = "scheduler.alpha.kubernetes.io/node-selector";
/** A node label no node carries. */
const NO_NODE_LABEL = "lagpilot.dev/bench-no-node";

export class ReadyPods {
  readonly #core: k8s.CoreV1Api;
  readonly #source: WatchSource;
  readonly #namespace: string;
  readonly #marked = new Set<string>();
  #stopped = false;
  /** Pods whose status write failed (reported by the bench: a non-zero count makes its figures suspect). */
  failures = 0;

  constructor(kubeConfig: k8s.KubeConfig, namespace: string) {
    this.#core = kubeConfig.makeApiClient(k8s.CoreV1Api);
    this.#namespace = namespace;
    this.#source = new WatchSource({
      kubeConfig,
      apiVersion: "v1",
      kind: "Pod",
      plural: "pods",
      namespace,
      labelSelector: MANAGED,
      onEvent: (type, object) => {
        if (type !== "DELETED") void this.#markReady(object as k8s.V1Pod);
      },
    });
  }

  /** Keeps the Pods off the node first, then starts watching. */
  async start(): Promise<void> {
    await this.#core.patchNamespace(
      {
        name: this.#namespace,
        body: { metadata: { annotations: { [NODE_SELECTOR_ANNOTATION]: `${NO_NODE_LABEL}=true` } } },
      },
      k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch),
    );
    this.#source.start();
  }

  stop(): void {
    this.#stopped = true;
    this.#source.stop();
  }

  async #markReady(pod: k8s.V1Pod): Promise<void> {
    const name = pod.metadata?.name ?? "";
    if (this.#stopped || pod.metadata?.deletionTimestamp || this.#marked.has(name)) return;
    if (pod.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True")) return;
    this.#marked.add(name);
    const now = new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
    try {
      await this.#core.patchNamespacedPodStatus(
        {
          name,
          namespace: this.#namespace,
          body: {
            status: {
              phase: "Running",
              conditions: [
                { type: "Ready", status: "True", lastTransitionTime: now },
                { type: "ContainersReady", status: "True", lastTransitionTime: now },
              ],
            },
          },
        },
        k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch),
      );
    } catch {
      // A Pod deleted meanwhile, or a conflict: a later event of the same Pod tries again.
      this.#marked.delete(name);
      this.failures += 1;
    }
  }
}
