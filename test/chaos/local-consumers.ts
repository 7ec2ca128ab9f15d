// ConsumerFleet on the local stack: each consumer Pod is a consumer-runtime process run by the pod runner
// (test/env/pod-runner.ts), which stands in for the kubelet. The pod runner has no restart policy, so after a
// SIGKILL this fleet starts the same command line again (as a kubelet restarts a container, Pod and name
// unchanged) and reports its readiness into the Pod's status, as the pod runner would.
import { type ChildProcess, spawn } from "node:child_process";
import { openSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import * as k8s from "@kubernetes/client-node";
import { stateDir } from "../env/layout.ts";
import { isAlive, launchOf } from "./local-stack.ts";
import type { ConsumerFleet, ConsumerReplica } from "./targets.ts";

interface Restarted {
  replica: ConsumerReplica;
  child: ChildProcess;
  ready: boolean;
}

function environOf(pid: string): string {
  try {
    return readFileSync(`/proc/${pid}/environ`, "utf8");
  } catch {
    return "";
  }
}

/** Config path of a Pod's consumer, as the pod runner writes it. */
function configPath(replica: ConsumerReplica): string {
  return join(stateDir, "pods", replica.namespace, replica.pod, "config.json");
}

/** Pids of consumer-runtime processes by their LAGPILOT_CONFIG path: one pass over /proc. */
function consumerPids(): Map<string, number> {
  const pids = new Map<string, number>();
  const prefix = `LAGPILOT_CONFIG=${join(stateDir, "pods")}/`;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    const environ = environOf(entry);
    const at = environ.indexOf(prefix);
    if (at < 0) continue;
    const end = environ.indexOf("\0", at);
    const path = environ.slice(at + "LAGPILOT_CONFIG=".length, end < 0 ? undefined : end);
    if (isAlive(Number(entry))) pids.set(path, Number(entry));
  }
  return pids;
}

/** The pid of the consumer-runtime process of a Pod, found by the config path the pod runner gave it. */
export function consumerPid(replica: ConsumerReplica): number | undefined {
  return consumerPids().get(configPath(replica));
}

export class LocalConsumerFleet implements ConsumerFleet {
  readonly runsAs =
    "consumer-runtime processes started by the pod runner (the local stack's stand-in for the kubelet), one per Pod";
  readonly #core: k8s.CoreV1Api;
  readonly #logFile: string;
  readonly #restarted = new Map<string, Restarted>();
  #watching: NodeJS.Timeout | undefined;

  constructor(kubeConfig: k8s.KubeConfig, logFile: string) {
    this.#core = kubeConfig.makeApiClient(k8s.CoreV1Api);
    this.#logFile = logFile;
  }

  async running(namespace: string, group: string): Promise<ConsumerReplica[]> {
    const pods = await this.#core.listNamespacedPod({
      namespace,
      labelSelector: `app.kubernetes.io/instance=${group},app.kubernetes.io/component=consumer`,
    });
    const pids = consumerPids();
    return pods.items
      .filter((pod) => !pod.metadata?.deletionTimestamp)
      .map((pod) => ({ namespace, pod: pod.metadata?.name ?? "" }))
      .filter((replica) => pids.has(configPath(replica)));
  }

  async killProcess(replica: ConsumerReplica): Promise<void> {
    const pid = consumerPid(replica);
    if (pid === undefined) throw new Error(`no running consumer for ${replica.namespace}/${replica.pod}`);
    const launch = launchOf(pid);
    const previous = this.#restarted.get(`${replica.namespace}/${replica.pod}`);
    process.kill(pid, "SIGKILL");
    while (isAlive(pid) && !previous) await sleep(20);
    if (previous) await new Promise((resolve) => previous.child.once("exit", resolve));
    const fd = openSync(this.#logFile, "a");
    const child = spawn(launch.command, launch.args, {
      env: launch.env,
      cwd: launch.cwd,
      stdio: ["ignore", fd, fd],
    });
    this.#restarted.set(`${replica.namespace}/${replica.pod}`, { replica, child, ready: false });
    this.#watching ??= setInterval(() => void this.#probe(), 500);
  }

  async deletePod(replica: ConsumerReplica): Promise<void> {
    await this.#core.deleteNamespacedPod({ name: replica.pod, namespace: replica.namespace, gracePeriodSeconds: 0 });
  }

  /** Readiness of restarted consumers into their Pods; stops those whose Pod is gone. */
  async #probe(): Promise<void> {
    for (const [key, entry] of this.#restarted) {
      const { namespace, pod } = entry.replica;
      const exists = await this.#core
        .readNamespacedPod({ name: pod, namespace })
        .then((p) => !p.metadata?.deletionTimestamp)
        .catch(() => false);
      if (!exists || entry.child.exitCode !== null) {
        this.#restarted.delete(key);
        entry.child.kill("SIGTERM");
        continue;
      }
      const port = readPort(namespace, pod);
      const ok = await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(1000) })
        .then((r) => r.ok)
        .catch(() => false);
      if (ok === entry.ready) continue;
      entry.ready = ok;
      const now = new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
      const status = ok ? "True" : "False";
      await this.#core
        .patchNamespacedPodStatus(
          {
            name: pod,
            namespace,
            body: {
              status: {
                phase: "Running",
                conditions: [
                  { type: "Ready", status, lastTransitionTime: now },
                  { type: "ContainersReady", status, lastTransitionTime: now },
                ],
              },
            },
          },
          k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch),
        )
        .catch(() => {});
    }
  }

  async close(): Promise<void> {
    clearInterval(this.#watching);
    this.#watching = undefined;
    await Promise.all(
      [...this.#restarted.values()].map(async ({ child }) => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
        await exited;
        clearTimeout(timer);
      }),
    );
    this.#restarted.clear();
  }
}

function readPort(namespace: string, pod: string): number {
  try {
    const config = JSON.parse(readFileSync(join(stateDir, "pods", namespace, pod, "config.json"), "utf8")) as {
      server?: { port?: number };
    };
    return config.server?.port ?? 0;
  } catch {
    return 0;
  }
}
