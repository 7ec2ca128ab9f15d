// The KafkaConsumerGroup API on the real kube-apiserver, driven with kubectl as users drive it: examples apply,
// bad objects are refused naming the field, defaults match the operator's, explain, columns and scale work.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import yaml from "js-yaml";
import { repoRoot } from "../../operator/src/api/generated-files.ts";
import { KIND } from "../../operator/src/api/group.ts";
import { resolveSettings } from "../../operator/src/api/resolve.ts";
import { specSchema } from "../../operator/src/api/spec.ts";
import { eventually, runTool, uniqueName } from "../support/stack-env.ts";
import { invalidCases, type Json, mergePatch, validBase } from "../unit/api/invalid-objects.ts";

const crdFile = join(repoRoot, "crds", "kafkaconsumergroups.lagpilot.dev.yaml");
const examplesDir = join(repoRoot, "crds", "examples");

const kubectl = (args: string[], input?: string) => runTool("kubectl", args, input);

/** Runs kubectl expecting a refusal; returns what kubectl printed about it. */
async function refusal(args: string[], input?: string): Promise<string> {
  try {
    await kubectl(args, input);
  } catch (error) {
    return String((error as { stderr?: string }).stderr || (error as Error).message);
  }
  return assert.fail(`kubectl ${args.join(" ")} was accepted`);
}

/** Installs the generated CRD (identical content for every test that installs it) and waits until it serves. */
async function installCrd() {
  await kubectl(["apply", "--server-side", "--force-conflicts", "--field-manager=lagpilot-tests", "-f", crdFile]);
  // A CRD created a moment ago has no conditions yet, and kubectl wait fails on that instead of waiting.
  await eventually(() =>
    kubectl(["wait", "--for=condition=Established", "crd/kafkaconsumergroups.lagpilot.dev", "--timeout=60s"]),
  );
  await eventually(() => kubectl(["get", "kcg", "-A"]));
}

function exampleGroups() {
  return readdirSync(examplesDir)
    .filter((f) => f.endsWith(".yaml"))
    .flatMap((file) =>
      yaml
        .loadAll(readFileSync(join(examplesDir, file), "utf8"))
        .filter((doc) => (doc as { kind?: string }).kind === KIND)
        .map((doc) => ({ file, group: doc as { metadata: { name: string }; spec: unknown } })),
    );
}

