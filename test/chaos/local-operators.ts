// OperatorFleet on the local stack: operator processes (operator/src/main.ts) with leader election on, as the
// chart runs its replicas, each with its own metrics port. A killed replica is started again by restart(), as
// the Deployment would replace its Pod.
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { join } from "node:path";
import * as k8s from "@kubernetes/client-node";
import { nodeBinary, repoRoot } from "../support/processes.ts";
import type { OperatorFleet, OperatorReplica } from "./targets.ts";

export interface OperatorSettings {
  kubeConfig: k8s.KubeConfig;
  kubeconfigPath: string;
  namespaces: string[];
  leaseNamespace: string;
  leaseName: string;
  leaseDurationSeconds: number;
  replicas: number;
  /** Each log line, with the replica's name. */
  onLine?: (name: string, line: string) => void;
}

class LocalOperator implements OperatorReplica {
  readonly name: string;
  readonly #settings: OperatorSettings;
  readonly #onUnexpectedExit: () => void;
  #child: ChildProcess | undefined;
  #port = 0;
  #lines: string[] = [];
  #expectingExit = false;
  #startedLeadingAt: number | undefined;

  readonly #onLeading: (name: string, leading: boolean) => void;

  constructor(
    name: string,
    settings: OperatorSettings,
    onUnexpectedExit: () => void,
    onLeading: (name: string, leading: boolean) => void,
  ) {
    this.name = name;
    this.#settings = settings;
    this.#onUnexpectedExit = onUnexpectedExit;
    this.#onLeading = onLeading;
  }

  alive(): boolean {
    return this.#child !== undefined && this.#child.exitCode === null && this.#child.signalCode === null;
  }

  lines(): readonly string[] {
    return this.#lines;
  }

  startedLeadingAt(): number | undefined {
    return this.#startedLeadingAt;
  }

