// In what order a reconcile's applies go out (write-phases.ts): independent objects together, the Deployment
// after the ConfigMap its Pods read.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type * as k8s from "@kubernetes/client-node";
import { writePhases } from "../../../operator/src/reconcile/write-phases.ts";

const object = (kind: string): k8s.KubernetesObject => ({ kind, metadata: { name: `orders-${kind.toLowerCase()}` } });

interface Case {
  name: string;
  /** Kinds of the objects to apply, in the plan's order. */
  apply: string[];
  /** Kinds per phase, in the order the phases go out. */
  phases: string[][];
}

const cases: Case[] = [
  { name: "nothing to write: no phase (no round trip)", apply: [], phases: [] },
  {
    name: "a new group: ConfigMap and Service together, then the Deployment",
    apply: ["ConfigMap", "Deployment", "Service"],
    phases: [["ConfigMap", "Service"], ["Deployment"]],
  },
  {
    name: "with a PodDisruptionBudget: it joins the first phase",
    apply: ["ConfigMap", "Deployment", "Service", "PodDisruptionBudget"],
    phases: [["ConfigMap", "Service", "PodDisruptionBudget"], ["Deployment"]],
  },
  { name: "only the Deployment changed: one phase", apply: ["Deployment"], phases: [["Deployment"]] },
  {
    name: "only the ConfigMap changed: one phase, no empty one after it",
    apply: ["ConfigMap"],
    phases: [["ConfigMap"]],
  },
  {
    name: "a Deployment planned first still goes after the ConfigMap",
    apply: ["Deployment", "ConfigMap"],
    phases: [["ConfigMap"], ["Deployment"]],
  },
];

describe("writePhases", () => {
  for (const c of cases) {
    it(c.name, () => {
      const phases = writePhases(c.apply.map(object));
      assert.deepEqual(
        phases.map((phase) => phase.map((o) => o.kind)),
        c.phases,
      );
    });
  }

  it("passes the planned objects through unchanged", () => {
    const planned = [object("ConfigMap"), object("Deployment")];
    const [first, last] = writePhases(planned);
    assert.equal(first?.[0], planned[0]);
    assert.equal(last?.[0], planned[1]);
  });
});
