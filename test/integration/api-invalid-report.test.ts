// When the installed CRD lets a bad object through (an older or edited CRD), the operator's own validation refuses
// it and reports it on the object: Ready=False with reason InvalidSpec naming the fields, and one Warning Event.
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import * as k8s from "@kubernetes/client-node";
import { repoRoot } from "../../operator/src/api/generated-files.ts";
import { API_VERSION, KIND, PLURAL } from "../../operator/src/api/group.ts";
import type { ReportedObject } from "../../operator/src/api/invalid-report.ts";
import { resolveSettings } from "../../operator/src/api/resolve.ts";
import { specSchema } from "../../operator/src/api/spec.ts";
import { validateKafkaConsumerGroup } from "../../operator/src/api/validate.ts";
import { ObjectCache } from "../../operator/src/controller/object-cache.ts";
import { AdminPool } from "../../operator/src/kafka/pool.ts";
import { createEventRecorder } from "../../operator/src/reconcile/events.ts";
import { createExecutor } from "../../operator/src/reconcile/execute.ts";
import { reportInvalidSpec as report } from "../../operator/src/reconcile/report-invalid.ts";
import { eventually, runTool, stackEnv, uniqueName } from "../support/stack-env.ts";
import { mergePatch, validBase } from "../unit/api/invalid-objects.ts";

const kubectl = (args: string[], input?: string) => runTool("kubectl", args, input);

async function installCrd() {
  const file = join(repoRoot, "crds", "kafkaconsumergroups.lagpilot.dev.yaml");
  await kubectl(["apply", "--server-side", "--force-conflicts", "--field-manager=lagpilot-tests", "-f", file]);
  // A CRD created a moment ago has no conditions yet, and kubectl wait fails on that instead of waiting.
  await eventually(() =>
    kubectl(["wait", "--for=condition=Established", `crd/${PLURAL}.lagpilot.dev`, "--timeout=60s"]),
  );
  await eventually(() => kubectl(["get", "kcg", "-A"]));
}

interface Stored extends ReportedObject {
  spec: unknown;
}

