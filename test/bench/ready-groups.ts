// Where each group's time to Ready goes, kept by two watches (the groups and their Deployments): bench:operator
// waits on it instead of listing every group twice a second (a load on the apiserver, and on the bench, that
// grew with the groups and slowed the very thing measured), and splits the wait into the operator's part and
// the Deployment's (ReplicaSet and Pods, the controllers' part).
import type * as k8s from "@kubernetes/client-node";
import { API_VERSION, KIND, PLURAL } from "../../operator/src/api/group.ts";
import { WatchSource } from "../../operator/src/controller/watch-source.ts";

interface GroupStatus {
  status?: { conditions?: { type: string; status: string }[] };
}

export const isReady = (group: GroupStatus) =>
  group.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false;

/** When each step of one group was first seen, in ms of performance.now(). */
interface Timeline {
  created?: number;
  /** The operator's first status write. */
  status?: number;
  /** The Deployment the operator applied. */
  deployment?: number;
  /** The Deployment with a ready replica (the controllers' and Pods' work done). */
  deploymentReady?: number;
  ready?: number;
}

/** Seconds between two steps, per group: the median and the 95th percentile over the groups that made both. */
export interface StepSeconds {
  median: number;
  p95: number;
}

export type StepName =
  | "createdToFirstStatus"
  | "createdToDeployment"
  | "deploymentToDeploymentReady"
  | "deploymentReadyToReady";

const DEPLOYMENT_SUFFIX = "-consumer";

export class ReadyGroups {
  readonly #sources: WatchSource[];
  readonly #timelines = new Map<string, Timeline>();
  #ready = 0;

  constructor(kubeConfig: k8s.KubeConfig, namespace: string) {
    const at = (name: string) => {
      const timeline = this.#timelines.get(name) ?? {};
      this.#timelines.set(name, timeline);
      return timeline;
    };
    this.#sources = [
      new WatchSource({
        kubeConfig,
        apiVersion: API_VERSION,
        kind: KIND,
        plural: PLURAL,
        namespace,
        onEvent: (type, object) => {
          if (type === "DELETED") return;
          const timeline = at(object.metadata?.name ?? "");
          const now = performance.now();
          if ((object as GroupStatus).status) timeline.status ??= now;
          if (timeline.ready === undefined && isReady(object as GroupStatus)) {
            timeline.ready = now;
            this.#ready += 1;
          }
        },
      }),
      new WatchSource({
        kubeConfig,
        apiVersion: "apps/v1",
        kind: "Deployment",
        plural: "deployments",
        namespace,
        onEvent: (type, object) => {
          const name = object.metadata?.name ?? "";
          if (type === "DELETED" || !name.endsWith(DEPLOYMENT_SUFFIX)) return;
          const timeline = at(name.slice(0, -DEPLOYMENT_SUFFIX.length));
          const now = performance.now();
          timeline.deployment ??= now;
          if (((object as k8s.V1Deployment).status?.readyReplicas ?? 0) > 0) timeline.deploymentReady ??= now;
        },
      }),
    ];
  }

  /** Groups that have been Ready at least once. */
  get ready(): number {
    return this.#ready;
  }

  created(name: string, atMs: number): void {
    const timeline = this.#timelines.get(name) ?? {};
    timeline.created = atMs;
    this.#timelines.set(name, timeline);
  }

  /** Per step, over the groups: from created to the first status, and so on. */
  steps(): Record<StepName, StepSeconds> {
    const step = (from: keyof Timeline, to: keyof Timeline): StepSeconds => {
      const seconds = [...this.#timelines.values()]
        .flatMap((t) => (t[from] !== undefined && t[to] !== undefined ? [(t[to] - t[from]) / 1000] : []))
        .sort((a, b) => a - b);
      const pick = (q: number) =>
        Number((seconds[Math.min(seconds.length - 1, Math.floor(q * seconds.length))] ?? 0).toFixed(1));
      return { median: pick(0.5), p95: pick(0.95) };
    };
    return {
      createdToFirstStatus: step("created", "status"),
      createdToDeployment: step("created", "deployment"),
      deploymentToDeploymentReady: step("deployment", "deploymentReady"),
      deploymentReadyToReady: step("deploymentReady", "ready"),
    };
  }

  async start(): Promise<void> {
    for (const source of this.#sources) source.start();
    await Promise.all(this.#sources.map((source) => source.synced));
  }

  stop(): void {
    for (const source of this.#sources) source.stop();
  }
}
