// ConsumerFleet on the local stack's node: each consumer is the `consumer` container of a Pod the operator's
// Deployment made, run by the kubelet from the runtime image. A kill is SIGKILL of the container's main
// process on this machine (a container's processes are the machine's processes, in namespaces of their own),
// found through containerd by the container ID the Pod's status names; the kubelet brings it back.
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";
import * as k8s from "@kubernetes/client-node";
import { CONSUMER_CONTAINER } from "../../operator/src/api/spec-template.ts";
import { readStackState } from "../env/stack.ts";
import { isAlive } from "./local-stack.ts";
import type { ConsumerFleet, ConsumerReplica } from "./targets.ts";

const execFileAsync = promisify(execFile);

/** The consumer container's status in a Pod, if the kubelet reported one. */
export function consumerContainer(pod: k8s.V1Pod): k8s.V1ContainerStatus | undefined {
  return pod.status?.containerStatuses?.find((c) => c.name === CONSUMER_CONTAINER);
}

/** The init pid of a running containerd task, from `ctr task ls` ("TASK PID STATUS" rows). */
export function taskPid(taskList: string, containerId: string): number | undefined {
  for (const line of taskList.split("\n")) {
    const [id, pid, status] = line.trim().split(/\s+/);
    if (id === containerId && status === "RUNNING" && Number(pid) > 0) return Number(pid);
  }
  return undefined;
}

export class PodConsumerFleet implements ConsumerFleet {
  readonly runsAs = "consumer containers of the operator's Deployment, run by the kubelet on the local node";
  readonly #core: k8s.CoreV1Api;

  constructor(kubeConfig: k8s.KubeConfig) {
    this.#core = kubeConfig.makeApiClient(k8s.CoreV1Api);
  }

  /** The group's Pods that are not being deleted. */
  async pods(namespace: string, group: string): Promise<k8s.V1Pod[]> {
    const pods = await this.#core.listNamespacedPod({
      namespace,
      labelSelector: `app.kubernetes.io/instance=${group},app.kubernetes.io/component=consumer`,
    });
    return pods.items.filter((pod) => !pod.metadata?.deletionTimestamp);
  }

  async running(namespace: string, group: string): Promise<ConsumerReplica[]> {
    return (await this.pods(namespace, group))
      .filter((pod) => consumerContainer(pod)?.state?.running !== undefined)
      .map((pod) => ({ namespace, pod: pod.metadata?.name ?? "" }));
  }

  /** The host pid of the consumer container's main process, checked against the process's own cgroup. */
  async consumerPid(replica: ConsumerReplica): Promise<{ pid: number; containerId: string }> {
    const pod = await this.#core.readNamespacedPod({ name: replica.pod, namespace: replica.namespace });
    const status = consumerContainer(pod);
    const containerId = status?.containerID?.replace(/^containerd:\/\//, "");
    if (!containerId || !status?.state?.running)
      throw new Error(`${replica.namespace}/${replica.pod}: the consumer container is not running`);
    const node = readStackState()?.node;
    if (!node) throw new Error("the local stack has no node");
    const socket = join(node.dir, "containerd", "containerd.sock");
    const { stdout } = await execFileAsync("ctr", ["--address", socket, "--namespace", "k8s.io", "task", "ls"], {
      timeout: 30_000,
    });
    const pid = taskPid(stdout, containerId);
    if (pid === undefined) throw new Error(`containerd runs no task for container ${containerId}`);
    // The pid is the container's: its cgroup path ends in the container ID (cgroupfs driver).
    const cgroup = readFileSync(`/proc/${pid}/cgroup`, "utf8");
    if (!cgroup.includes(containerId)) throw new Error(`pid ${pid} is not in container ${containerId}'s cgroup`);
    return { pid, containerId };
  }

  async killProcess(replica: ConsumerReplica): Promise<void> {
    const { pid } = await this.consumerPid(replica);
    process.kill(pid, "SIGKILL");
    const deadline = Date.now() + 30_000;
    while (isAlive(pid)) {
      if (Date.now() > deadline) throw new Error(`pid ${pid} still runs 30 s after SIGKILL`);
      await sleep(50);
    }
  }

  async deletePod(replica: ConsumerReplica): Promise<void> {
    await this.#core.deleteNamespacedPod({ name: replica.pod, namespace: replica.namespace, gracePeriodSeconds: 0 });
  }

  /** The kubelet restarts containers; this fleet starts nothing of its own. */
  async close(): Promise<void> {}
}
