// The chart on the local stack, as users install it: `helm install` creates the operator's objects, its two
// Pods run from the operator image on the node in a namespace enforcing the restricted Pod Security
// Standard, one holds the leader Lease and reconciles a group whose consumers run as Pods from the runtime
// image; the RBAC grants what the operator needs and nothing more (checked by the authorizer, and by the
// in-cluster operator under the chart's ServiceAccount), and `helm uninstall` removes everything but the CRD.
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type * as k8s from "@kubernetes/client-node";
import { CRD_NAME } from "../../operator/src/api/group.ts";
import { OPERATOR_IMAGE, RUNTIME_IMAGE } from "../../operator/src/images.ts";
import { connectAdmin } from "../../operator/src/kafka/admin.ts";
import { repoRoot } from "../support/processes.ts";
import { eventually, runTool, stackEnv, uniqueName } from "../support/stack-env.ts";

/** The chart names the Lease after the release, so two releases never share one. */
const leaseOf = (release: string) => `${release}-leader`;

const helm = (args: string[]) => runTool("helm", args);
const kubectl = (args: string[], input?: string) => runTool("kubectl", args, input);

const chartDir = join(repoRoot, "charts", "lagpilot");
const scratch = mkdtempSync(join(tmpdir(), "lagpilot-chart-"));
after(() => rmSync(scratch, { recursive: true, force: true }));
let installable: Promise<string> | undefined;

/**
 * The chart to install. Helm checks Chart.yaml's kubeVersion against the server's gitVersion, which a
 * kube-apiserver built from Go modules without version stamping reports as v0.0.0-master. Then this checks
 * the range against the major.minor the server does report and installs a copy without the range.
 */
function chart(): Promise<string> {
  installable ??= (async () => {
    const { major, minor, gitVersion } = JSON.parse(await kubectl(["get", "--raw", "/version"])) as {
      major: string;
      minor: string;
      gitVersion: string;
    };
    if (!gitVersion.startsWith("v0.0.0")) return chartDir;
    const chartYaml = readFileSync(join(chartDir, "Chart.yaml"), "utf8");
    const range = /^kubeVersion: ">=(\d+)\.(\d+)\.\d+-0"$/m.exec(chartYaml);
    assert.ok(range, "Chart.yaml has a kubeVersion of the form >=X.Y.Z-0");
    const server = Number(major) * 1000 + Number.parseInt(minor, 10);
    assert.ok(server >= Number(range[1]) * 1000 + Number(range[2]), `server ${major}.${minor} is outside ${range[0]}`);
    const copy = join(scratch, "lagpilot");
    cpSync(chartDir, copy, { recursive: true });
    writeFileSync(join(copy, "Chart.yaml"), chartYaml.replace(range[0], ""));
    return copy;
  })();
  return installable;
}

async function createNamespace(name: string, labels: Record<string, string> = {}): Promise<void> {
  const manifest = { apiVersion: "v1", kind: "Namespace", metadata: { name, labels } };
  await kubectl(["create", "-f", "-"], JSON.stringify(manifest));
}

async function cleanUp(release: string, releaseNamespace: string, namespaces: string[]): Promise<void> {
  await helm(["uninstall", release, "-n", releaseNamespace, "--ignore-not-found"]).catch(() => {});
  // Cluster-scoped objects outlive their namespace: remove any an interrupted uninstall left behind.
  await kubectl(["delete", "clusterrole,clusterrolebinding", "-l", `app.kubernetes.io/instance=${release}`]).catch(
    () => {},
  );
  for (const namespace of namespaces) {
    await kubectl(["delete", "namespace", namespace, "--wait=false", "--ignore-not-found"]).catch(() => {});
  }
}

interface PodList {
  items: {
    metadata: { name: string };
    spec: { nodeName?: string; containers: { image: string }[] };
    status: { phase?: string; conditions?: { type: string; status: string }[] };
  }[];
}