  async reconciles(): Promise<number | undefined> {
    if (!this.alive() || this.#port === 0) return undefined;
    const res = await fetch(`http://127.0.0.1:${this.#port}/metrics`, { signal: AbortSignal.timeout(1000) }).catch(
      () => undefined,
    );
    if (!res?.ok) return undefined;
    let sum = 0;
    for (const line of (await res.text()).split("\n")) {
      if (line.startsWith("lagpilot_reconcile_total{") || line.startsWith("lagpilot_reconcile_total "))
        sum += Number(line.slice(line.lastIndexOf(" ") + 1));
    }
    return sum;
  }

  signal(signal: NodeJS.Signals): void {
    this.#expectingExit = true;
    this.#child?.kill(signal);
  }

  async exited(): Promise<void> {
    const child = this.#child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await once(child, "exit");
  }

  async restart(): Promise<void> {
    await this.exited();
    const s = this.#settings;
    this.#expectingExit = false;
    this.#port = 0;
    const child = spawn(nodeBinary, [join(repoRoot, "operator/src/main.ts")], {
      env: {
        ...process.env,
        KUBECONFIG: s.kubeconfigPath,
        WATCH_NAMESPACES: s.namespaces.join(","),
        METRICS_PORT: "0",
        LEADER_ELECTION: "true",
        LEADER_ELECTION_NAMESPACE: s.leaseNamespace,
        LEASE_NAME: s.leaseName,
        LEASE_DURATION_SECONDS: String(s.leaseDurationSeconds),
        POD_NAME: this.name,
        POD_NAMESPACE: s.leaseNamespace,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.#child = child;
    let synced: (() => void) | undefined;
    const syncedOnce = new Promise<void>((resolve) => {
      synced = resolve;
    });
    let partial = "";
    const onData = (chunk: Buffer) => {
      const text = partial + chunk.toString("utf8");
      const parts = text.split("\n");
      partial = parts.pop() ?? "";
      for (const line of parts) {
        if (!line) continue;
        this.#lines.push(line);
        s.onLine?.(this.name, line);
        if (line.includes('"operator starting"')) this.#port = Number(/"metricsPort":(\d+)/.exec(line)?.[1] ?? 0);
        if (line.includes('"watches synced"')) synced?.();
        if (line.includes("leader election: started leading")) {
          const time = /"time":"([^"]+)"/.exec(line)?.[1];
          this.#startedLeadingAt = time ? Date.parse(time) : Date.now();
          this.#onLeading(this.name, true);
        }
        if (line.includes("leader election: stopped leading")) this.#onLeading(this.name, false);
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", (code, signal) => {
      this.#onLeading(this.name, false);
      if (!this.#expectingExit) {
        this.#lines.push(`chaos: operator ${this.name} exited unexpectedly (code ${code}, signal ${signal})`);
        this.#onUnexpectedExit();
      }
    });
    const exit = once(child, "exit").then(() => {
      throw new Error(`operator ${this.name} exited during start-up:\n${this.#lines.slice(-10).join("\n")}`);
    });
    await Promise.race([syncedOnce, exit]);
    exit.catch(() => {});
  }
}

export class LocalOperatorFleet implements OperatorFleet {
  readonly runsAs = "operator processes (operator/src/main.ts) with leader election, one per replica";
  readonly replicas: LocalOperator[];
  readonly #coordination: k8s.CoordinationV1Api;
  readonly #settings: OperatorSettings;
  #crashes = 0;
  readonly #leading = new Set<string>();
  #overlapSince: number | undefined;
  #overlap = { episodes: 0, seconds: 0 };

  constructor(settings: OperatorSettings) {
    this.#settings = settings;
    this.#coordination = settings.kubeConfig.makeApiClient(k8s.CoordinationV1Api);
    this.replicas = Array.from(
      { length: settings.replicas },
      (_, i) =>
        new LocalOperator(
          `operator-${String.fromCharCode(97 + i)}`,
          settings,
          () => {
            this.#crashes += 1;
          },
          (name, leading) => this.#leadingChanged(name, leading),
        ),
    );
  }

  get settings(): OperatorSettings {
    return this.#settings;
  }

  get leaseDurationSeconds(): number {
    return this.#settings.leaseDurationSeconds;
  }

  async start(): Promise<void> {
    await Promise.all(this.replicas.map((r) => r.restart()));
  }

  async leaseHolder(): Promise<string | undefined> {
    const lease = await this.#coordination
      .readNamespacedLease({ name: this.#settings.leaseName, namespace: this.#settings.leaseNamespace })
      .catch(() => undefined);
    return lease?.spec?.holderIdentity || undefined;
  }

  /** Replicas log when they start and stop leading (a process that exits stops): two at once is split brain.
   * The harness sees the lines a moment after they are written; the overlap is measured as it sees them. */
  #leadingChanged(name: string, leading: boolean): void {
    if (leading) this.#leading.add(name);
    else this.#leading.delete(name);
    if (this.#leading.size > 1 && this.#overlapSince === undefined) {
      this.#overlapSince = Date.now();
      this.#overlap.episodes += 1;
    } else if (this.#leading.size <= 1 && this.#overlapSince !== undefined) {
      this.#overlap.seconds += (Date.now() - this.#overlapSince) / 1000;
      this.#overlapSince = undefined;
    }
  }

  /** Times two replicas both believed they led, and for how long in all, so far. */
  leaderOverlap(): { episodes: number; seconds: number } {
    const open = this.#overlapSince === undefined ? 0 : (Date.now() - this.#overlapSince) / 1000;
    return { episodes: this.#overlap.episodes, seconds: Math.round((this.#overlap.seconds + open) * 100) / 100 };
  }

  unexpectedExits(): number {
    return this.#crashes;
  }

  async stop(): Promise<void> {
    await Promise.all(
      this.replicas.map(async (r) => {
        if (!r.alive()) return;
        r.signal("SIGTERM");
        const timer = setTimeout(() => r.signal("SIGKILL"), 15_000);
        await r.exited();
        clearTimeout(timer);
      }),
    );
  }
}
