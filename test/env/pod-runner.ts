// Stands in for the kubelet in the tests that predate the local stack's node (their namespaces are kept off
// the node): for every Pod of a Lagpilot-managed Deployment it either runs a real consumer-runtime process
// with the Pod's config ("process" mode) or just reports the Pod ready ("ready" mode, for control-plane
// benchmarks). Readiness goes into the Pod's status,
// so the ReplicaSet and Deployment controllers, and the operator, see it as they would in a cluster.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as k8s from "@kubernetes/client-node";
import { WatchSource } from "../../operator/src/controller/watch-source.ts";
import { repoRoot, stateDir } from "./layout.ts";
import { registerScrapeTarget } from "./prometheus/targets.ts";
import { freePort } from "./stack.ts";

export type PodRunnerMode = "process" | "ready";

export interface PodRunnerOptions {
  kubeConfig: k8s.KubeConfig;
  namespaces: string[];
  mode: PodRunnerMode;
  /** Extra environment for runtime processes. */
  env?: NodeJS.ProcessEnv;
  /** Each runtime log line, with the pod name. */
  onLog?: (pod: string, line: string) => void;
}

interface RunningPod {
  name: string;
  namespace: string;
  child?: ChildProcess;
  dir?: string;
  ready: boolean;
  /** Removes the process from the stack's Prometheus targets. */
  unregister?: () => void;
}

const MANAGED = "app.kubernetes.io/managed-by=lagpilot";
const NODE_SELECTOR_ANNOTATION = "scheduler.alpha.kubernetes.io/node-selector";
/** A node label no node carries. */
const POD_RUNNER_LABEL = "lagpilot.dev/pod-runner";
const nodeBinary = join(repoRoot, "node_modules", ".bin", "node");

function podKey(pod: k8s.V1Pod) {
  return `${pod.metadata?.namespace}/${pod.metadata?.name}`;
}

export class PodRunner {
  readonly #options: PodRunnerOptions;
  readonly #core: k8s.CoreV1Api;
  readonly #pods = new Map<string, RunningPod>();
  readonly #sources: WatchSource[];
  #stopped = false;