/** Waits until the release's operator Pods all run on the node and are Ready; returns their names. */
async function operatorPodsReady(release: string, namespace: string, count: number): Promise<string[]> {
  const nodeName = stackEnv().node.name;
  return eventually(
    async () => {
      const pods = JSON.parse(
        await kubectl(["get", "pods", "-n", namespace, "-l", `app.kubernetes.io/instance=${release}`, "-o", "json"]),
      ) as PodList;
      assert.equal(pods.items.length, count);
      for (const pod of pods.items) {
        assert.equal(pod.spec.nodeName, nodeName, `${pod.metadata.name} is not on the node`);
        assert.equal(pod.status.phase, "Running", `${pod.metadata.name} is ${pod.status.phase}`);
        const ready = pod.status.conditions?.find((c) => c.type === "Ready")?.status;
        assert.equal(ready, "True", `${pod.metadata.name} is not Ready`);
      }
      return pods.items.map((pod) => pod.metadata.name);
    },
    120_000,
    1000,
  );
}

/** The Pod that holds the release's Lease, once one of `pods` does. */
async function leaderOf(release: string, namespace: string, pods: string[]): Promise<string> {
  return eventually(async () => {
    const lease = JSON.parse(
      await kubectl(["get", `lease/${leaseOf(release)}`, "-n", namespace, "-o", "json"]),
    ) as k8s.V1Lease;
    const holder = lease.spec?.holderIdentity ?? "";
    assert.ok(pods.includes(holder), `Lease held by "${holder}", not one of ${pods.join(", ")}`);
    return holder;
  }, 60_000);
}

/**
 * Applies a group with a noop handler and two replicas to `namespace`, then waits until the operator found
 * Kafka and both consumer Pods, from the runtime image, are Ready on the node.
 */
async function groupReconciled(namespace: string, topic: string): Promise<void> {
  const env = stackEnv();
  const admin = await connectAdmin({ bootstrapServers: [env.kafka.bootstrap] });
  await admin.createTopic(topic, 2);
  await admin.close();
  const group = {
    apiVersion: "lagpilot.dev/v1alpha1",
    kind: "KafkaConsumerGroup",
    metadata: { name: "orders", namespace },
    spec: {
      kafka: { bootstrapServers: [env.kafka.podBootstrap] },
      topics: [topic],
      processing: { handler: { builtin: { name: "noop" } } },
      replicas: 2,
    },
  };
  await kubectl(["apply", "-f", "-"], JSON.stringify(group));
  await eventually(
    async () => {
      assert.ok(await exists("configmap/orders-consumer-config", namespace));
      assert.ok(await exists("service/orders-consumer-metrics", namespace));
      const status = JSON.parse(
        await kubectl(["get", "kafkaconsumergroups.lagpilot.dev/orders", "-n", namespace, "-o", "json"]),
      ) as { status?: { conditions?: { type: string; status: string }[] } };
      assert.equal(status.status?.conditions?.find((c) => c.type === "KafkaReachable")?.status, "True");
      const deployment = JSON.parse(
        await kubectl(["get", "deployment/orders-consumer", "-n", namespace, "-o", "json"]),
      ) as k8s.V1Deployment;
      assert.equal(deployment.spec?.template.spec?.containers[0]?.image, RUNTIME_IMAGE);
      assert.equal(deployment.status?.readyReplicas, 2, "both consumer Pods Ready");
    },
    120_000,
    1000,
  );
}

/** Log lines of the release's operator Pods where the apiserver refused a request. */
async function refusedRequests(release: string, namespace: string): Promise<string[]> {
  const logs = await kubectl([
    "logs",
    "-n",
    namespace,
    "-l",
    `app.kubernetes.io/instance=${release}`,
    "--prefix",
    "--tail=-1",
  ]);
  return logs.split("\n").filter((line) => /forbidden|\b403\b/i.test(line));
}

/** "kind/name" (namespaced when `namespace` is set) exists on the apiserver. */
async function exists(object: string, namespace?: string): Promise<boolean> {
  const scope = namespace ? ["-n", namespace] : [];
  return (await kubectl(["get", object, ...scope, "--ignore-not-found", "-o", "name"])).trim() !== "";
}