describe("KafkaConsumerGroup API on the apiserver", () => {
  const namespace = uniqueName("api");

  before(async () => {
    await installCrd();
    await kubectl(["create", "namespace", namespace]);
  });
  after(async () => {
    await kubectl(["delete", "namespace", namespace, "--wait=false"]);
  });

  it("applies every example, and stores exactly the defaults the operator's schema applies", async () => {
    await kubectl(["apply", "-n", namespace, "-f", examplesDir]);
    const stored = JSON.parse(await kubectl(["get", "kcg", "-n", namespace, "-o", "json"])) as {
      items: { metadata: { name: string }; spec: unknown }[];
    };
    const examples = exampleGroups();
    assert.deepEqual(
      stored.items.map((i) => i.metadata.name).sort(),
      examples.map((e) => e.group.metadata.name).sort(),
    );
    for (const { file, group } of examples) {
      const item = stored.items.find((i) => i.metadata.name === group.metadata.name);
      assert.deepEqual(item?.spec, specSchema.parse(group.spec), `${file}: apiserver and zod defaults differ`);
    }
  });

  it("fills in defaults on a minimal object", async () => {
    const minimal = stored(await kubectl(["get", "kcg", "orders", "-n", namespace, "-o", "json"]));
    assert.equal(minimal.spec.startFrom, "latest");
    assert.equal(minimal.spec.replicas, 1);
    assert.equal(minimal.spec.paused, false);
    assert.deepEqual(minimal.spec.lag, { maxSeconds: 30, maxMessagesPerPartition: 1000 });
    assert.deepEqual(minimal.spec.processing.retries, { max: 3, backoffMs: 100, maxBackoffMs: 10000 });
    assert.equal(minimal.spec.processing.ordering, "partition");
    assert.equal(minimal.spec.autoscaling.enabled, false);
    assert.equal(minimal.spec.autoscaling.partitions.keyedTopicPolicy, "Recommend");
    assert.equal(minimal.spec.alerts.severity, "warning");
  });

  it("accepts the valid base object the refusal table starts from", async () => {
    await kubectl(
      ["create", "--dry-run=server", "-n", namespace, "-f", "-"],
      JSON.stringify(validBase(uniqueName("base"))),
    );
  });

  for (const testCase of invalidCases.filter((c) => !c.onUpdate)) {
    it(`refuses ${testCase.name}, naming ${testCase.field}`, async () => {
      const object = mergePatch(validBase(uniqueName("bad")), testCase.patch);
      const message = await refusal(["create", "--dry-run=server", "-n", namespace, "-f", "-"], JSON.stringify(object));
      assert.ok(message.includes(testCase.field), `does not name ${testCase.field}: ${message}`);
      if (testCase.says) assert.match(message, testCase.says);
    });
  }

  for (const testCase of invalidCases.filter((c) => c.onUpdate)) {
    it(`refuses on update: ${testCase.name}, naming ${testCase.field}`, async () => {
      const name = uniqueName("upd");
      const base = mergePatch(validBase(name), testCase.onUpdate?.base ?? {});
      await kubectl(["create", "-n", namespace, "-f", "-"], JSON.stringify(base));
      if (testCase.onUpdate?.status) {
        const patch = JSON.stringify({ status: testCase.onUpdate.status });
        await kubectl(["patch", "kcg", name, "-n", namespace, "--subresource=status", "--type=merge", "-p", patch]);
      }
      const message = await refusal([
        "patch",
        "kcg",
        name,
        "-n",
        namespace,
        "--type=merge",
        "-p",
        JSON.stringify(testCase.patch),
      ]);
      assert.ok(message.includes(testCase.field), `does not name ${testCase.field}: ${message}`);
      if (testCase.says) assert.match(message, testCase.says);
    });
  }

  it("lets status writes through even when a topic has more partitions than the maximum", async () => {
    const name = uniqueName("grown");
    const object = mergePatch(validBase(name), { spec: { autoscaling: { partitions: { enabled: true, max: 12 } } } });
    await kubectl(["create", "-n", namespace, "-f", "-"], JSON.stringify(object));
    const status = JSON.stringify({ status: { topics: [{ name: "orders", partitions: 30 }] } });
    await kubectl(["patch", "kcg", name, "-n", namespace, "--subresource=status", "--type=merge", "-p", status]);
    // Unrelated spec edits still go through: the rule only looks at a changed maximum.
    await kubectl(["patch", "kcg", name, "-n", namespace, "--type=merge", "-p", '{"spec":{"replicas":2}}']);
  });

  it("explains the fields: kubectl explain kcg.spec.autoscaling", async () => {
    const text = await eventually(async () => {
      const out = await kubectl(["explain", "kcg.spec.autoscaling"]);
      assert.match(out, /minReplicas/);
      return out;
    }, 60_000);
    assert.match(text, /Lag-driven scaling of replicas/);
    assert.match(text, /0 allows scaling to zero/);
    assert.match(text, /partitions\s+<Object>/);
    const field = await kubectl(["explain", "kcg.spec.autoscaling.partitions.keyedTopicPolicy"]);
    assert.match(field, /AcceptKeyMovement/);
  });

  it("shows Tier, Replicas, Ready, Partitions, Lag, Lag(s), Status and Age in kubectl get kcg", async () => {
    const name = uniqueName("cols");
    const object = mergePatch(validBase(name), { spec: { profile: "analytics" } });
    await kubectl(["create", "-n", namespace, "-f", "-"], JSON.stringify(object));
    const spec = specSchema.parse((object as { spec: unknown }).spec);
    const status = {
      replicas: 3,
      readyReplicas: 2,
      desiredReplicas: 4,
      partitions: 12,
      totalLag: 4200,
      lagSeconds: 12.5,
      selector: `app.kubernetes.io/instance=${name}`,
      conditions: [
        {
          type: "Ready",
          status: "False",
          reason: "RollingOut",
          message: "2 of 3 replicas ready",
          lastTransitionTime: "2025-01-01T00:00:00Z",
        },
      ],
      resolved: resolveSettings(spec, { namespace, name }),
    };
    await kubectl([
      "patch",
      "kcg",
      name,
      "-n",
      namespace,
      "--subresource=status",
      "--type=merge",
      "-p",
      JSON.stringify({ status }),
    ]);
    const table = (await kubectl(["get", "kcg", name, "-n", namespace])).trim().split("\n");
    assert.deepEqual(table[0]?.split(/\s{2,}/), [
      "NAME",
      "TIER",
      "REPLICAS",
      "READY",
      "PARTITIONS",
      "LAG",
      "LAG(S)",
      "STATUS",
      "AGE",
    ]);
    assert.deepEqual(table[1]?.split(/\s+/).slice(0, 8), [
      name,
      "Buffered",
      "3",
      "2",
      "12",
      "4200",
      "12.5",
      "RollingOut",
    ]);
    const wide = await kubectl(["get", "kcg", name, "-n", namespace, "-o", "wide"]);
    assert.match(wide, /PROFILE/);
    assert.match(wide, /analytics/);
    assert.match(wide, new RegExp(`${namespace}\\.${name}`));

    // Short name, category and field selectors find it too.
    assert.match(await kubectl(["get", "lagpilot", "-n", namespace]), new RegExp(name));
    const byProfile = await kubectl([
      "get",
      "kcg",
      "-n",
      namespace,
      "--field-selector",
      "spec.profile=analytics",
      "-o",
      "name",
    ]);
    assert.ok(byProfile.includes(name), byProfile);
  });

  it("scales with kubectl scale kcg/NAME --replicas=3, through the scale subresource", async () => {
    const name = uniqueName("scale");
    await kubectl(["create", "-n", namespace, "-f", "-"], JSON.stringify(validBase(name)));
    const selector = `app.kubernetes.io/instance=${name}`;
    await kubectl([
      "patch",
      "kcg",
      name,
      "-n",
      namespace,
      "--subresource=status",
      "--type=merge",
      "-p",
      JSON.stringify({ status: { replicas: 1, selector } }),
    ]);
    await kubectl(["scale", `kcg/${name}`, "-n", namespace, "--replicas=3"]);
    assert.equal(stored(await kubectl(["get", "kcg", name, "-n", namespace, "-o", "json"])).spec.replicas, 3);
    const scale = JSON.parse(
      await kubectl([
        "get",
        "--raw",
        `/apis/lagpilot.dev/v1alpha1/namespaces/${namespace}/kafkaconsumergroups/${name}/scale`,
      ]),
    ) as { spec: { replicas: number }; status: { replicas: number; selector: string } };
    assert.deepEqual([scale.spec.replicas, scale.status.replicas, scale.status.selector], [3, 1, selector]);
  });

  it("refuses kubectl scale while autoscaling is on, and scales once it is off", async () => {
    const name = uniqueName("autoscaled");
    const object = mergePatch(validBase(name), { spec: { autoscaling: { enabled: true, maxReplicas: 6 } } });
    await kubectl(["create", "-n", namespace, "-f", "-"], JSON.stringify(object));
    const message = await refusal(["scale", `kcg/${name}`, "-n", namespace, "--replicas=3"]);
    assert.match(message, /spec\.replicas/);
    assert.match(message, /cannot change while autoscaling.enabled is true/);
    assert.equal(stored(await kubectl(["get", "kcg", name, "-n", namespace, "-o", "json"])).spec.replicas, 1);

    const off = JSON.stringify({ spec: { autoscaling: { enabled: false } } });
    await kubectl(["patch", "kcg", name, "-n", namespace, "--type=merge", "-p", off]);
    await kubectl(["scale", `kcg/${name}`, "-n", namespace, "--replicas=3"]);
    assert.equal(stored(await kubectl(["get", "kcg", name, "-n", namespace, "-o", "json"])).spec.replicas, 3);
  });
});

function stored(json: string) {
  // biome-ignore lint/suspicious/noExplicitAny: reading a stored object back, checked field by field
  return JSON.parse(json) as { spec: any } & { [key: string]: Json };
}