  constructor(options: PodRunnerOptions) {
    this.#options = options;
    this.#core = options.kubeConfig.makeApiClient(k8s.CoreV1Api);
    this.#sources = options.namespaces.map(
      (namespace) =>
        new WatchSource({
          kubeConfig: options.kubeConfig,
          apiVersion: "v1",
          kind: "Pod",
          plural: "pods",
          namespace,
          labelSelector: MANAGED,
          onEvent: (type, object) => void this.#onPod(type, object as k8s.V1Pod),
        }),
    );
  }

  /**
   * Keeps the node's scheduler away from these namespaces first (a namespace node selector no node
   * matches, applied by the PodNodeSelector admission plugin), so the kubelet never runs the Pods the
   * pod runner stands in for.
   */
  async start(): Promise<void> {
    for (const namespace of this.#options.namespaces) {
      await this.#core.patchNamespace(
        {
          name: namespace,
          body: { metadata: { annotations: { [NODE_SELECTOR_ANNOTATION]: `${POD_RUNNER_LABEL}=true` } } },
        },
        k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch),
      );
    }
    for (const source of this.#sources) source.start();
  }

  get runningPods(): number {
    return this.#pods.size;
  }

  async #onPod(type: string, pod: k8s.V1Pod): Promise<void> {
    const key = podKey(pod);
    const gone = type === "DELETED" || pod.metadata?.deletionTimestamp !== undefined;
    const existing = this.#pods.get(key);
    if (gone) {
      if (existing) {
        this.#pods.delete(key);
        await this.#stopPod(existing, pod);
      }
      return;
    }
    if (existing || this.#stopped) return;
    const running: RunningPod = {
      name: pod.metadata?.name ?? "",
      namespace: pod.metadata?.namespace ?? "",
      ready: false,
    };
    this.#pods.set(key, running);
    try {
      if (this.#options.mode === "ready") await this.#setReady(running, true);
      else await this.#runProcess(running, pod);
    } catch (error) {
      this.#options.onLog?.(running.name, `pod runner: ${String(error)}`);
    }
  }

  /** Writes the Pod's config and Secrets to files and starts consumer-runtime with them. */
  async #runProcess(running: RunningPod, pod: k8s.V1Pod): Promise<void> {
    const dir = join(stateDir, "pods", running.namespace, running.name);
    mkdirSync(dir, { recursive: true });
    running.dir = dir;
    const volumes = pod.spec?.volumes ?? [];
    const container = pod.spec?.containers.find((c) => c.name === "consumer");
    const configVolume = volumes.find((v) => v.name === "config")?.configMap?.name;
    if (!configVolume || !container) throw new Error(`pod ${running.name} has no consumer container or config volume`);
    const configMap = await this.#core.readNamespacedConfigMap({ name: configVolume, namespace: running.namespace });
    let configText = configMap.data?.["config.json"] ?? "{}";
    // Mounted Secrets become files under the pod's folder; paths in the config follow them.
    for (const mount of container.volumeMounts ?? []) {
      const secretName = volumes.find((v) => v.name === mount.name)?.secret?.secretName;
      if (!secretName) continue;
      const secret = await this.#core.readNamespacedSecret({ name: secretName, namespace: running.namespace });
      const target = join(dir, mount.name);
      mkdirSync(target, { recursive: true });
      for (const [key, value] of Object.entries(secret.data ?? {})) {
        writeFileSync(join(target, key), Buffer.from(value, "base64"));
      }
      configText = configText.split(`${mount.mountPath}/`).join(`${target}/`);
    }
    const config = JSON.parse(configText) as { server?: { port?: number } };
    const port = await freePort();
    config.server = { ...config.server, port };
    writeFileSync(join(dir, "config.json"), JSON.stringify(config, null, 2));
    const child = spawn(nodeBinary, [join(repoRoot, "consumer-runtime", "src", "main.ts")], {
      env: { ...process.env, ...this.#options.env, LAGPILOT_CONFIG: join(dir, "config.json"), POD_NAME: running.name },
      stdio: ["ignore", "pipe", "pipe"],
    });
    running.child = child;
    // Scraped as a consumer Pod would be, with the labels the chart's Prometheus relabelling gives it.
    running.unregister = registerScrapeTarget({
      id: `consumer-${running.namespace}-${running.name}`,
      address: `127.0.0.1:${port}`,
      job: "lagpilot-consumers",
      labels: {
        namespace: running.namespace,
        pod: running.name,
        name: pod.metadata?.labels?.["lagpilot.dev/consumer-group"] ?? "",
      },
    });
    child.once("exit", () => running.unregister?.());
    const forward = (chunk: Buffer) => {
      for (const line of chunk.toString("utf8").split("\n")) if (line) this.#options.onLog?.(running.name, line);
    };
    child.stdout?.on("data", forward);
    child.stderr?.on("data", forward);
    child.once("exit", (code) => {
      this.#options.onLog?.(running.name, `pod runner: runtime exited with ${code}`);
      if (running.ready) void this.#setReady(running, false).catch(() => {});
    });
    // Readiness probe, as the kubelet would run it.
    const probe = setInterval(async () => {
      if (child.exitCode !== null || this.#stopped) return clearInterval(probe);
      const ok = await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(1000) })
        .then((r) => r.ok)
        .catch(() => false);
      if (ok !== running.ready) await this.#setReady(running, ok).catch(() => {});
    }, 500);
    probe.unref();
  }

  async #setReady(running: RunningPod, ready: boolean): Promise<void> {
    running.ready = ready;
    const now = new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
    const status = ready ? "True" : "False";
    await this.#core.patchNamespacedPodStatus(
      {
        name: running.name,
        namespace: running.namespace,
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
    );
  }

  async #stopPod(running: RunningPod, pod: k8s.V1Pod): Promise<void> {
    const child = running.child;
    if (child && child.exitCode === null) {
      const grace = (pod.spec?.terminationGracePeriodSeconds ?? 30) * 1000;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), grace);
      await exited;
      clearTimeout(timer);
    }
    if (running.dir) rmSync(running.dir, { recursive: true, force: true });
    // The kubelet confirms a graceful deletion by deleting with grace period 0.
    await this.#core
      .deleteNamespacedPod({ name: running.name, namespace: running.namespace, gracePeriodSeconds: 0 })
      .catch(() => {});
  }

  /** Stops watching and every runtime process (SIGTERM, then SIGKILL). */
  async stop(): Promise<void> {
    this.#stopped = true;
    for (const source of this.#sources) source.stop();
    await Promise.all(
      [...this.#pods.values()].map(async (running) => {
        const child = running.child;
        if (!child || child.exitCode !== null) return;
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
        await exited;
        clearTimeout(timer);
      }),
    );
    this.#pods.clear();
  }
}
