// Leader election with a Lease: only the holder reconciles; others take over once the holder stops
// renewing, and a stopping leader releases the lease so a successor need not wait for expiry.
import * as k8s from "@kubernetes/client-node";
import { isNotFound } from "../kube-errors.ts";
import { decideLeaseAction, type LeaseView } from "./lease-decision.ts";

/** The three Lease calls leader election makes. */
export type LeaseApi = Pick<
  k8s.CoordinationV1Api,
  "readNamespacedLease" | "createNamespacedLease" | "replaceNamespacedLease"
>;

export interface LeaderElectionOptions {
  kubeConfig: k8s.KubeConfig;
  /** Defaults to the Lease API of kubeConfig's cluster. */
  api?: LeaseApi;
  namespace: string;
  name: string;
  identity: string;
  leaseDurationSeconds?: number;
  retryPeriodMs?: number;
  onStartedLeading: () => void;
  onStoppedLeading: () => void;
  log: (level: "info" | "error", msg: string, fields?: Record<string, unknown>) => void;
}

function leaseView(lease: k8s.V1Lease | undefined): LeaseView | undefined {
  if (!lease?.spec) return undefined;
  const renew = lease.spec.renewTime as unknown as Date | string | undefined;
  return {
    holderIdentity: lease.spec.holderIdentity,
    leaseDurationSeconds: lease.spec.leaseDurationSeconds,
    renewTimeMs: renew ? new Date(renew).getTime() : undefined,
  };
}

/** Leases hold MicroTime: RFC 3339 with exactly six fractional digits, which Date's ISO form is not. */
function microTime(ms: number): k8s.V1MicroTime {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, ".$1000Z") as unknown as k8s.V1MicroTime;
}

export class LeaderElector {
  readonly #options: LeaderElectionOptions;
  readonly #api: LeaseApi;
  #leading = false;
  #stopped = false;
  #timer: NodeJS.Timeout | undefined;
  /** The acquire-or-renew in progress: a release waits for it, else the two race and the release gets 409. */
  #inFlight: Promise<void> = Promise.resolve();

  constructor(options: LeaderElectionOptions) {
    this.#options = options;
    this.#api = options.api ?? options.kubeConfig.makeApiClient(k8s.CoordinationV1Api);
  }

  start(): void {
    this.#inFlight = this.#tick();
  }

  async #tick(): Promise<void> {
    if (this.#stopped) return;
    const retryMs = this.#options.retryPeriodMs ?? 2000;
    try {
      await this.#tryAcquireOrRenew();
    } catch (error) {
      this.#options.log("error", "leader election: lease update failed", { error: String(error) });
      // A leader that cannot renew within its lease must assume it lost leadership.
      if (this.#leading && Date.now() - this.#lastRenewMs > (this.#options.leaseDurationSeconds ?? 15) * 1000) {
        this.#setLeading(false);
      }
    }
    if (!this.#stopped) {
      this.#timer = setTimeout(() => {
        this.#inFlight = this.#tick();
      }, retryMs);
    }
  }

  #lastRenewMs = 0;

  async #tryAcquireOrRenew(): Promise<void> {
    const { namespace, name, identity } = this.#options;
    let current: k8s.V1Lease | undefined;
    try {
      current = await this.#api.readNamespacedLease({ name, namespace });
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
    const now = Date.now();
    const action = decideLeaseAction(leaseView(current), identity, now);
    if (action.kind === "wait") {
      if (this.#leading) this.#setLeading(false);
      return;
    }
    const spec: k8s.V1LeaseSpec = {
      holderIdentity: identity,
      leaseDurationSeconds: this.#options.leaseDurationSeconds ?? 15,
      renewTime: microTime(now),
      acquireTime:
        action.kind === "renew" && current?.spec?.acquireTime
          ? microTime(new Date(current.spec.acquireTime as unknown as string).getTime())
          : microTime(now),
      leaseTransitions: (current?.spec?.leaseTransitions ?? 0) + (action.kind === "acquire" && action.takeover ? 1 : 0),
    };
    if (!current) {
      await this.#api.createNamespacedLease({ namespace, body: { metadata: { name, namespace }, spec } });
    } else {
      // resourceVersion makes this a compare-and-swap: two candidates cannot both win.
      await this.#api.replaceNamespacedLease({ name, namespace, body: { metadata: current.metadata, spec } });
    }
    this.#lastRenewMs = now;
    if (!this.#leading) this.#setLeading(true);
  }

  #setLeading(leading: boolean): void {
    this.#leading = leading;
    this.#options.log("info", leading ? "leader election: started leading" : "leader election: stopped leading", {
      identity: this.#options.identity,
    });
    if (leading) this.#options.onStartedLeading();
    else this.#options.onStoppedLeading();
  }

  /** Stops campaigning and, when leading, releases the lease so another replica takes over at once. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#inFlight;
    if (!this.#leading) return;
    try {
      await this.#release();
    } catch (error) {
      this.#options.log("error", "leader election: could not release the lease", { error: String(error) });
    }
    this.#setLeading(false);
  }

  /** Empties the holder, compare-and-swap on the version just read; a conflict (someone wrote since) reads again. */
  async #release(attempts = 3): Promise<void> {
    const { namespace, name, identity } = this.#options;
    for (let attempt = 1; ; attempt++) {
      const current = await this.#api.readNamespacedLease({ name, namespace });
      if (current.spec?.holderIdentity !== identity) return;
      try {
        await this.#api.replaceNamespacedLease({
          name,
          namespace,
          body: {
            metadata: current.metadata,
            spec: {
              holderIdentity: "",
              leaseDurationSeconds: 1,
              leaseTransitions: current.spec.leaseTransitions,
              renewTime: microTime(Date.now()),
            },
          },
        });
        return;
      } catch (error) {
        if ((error as { code?: number }).code !== 409 || attempt >= attempts) throw error;
      }
    }
  }
}
