// The chart on the local stack's real apiserver: `helm install` creates the operator's objects, its Pods pass
// the restricted Pod Security Standard, the RBAC grants what the operator needs and nothing more (checked by
// the authorizer, and by running the operator under the chart's ServiceAccount), and `helm uninstall`
// removes everything but the CRD.
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type * as k8s from "@kubernetes/client-node";
import yaml from "js-yaml";
import { CRD_NAME } from "../../operator/src/api/group.ts";
import { connectAdmin } from "../../operator/src/kafka/admin.ts";
import { killAllStarted, repoRoot, startNodeProcess } from "../support/processes.ts";
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
    installOutput = await helm(["install", release, await chart(), "-n", namespace]);
  });
  after(() => cleanUp(release, namespace, [namespace]));

  it("creates the operator's objects and the CRD", async () => {
    for (const object of namespaced) assert.ok(await exists(object, namespace), `${object} missing`);
    for (const object of clusterScoped) assert.ok(await exists(object), `${object} missing`);
    assert.ok(await exists(`customresourcedefinition/${CRD_NAME}`));

    const deployment = JSON.parse(
      await kubectl(["get", `deployment/${fullname}`, "-n", namespace, "-o", "json"]),
    ) as k8s.V1Deployment;
    assert.equal(deployment.spec?.replicas, 2);
    const pod = deployment.spec?.template.spec;
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

  it("gets its Pods created in a namespace that enforces the restricted Pod Security Standard", async () => {
    // No kubelet runs here, so the Pods stay Pending; that they exist means admission accepted them.
    await eventually(async () => {
      const pods = JSON.parse(
        await kubectl(["get", "pods", "-n", namespace, "-l", `app.kubernetes.io/instance=${release}`, "-o", "json"]),
      ) as { items: unknown[] };
      assert.equal(pods.items.length, 2);
    }, 60_000);
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
  const env = stackEnv();
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
    await kubectl(["wait", "--for=condition=Established", `crd/${CRD_NAME}`, "--timeout=60s"]);
  });
  after(async () => {
    await killAllStarted();
    await cleanUp(release, namespace, [namespace, watched, other]);
  });

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

  it("is enough for the operator to elect a leader and reconcile a group, with no request refused", async () => {
    const admin = await connectAdmin({ bootstrapServers: [env.kafka.bootstrap] });
    await admin.createTopic(topic, 3);
    await admin.close();

    // A kubeconfig that authenticates as the chart's ServiceAccount (TokenRequest, as a kubelet would).
    const token = (await kubectl(["create", "token", fullname, "-n", namespace, "--duration=10m"])).trim();
    const kubeconfigFile = join(scratch, "kubeconfig");
    writeFileSync(kubeconfigFile, asUser(readFileSync(env.kubeconfig, "utf8"), token));

    // The environment the chart gives the operator container, with the Downward API values filled in.
    const deployment = JSON.parse(
      await kubectl(["get", `deployment/${fullname}`, "-n", namespace, "-o", "json"]),
    ) as k8s.V1Deployment;
    const podName = `${fullname}-test`;
    const containerEnv: NodeJS.ProcessEnv = {};
    for (const variable of deployment.spec?.template.spec?.containers[0]?.env ?? []) {
      const field = variable.valueFrom?.fieldRef?.fieldPath;
      containerEnv[variable.name] =
        field === "metadata.namespace" ? namespace : field === "metadata.name" ? podName : variable.value;
    }
    assert.equal(containerEnv.WATCH_NAMESPACES, watched);
    const operator = startNodeProcess("operator/src/main.ts", {
      ...containerEnv,
      KUBECONFIG: kubeconfigFile,
      METRICS_PORT: "0", // many tests share this machine; the chart's port may be taken
    });
    await operator.waitForLine(/"watches synced"/);

    await eventually(async () => {
      const lease = JSON.parse(
        await kubectl(["get", `lease/${leaseOf(release)}`, "-n", namespace, "-o", "json"]),
      ) as k8s.V1Lease;
      assert.equal(lease.spec?.holderIdentity, podName);
    });

    const group = {
      apiVersion: "lagpilot.dev/v1alpha1",
      kind: "KafkaConsumerGroup",
      metadata: { name: "orders", namespace: watched },
      spec: {
        kafka: { bootstrapServers: [env.kafka.bootstrap] },
        topics: [topic],
        processing: { handler: { builtin: { name: "noop" } } },
        replicas: 2,
      },
    };
    await kubectl(["apply", "-f", "-"], JSON.stringify(group));
    await eventually(async () => {
      assert.ok(await exists("deployment/orders-consumer", watched));
      assert.ok(await exists("configmap/orders-consumer-config", watched));
      assert.ok(await exists("service/orders-consumer-metrics", watched));
      const status = JSON.parse(
        await kubectl(["get", "kafkaconsumergroups.lagpilot.dev/orders", "-n", watched, "-o", "json"]),
      ) as { status?: { conditions?: { type: string; status: string }[] } };
      assert.equal(status.status?.conditions?.find((c) => c.type === "KafkaReachable")?.status, "True");
    }, 60_000);

    const refused = operator.lines.filter((line) => /forbidden|\b403\b/i.test(line));
    assert.deepEqual(refused, [], "the operator hit a request its RBAC refuses");
    await operator.stop();
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

/** The stack's kubeconfig with its user replaced by a bearer token: same cluster, other identity. */
function asUser(kubeconfig: string, token: string): string {
  const config = yaml.load(kubeconfig) as {
    users: { name: string; user: Record<string, unknown> }[];
    contexts: { name: string; context: { user: string; namespace?: string } }[];
  };
  config.users = [{ name: "operator", user: { token } }];
  for (const context of config.contexts) {
    context.context.user = "operator";
    delete context.context.namespace;
  }
  return yaml.dump(config);
}
