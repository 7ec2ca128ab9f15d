// Releasing the Lease while a renewal is in flight: the release must not lose the race (409 Conflict) and leave
// the lease held, which makes a successor wait out the whole lease duration.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as k8s from "@kubernetes/client-node";
import { LeaderElector, type LeaseApi } from "../../../operator/src/controller/leader-election.ts";

/** A Lease store with the apiserver's compare-and-swap on resourceVersion; renewals can be held in flight. */
class LeaseStore implements LeaseApi {
  lease: k8s.V1Lease | undefined;
  version = 0;
  /** While set, the next replace waits for it (a renewal on a slow connection). */
  hold: Promise<void> | undefined;

  async readNamespacedLease(): Promise<k8s.V1Lease> {
    if (!this.lease) throw Object.assign(new Error("not found"), { code: 404 });
    return structuredClone(this.lease);
  }

  async createNamespacedLease(param: { body: k8s.V1Lease }): Promise<k8s.V1Lease> {
    this.version += 1;
    this.lease = { ...param.body, metadata: { ...param.body.metadata, resourceVersion: String(this.version) } };
    return structuredClone(this.lease);
  }

  async replaceNamespacedLease(param: { body: k8s.V1Lease }): Promise<k8s.V1Lease> {
    const sent = param.body.metadata?.resourceVersion;
    const hold = this.hold;
    if (hold) {
      this.hold = undefined;
      await hold;
    }
    if (sent !== this.lease?.metadata?.resourceVersion) throw Object.assign(new Error("conflict"), { code: 409 });
    this.version += 1;
    this.lease = { ...param.body, metadata: { ...param.body.metadata, resourceVersion: String(this.version) } };
    return structuredClone(this.lease);
  }
}

function elector(store: LeaseStore, events: string[]) {
  return new LeaderElector({
    kubeConfig: new k8s.KubeConfig(),
    api: store as unknown as LeaseApi,
    namespace: "ops",
    name: "leader",
    identity: "operator-a",
    leaseDurationSeconds: 15,
    retryPeriodMs: 5,
    onStartedLeading: () => events.push("started"),
    onStoppedLeading: () => events.push("stopped"),
    log: (level, msg) => events.push(`${level}: ${msg}`),
  });
}

const until = async (check: () => boolean) => {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 2));
  assert.ok(check(), "condition never held");
};

describe("LeaderElector.stop", () => {
  it("releases the lease even when a renewal is in flight", async () => {
    const store = new LeaseStore();
    const events: string[] = [];
    const a = elector(store, events);
    a.start();
    await until(() => events.includes("started") && store.version >= 2);
    // Hold the next renewal on the wire, then stop while it is pending.
    let letGo = () => {};
    store.hold = new Promise<void>((resolve) => {
      letGo = resolve;
    });
    const renewed = store.version;
    await until(() => store.hold === undefined);
    const stopping = a.stop();
    letGo();
    await stopping;
    assert.ok(store.version > renewed, "the renewal went through");
    assert.equal(store.lease?.spec?.holderIdentity, "", "released");
    assert.ok(!events.some((e) => e.startsWith("error")), events.join("; "));
    assert.equal(events.at(-1), "stopped");
  });

  it("retries a release that meets a conflict, and leaves a lease someone else holds alone", async () => {
    const store = new LeaseStore();
    const events: string[] = [];
    const a = elector(store, events);
    a.start();
    await until(() => events.includes("started"));
    await a.stop();
    assert.equal(store.lease?.spec?.holderIdentity, "");

    // Another holder took it meanwhile: a stopping non-holder writes nothing.
    const bEvents: string[] = [];
    const b = elector(store, bEvents);
    b.start();
    await until(() => bEvents.includes("started"));
    store.lease = { ...store.lease, spec: { ...store.lease?.spec, holderIdentity: "operator-z" } };
    const before = store.version;
    await b.stop();
    assert.equal(store.lease?.spec?.holderIdentity, "operator-z");
    assert.equal(store.version, before);
  });
});