/** What the apiserver's RBAC authorizer answers for the user. */
async function canI(user: string, check: RbacCheck): Promise<boolean> {
  const args = ["auth", "can-i", check.verb, check.resource, `--as=${user}`];
  if (check.subresource) args.push(`--subresource=${check.subresource}`);
  args.push(...(check.namespace ? ["-n", check.namespace] : ["--all-namespaces"]));
  try {
    return (await kubectl(args)).trim() === "yes";
  } catch (error) {
    // can-i exits 1 for "no".
    if ((error as { stdout?: string }).stdout?.trim() === "no") return false;
    throw error;
  }
}

interface RbacCheck {
  name: string;
  verb: string;
  resource: string;
  subresource?: string;
  /** Unset: across all namespaces. */
  namespace?: string;
  allowed: boolean;
}

async function assertRbac(user: string, checks: RbacCheck[]): Promise<void> {
  const wrong: string[] = [];
  for (const check of checks) {
    const allowed = await canI(user, check);
    if (allowed !== check.allowed) wrong.push(`${check.name}: expected ${check.allowed}, got ${allowed}`);
  }
  assert.deepEqual(wrong, []);
}

describe("chart: helm install and uninstall, cluster-wide (default values)", { concurrency: false }, () => {
  const release = uniqueName("lp");
  const namespace = uniqueName("lp-sys");
  const team = uniqueName("lp-team");
  const topic = uniqueName("chart-cluster");
  const fullname = `${release}-lagpilot`;
  const serviceAccount = `system:serviceaccount:${namespace}:${fullname}`;
  let installOutput = "";

  const namespaced = [
    `deployment/${fullname}`,
    `serviceaccount/${fullname}`,
    `service/${fullname}-metrics`,
    `configmap/${fullname}-dashboard`,
    `poddisruptionbudget/${fullname}`,
    `role/${fullname}-leader-election`,
    `rolebinding/${fullname}-leader-election`,
  ];
  const clusterScoped = [
    `clusterrole/${fullname}`,
    `clusterrolebinding/${fullname}`,
    `clusterrole/${fullname}-edit`,
    `clusterrole/${fullname}-view`,
  ];

  before(async () => {
    // Enforcing the restricted Pod Security Standard: Pods that break it are refused at creation.
    await createNamespace(namespace, { "pod-security.kubernetes.io/enforce": "restricted" });
    await createNamespace(team, { "pod-security.kubernetes.io/enforce": "restricted" });
    installOutput = await helm(["install", release, await chart(), "-n", namespace]);
  });
  after(() => cleanUp(release, namespace, [namespace, team]));

  it("creates the operator's objects and the CRD", async () => {
    for (const object of namespaced) assert.ok(await exists(object, namespace), `${object} missing`);
    for (const object of clusterScoped) assert.ok(await exists(object), `${object} missing`);
    assert.ok(await exists(`customresourcedefinition/${CRD_NAME}`));

    const deployment = JSON.parse(
      await kubectl(["get", `deployment/${fullname}`, "-n", namespace, "-o", "json"]),
    ) as k8s.V1Deployment;
    assert.equal(deployment.spec?.replicas, 2);
    const pod = deployment.spec?.template.spec;
    assert.equal(pod?.containers[0]?.image, OPERATOR_IMAGE);
    assert.equal(pod?.serviceAccountName, fullname);
    const env = Object.fromEntries((pod?.containers[0]?.env ?? []).map((e) => [e.name, e.value]));
    assert.equal(env.LEADER_ELECTION, "true");
    assert.equal(env.LEADER_ELECTION_NAMESPACE, namespace);
    assert.equal(env.WATCH_NAMESPACES ?? "", "", "empty: every namespace");
  });

  it("tells the user what to do next", () => {
    assert.match(installOutput, new RegExp(`kubectl -n ${namespace} rollout status deployment/${fullname}`));
    assert.match(installOutput, new RegExp(`kubectl -n ${namespace} get lease ${leaseOf(release)}`));
    assert.match(installOutput, /It manages KafkaConsumerGroups in every namespace/);
    assert.match(installOutput, /prometheusRule\.enabled=true/);
  });

  it("runs both operator Pods on the node under the restricted Pod Security Standard; one leads", async () => {
    const pods = await operatorPodsReady(release, namespace, 2);
    await leaderOf(release, namespace, pods);
  });

  it("reconciles a group from inside the cluster: its consumers run as Pods from the runtime image", async () => {
    // The team's namespace enforces the restricted standard too: the consumer Pods the operator renders pass.
    await groupReconciled(team, topic);
    assert.deepEqual(await refusedRequests(release, namespace), []);
  });

  it("grants the operator what it needs, everywhere, and nothing more", async () => {
    const team = "any-team";
    await assertRbac(serviceAccount, [
      {
        name: "list groups in all namespaces",
        verb: "list",
        resource: "kafkaconsumergroups.lagpilot.dev",
        allowed: true,
      },
      { name: "watch groups", verb: "watch", resource: "kafkaconsumergroups.lagpilot.dev", allowed: true },
      {
        name: "patch group status",
        verb: "patch",
        resource: "kafkaconsumergroups.lagpilot.dev",
        subresource: "status",
        namespace: team,
        allowed: true,
      },
      {
        name: "update group scale",
        verb: "update",
        resource: "kafkaconsumergroups.lagpilot.dev",
        subresource: "scale",
        namespace: team,
        allowed: true,
      },
      {
        name: "create groups",
        verb: "create",
        resource: "kafkaconsumergroups.lagpilot.dev",
        namespace: team,
        allowed: false,
      },
      {
        name: "delete groups",
        verb: "delete",
        resource: "kafkaconsumergroups.lagpilot.dev",
        namespace: team,
        allowed: false,
      },
      { name: "create Deployments", verb: "create", resource: "deployments.apps", namespace: team, allowed: true },
      { name: "delete ConfigMaps", verb: "delete", resource: "configmaps", namespace: team, allowed: true },
      { name: "patch Services", verb: "patch", resource: "services", namespace: team, allowed: true },
      { name: "delete PDBs", verb: "delete", resource: "poddisruptionbudgets.policy", namespace: team, allowed: true },
      { name: "get a Secret", verb: "get", resource: "secrets", namespace: team, allowed: true },
      { name: "list Secrets", verb: "list", resource: "secrets", namespace: team, allowed: false },
      { name: "watch Secrets", verb: "watch", resource: "secrets", namespace: team, allowed: false },
      { name: "create Secrets", verb: "create", resource: "secrets", namespace: team, allowed: false },
      { name: "create Events", verb: "create", resource: "events", namespace: team, allowed: true },
      {
        name: "create events.k8s.io Events",
        verb: "create",
        resource: "events.events.k8s.io",
        namespace: team,
        allowed: true,
      },
      { name: "create Pods", verb: "create", resource: "pods", namespace: team, allowed: false },
      { name: "create Leases", verb: "create", resource: "leases.coordination.k8s.io", namespace, allowed: true },
      {
        name: "renew its Lease",
        verb: "update",
        resource: `leases.coordination.k8s.io/${leaseOf(release)}`,
        namespace,
        allowed: true,
      },
      {
        name: "update another Lease",
        verb: "update",
        resource: "leases.coordination.k8s.io/kube-scheduler",
        namespace,
        allowed: false,
      },
      {
        name: "create Leases elsewhere",
        verb: "create",
        resource: "leases.coordination.k8s.io",
        namespace: team,
        allowed: false,
      },
      {
        name: "create CRDs",
        verb: "create",
        resource: "customresourcedefinitions.apiextensions.k8s.io",
        allowed: false,
      },
      {
        name: "create ClusterRoles",
        verb: "create",
        resource: "clusterroles.rbac.authorization.k8s.io",
        allowed: false,
      },
    ]);
  });

  it("helm uninstall removes every object but keeps the CRD", async () => {
    await helm(["uninstall", release, "-n", namespace]);
    await eventually(async () => {
      for (const object of namespaced) assert.equal(await exists(object, namespace), false, `${object} remains`);
      for (const object of clusterScoped) assert.equal(await exists(object), false, `${object} remains`);
    });
    assert.ok(await exists(`customresourcedefinition/${CRD_NAME}`), "the CRD must outlive the release");
  });
});