describe("InvalidSpec reporting on the apiserver", () => {
  const env = stackEnv();
  const kubeConfig = new k8s.KubeConfig();
  kubeConfig.loadFromFile(env.kubeconfig);
  const custom = kubeConfig.makeApiClient(k8s.CustomObjectsApi);
  // The operator's own status writer and Event recorder.
  const execute = createExecutor({
    kubeConfig,
    cache: new ObjectCache(),
    adminPool: new AdminPool(),
    readSecret: async () => undefined,
    recorder: createEventRecorder(kubeConfig, {
      instance: "test",
      onError: (error) => {
        throw error;
      },
    }),
  });
  const reportInvalidSpec = (object: ReportedObject, message: string, now: Date) =>
    report(execute, object, message, now);
  const namespace = uniqueName("api-report");
  // A permissive stand-in for an old CRD, in a group of its own so that the shared CRD is never disturbed.
  const looseGroup = `${uniqueName("old").replaceAll("-", "")}.test.lagpilot.dev`;

  before(async () => {
    await installCrd();
    const looseCrd = {
      apiVersion: "apiextensions.k8s.io/v1",
      kind: "CustomResourceDefinition",
      metadata: { name: `${PLURAL}.${looseGroup}` },
      spec: {
        group: looseGroup,
        scope: "Namespaced",
        names: { plural: PLURAL, singular: "kafkaconsumergroup", kind: KIND },
        versions: [
          {
            name: "v1alpha1",
            served: true,
            storage: true,
            subresources: { status: {} },
            schema: {
              openAPIV3Schema: {
                type: "object",
                properties: {
                  spec: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
                  status: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
                },
              },
            },
          },
        ],
      },
    };
    await kubectl(["apply", "-f", "-"], JSON.stringify(looseCrd));
    // A CRD created a moment ago has no conditions yet, and kubectl wait fails on that instead of waiting.
    await eventually(() =>
      kubectl(["wait", "--for=condition=Established", `crd/${PLURAL}.${looseGroup}`, "--timeout=60s"]),
    );
    await eventually(() => kubectl(["get", `${PLURAL}.${looseGroup}`, "-A"]));
    await kubectl(["create", "namespace", namespace]);
  });

  after(async () => {
    await kubectl(["delete", "namespace", namespace, "--wait=false"]);
    await kubectl(["delete", "crd", `${PLURAL}.${looseGroup}`, "--wait=false"]);
  });

  async function read(group: string, name: string): Promise<Stored> {
    return (await custom.getNamespacedCustomObject({
      group,
      version: "v1alpha1",
      namespace,
      plural: PLURAL,
      name,
    })) as Stored;
  }

  async function events(name: string) {
    const list = JSON.parse(
      await kubectl([
        "get",
        "events",
        "-n",
        namespace,
        "--field-selector",
        `involvedObject.name=${name}`,
        "-o",
        "json",
      ]),
    ) as { items: { reason: string; type: string; message: string }[] };
    return list.items;
  }

  it("refuses what an old CRD accepted, and reports it once as a condition and an Event", async () => {
    const name = uniqueName("loose");
    const bad = mergePatch(validBase(name), {
      apiVersion: `${looseGroup}/v1alpha1`,
      spec: { tier: "Turbo", autoscaling: { minReplicas: 5, maxReplicas: 3 }, replica: 2 },
    });
    await kubectl(["create", "-n", namespace, "-f", "-"], JSON.stringify(bad));
    const stored = await read(looseGroup, name);

    // The operator validates what it reads as its own kind; the stand-in differs only in its group.
    const verdict = validateKafkaConsumerGroup({ ...stored, apiVersion: API_VERSION });
    assert.equal(verdict.valid, false);
    if (verdict.valid) return;
    assert.deepEqual(verdict.issues.map((i) => i.field).sort(), [
      "spec.autoscaling.minReplicas",
      "spec.replica",
      "spec.tier",
    ]);

    const first = await reportInvalidSpec(stored, verdict.message, new Date());
    assert.deepEqual(first, { statusWritten: true, eventCreated: true });

    const reported = await read(looseGroup, name);
    const ready = reported.status?.conditions?.find((c) => c.type === "Ready");
    assert.equal(ready?.status, "False");
    assert.equal(ready?.reason, "InvalidSpec");
    assert.match(ready?.message ?? "", /spec\.tier: Invalid option/);
    assert.match(ready?.message ?? "", /spec\.replica: unknown field/);
    assert.equal(reported.status?.observedGeneration, stored.metadata.generation);

    const seen = await events(name);
    assert.equal(seen.length, 1);
    assert.equal(seen[0]?.type, "Warning");
    assert.equal(seen[0]?.reason, "InvalidSpec");

    // Level-triggered: the next reconcile of the same object writes nothing and emits nothing.
    const again = await reportInvalidSpec(reported, verdict.message, new Date());
    assert.deepEqual(again, { statusWritten: false, eventCreated: false });
    assert.equal((await events(name)).length, 1);

    // A partial fix changes the message: reported again, naming only what is left.
    await kubectl([
      "patch",
      `${PLURAL}.${looseGroup}`,
      name,
      "-n",
      namespace,
      "--type=json",
      "-p",
      '[{"op":"remove","path":"/spec/tier"},{"op":"remove","path":"/spec/replica"}]',
    ]);
    const edited = await read(looseGroup, name);
    const second = validateKafkaConsumerGroup({ ...edited, apiVersion: API_VERSION });
    assert.equal(second.valid, false);
    if (second.valid) return;
    assert.equal(
      second.message,
      "spec.autoscaling.minReplicas: autoscaling.minReplicas must not exceed autoscaling.maxReplicas",
    );
    assert.deepEqual(await reportInvalidSpec(edited, second.message, new Date()), {
      statusWritten: true,
      eventCreated: true,
    });
  });

  it("reports a groupId changed behind the CRD's back, visible in kubectl get kcg", async () => {
    const name = uniqueName("drift");
    const object = validBase(name);
    await kubectl(["create", "-n", namespace, "-f", "-"], JSON.stringify(object));
    // The operator recorded another id as the one in use (as after an edit an older CRD allowed).
    const spec = specSchema.parse((object as { spec: unknown }).spec);
    const resolved = { ...resolveSettings(spec, { namespace, name }), groupId: "orders-before" };
    await kubectl([
      "patch",
      "kcg",
      name,
      "-n",
      namespace,
      "--subresource=status",
      "--type=merge",
      "-p",
      JSON.stringify({ status: { resolved } }),
    ]);
    const stored = await read("lagpilot.dev", name);
    const verdict = validateKafkaConsumerGroup(stored);
    assert.equal(verdict.valid, false);
    if (verdict.valid) return;
    assert.equal(verdict.issues[0]?.field, "spec.groupId");

    await reportInvalidSpec(stored, verdict.message, new Date());
    const row = (await kubectl(["get", "kcg", name, "-n", namespace, "--no-headers"])).trim().split(/\s+/);
    assert.ok(row.includes("InvalidSpec"), row.join(" "));
    const described = await kubectl(["describe", "kcg", name, "-n", namespace]);
    assert.match(described, /Warning\s+InvalidSpec/);
  });

  it("does nothing, without failing, when the object is gone", async () => {
    const name = uniqueName("gone");
    const ghost: ReportedObject = {
      apiVersion: API_VERSION,
      kind: KIND,
      metadata: { name, namespace, generation: 1 },
    };
    assert.deepEqual(await reportInvalidSpec(ghost, "spec.tier: bad", new Date()), {
      statusWritten: false,
      eventCreated: false,
    });
  });
});