describe("chart: namespaced mode, with the operator running under the chart's ServiceAccount", {
  concurrency: false,
}, () => {
  const release = uniqueName("lpn");
  const namespace = uniqueName("lpn-sys");
  const watched = uniqueName("lpn-team");
  const other = uniqueName("lpn-other");
  const fullname = `${release}-lagpilot`;
  const serviceAccount = `system:serviceaccount:${namespace}:${fullname}`;
  const topic = uniqueName("chart-orders");

  before(async () => {
    for (const name of [namespace, watched, other]) await createNamespace(name);
    await helm(["install", release, await chart(), "-n", namespace, "--set", `watchNamespaces={${watched}}`]);
    // A CRD created a moment ago has no conditions yet, and kubectl wait fails on that instead of waiting.
    await eventually(() => kubectl(["wait", "--for=condition=Established", `crd/${CRD_NAME}`, "--timeout=60s"]));
  });
  after(() => cleanUp(release, namespace, [namespace, watched, other]));

  it("creates a Role and RoleBinding in each watched namespace and no cluster-wide binding", async () => {
    assert.ok(await exists(`role/${fullname}`, watched));
    assert.ok(await exists(`rolebinding/${fullname}`, watched));
    assert.equal(await exists(`role/${fullname}`, other), false);
    assert.equal(await exists(`clusterrolebinding/${fullname}`), false);
    assert.equal(await exists(`clusterrole/${fullname}`), false);
  });

  it("grants the operator its rules in the watched namespaces only", async () => {
    await assertRbac(serviceAccount, [
      {
        name: "list groups, watched",
        verb: "list",
        resource: "kafkaconsumergroups.lagpilot.dev",
        namespace: watched,
        allowed: true,
      },
      {
        name: "list groups, other",
        verb: "list",
        resource: "kafkaconsumergroups.lagpilot.dev",
        namespace: other,
        allowed: false,
      },
      {
        name: "list groups, all namespaces",
        verb: "list",
        resource: "kafkaconsumergroups.lagpilot.dev",
        allowed: false,
      },
      {
        name: "create Deployments, watched",
        verb: "create",
        resource: "deployments.apps",
        namespace: watched,
        allowed: true,
      },
      {
        name: "create Deployments, other",
        verb: "create",
        resource: "deployments.apps",
        namespace: other,
        allowed: false,
      },
      { name: "get a Secret, other", verb: "get", resource: "secrets", namespace: other, allowed: false },
      {
        name: "renew its Lease",
        verb: "update",
        resource: `leases.coordination.k8s.io/${leaseOf(release)}`,
        namespace,
        allowed: true,
      },
    ]);
  });

  it("is enough for the in-cluster operator to elect a leader and reconcile a group, with no request refused", async () => {
    const pods = await operatorPodsReady(release, namespace, 2);
    await leaderOf(release, namespace, pods);
    await groupReconciled(watched, topic);
    assert.deepEqual(await refusedRequests(release, namespace), [], "the operator hit a request its RBAC refuses");
  });

  it("helm uninstall removes the Roles from the watched namespaces", async () => {
    await helm(["uninstall", release, "-n", namespace]);
    await eventually(async () => {
      assert.equal(await exists(`role/${fullname}`, watched), false);
      assert.equal(await exists(`rolebinding/${fullname}`, watched), false);
      assert.equal(await exists(`deployment/${fullname}`, namespace), false);
    });
  });
});
