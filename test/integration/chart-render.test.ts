// The chart rendered by the real helm and judged by the local stack's real apiserver: lint, default and
// namespaced modes, the optional monitoring objects (whose kinds this apiserver does not serve, so they are
// checked as rendered), values the schema or the templates refuse, and a server-side dry run of what renders.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import yaml from "js-yaml";
import { HELM } from "../env/layout.ts";
import { repoRoot } from "../support/processes.ts";
import { runTool, uniqueName } from "../support/stack-env.ts";

const chart = join(repoRoot, "charts", "lagpilot");
const rulesFile = join(chart, "files", "alerts.rules.yaml");

interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [key: string]: unknown;
}

const helm = (args: string[]) => runTool("helm", args);
const kubectl = (args: string[], input?: string) => runTool("kubectl", args, input);

function setArgs(values: Record<string, string>): string[] {
  return Object.entries(values).flatMap(([key, value]) => ["--set", `${key}=${value}`]);
}

async function render(
  release: string,
  namespace: string,
  values: Record<string, string> = {},
  extra: string[] = [],
): Promise<string> {
  return helm(["template", release, chart, "-n", namespace, ...setArgs(values), ...extra]);
}

function objects(manifest: string): K8sObject[] {
  return (yaml.loadAll(manifest) as (K8sObject | null)[]).filter((o): o is K8sObject => o !== null);
}

function find(list: K8sObject[], kind: string, name: string, namespace?: string): K8sObject {
  const found = list.find(
    (o) =>
      o.kind === kind && o.metadata.name === name && (namespace === undefined || o.metadata.namespace === namespace),
  );
  assert.ok(found, `${kind} ${namespace ? `${namespace}/` : ""}${name} not rendered`);
  return found;
}

const release = "rel";
const fullname = "rel-lagpilot";
const namespace = "lagpilot-system";

interface ValuesCase {
  name: string;
  values: Record<string, string>;
}

// Without a cluster helm assumes the Kubernetes version its release build was linked with; a helm built
// without release flags assumes v1.20 and refuses the chart's kubeVersion. So no --kube-version here.
describe("chart: the helm the stack provides", () => {
  it("reports its release version, as release helm does", async () => {
    assert.equal((await helm(["version", "--template", "{{.Version}}"])).trim(), HELM.version);
  });

  it("assumes a Kubernetes the chart's kubeVersion accepts when no cluster is asked", async () => {
    const probe = mkdtempSync(join(tmpdir(), "helm-capabilities-"));
    try {
      mkdirSync(join(probe, "templates"));
      writeFileSync(join(probe, "Chart.yaml"), "apiVersion: v2\nname: probe\nversion: 0.1.0\n");
      writeFileSync(join(probe, "templates", "kube.yaml"), "kube: {{ .Capabilities.KubeVersion.Version }}\n");
      const assumed = /kube: v(\d+)\.(\d+)\./.exec(await helm(["template", probe]));
      assert.ok(assumed, "helm printed the Kubernetes version it assumes");
      const floor = /^kubeVersion: ">=(\d+)\.(\d+)\./m.exec(readFileSync(join(chart, "Chart.yaml"), "utf8"));
      assert.ok(floor, "Chart.yaml has a kubeVersion floor");
      const [major, minor] = [Number(assumed[1]), Number(assumed[2])];
      assert.ok(
        major > Number(floor[1]) || (major === Number(floor[1]) && minor >= Number(floor[2])),
        `helm assumes Kubernetes v${major}.${minor}, below the chart's floor ${floor[1]}.${floor[2]}`,
      );
    } finally {
      rmSync(probe, { recursive: true, force: true });
    }
  });
});

describe("chart: helm lint", () => {
  const cases: ValuesCase[] = [
    { name: "default values", values: {} },
    { name: "namespaced mode", values: { watchNamespaces: "{team-a,team-b}" } },
    {
      name: "every optional object on",
      values: {
        "metrics.serviceMonitor.enabled": "true",
        "metrics.consumerPodMonitor.enabled": "true",
        "prometheusRule.enabled": "true",
      },
    },
  ];
  for (const c of cases) {
    it(`passes with ${c.name}`, async () => {
      const out = await helm(["lint", "--strict", chart, ...setArgs(c.values)]);
      assert.match(out, /1 chart\(s\) linted, 0 chart\(s\) failed/);
    });
  }
});

describe("chart: rendering", () => {
  it("renders the operator's objects with default values, and no monitoring kinds", async () => {
    const list = objects(await render(release, namespace));
    assert.deepEqual(list.map((o) => `${o.kind}/${o.metadata.name}`).sort(), [
      `ClusterRole/${fullname}`,
      `ClusterRole/${fullname}-edit`,
      `ClusterRole/${fullname}-view`,
      `ClusterRoleBinding/${fullname}`,
      `ConfigMap/${fullname}-dashboard`,
      `Deployment/${fullname}`,
      `PodDisruptionBudget/${fullname}`,
      `Role/${fullname}-leader-election`,
      `RoleBinding/${fullname}-leader-election`,
      `Service/${fullname}-metrics`,
      `ServiceAccount/${fullname}`,
    ]);
    const dashboard = find(list, "ConfigMap", `${fullname}-dashboard`) as K8sObject & { data: Record<string, string> };
    assert.equal(dashboard.metadata.labels?.grafana_dashboard, "1");
    assert.equal(dashboard.data["lagpilot.json"], readFileSync(join(chart, "files", "dashboard.json"), "utf8").trim());
  });

  it("in namespaced mode, grants the cluster-wide rules as a Role in each watched namespace", async () => {
    const clusterWide = objects(await render(release, namespace));
    const clusterRules = (find(clusterWide, "ClusterRole", fullname) as K8sObject & { rules: unknown[] }).rules;
    const list = objects(await render(release, namespace, { watchNamespaces: "{team-a,team-b}" }));
    for (const watched of ["team-a", "team-b"]) {
      const role = find(list, "Role", fullname, watched) as K8sObject & { rules: unknown[] };
      assert.deepEqual(role.rules, clusterRules);
      const binding = find(list, "RoleBinding", fullname, watched) as K8sObject & {
        subjects: { name: string; namespace: string }[];
      };
      assert.deepEqual(
        binding.subjects.map((s) => `${s.namespace}/${s.name}`),
        [`${namespace}/${fullname}`],
      );
    }
    assert.ok(!list.some((o) => o.kind === "ClusterRoleBinding"), "no cluster-wide binding in namespaced mode");
    assert.ok(!list.some((o) => o.kind === "ClusterRole" && o.metadata.name === fullname));
    const deployment = find(list, "Deployment", fullname) as K8sObject & {
      spec: { template: { spec: { containers: { env: { name: string; value?: string }[] }[] } } };
    };
    const env = deployment.spec.template.spec.containers[0]?.env ?? [];
    assert.equal(env.find((e) => e.name === "WATCH_NAMESPACES")?.value, "team-a,team-b");
  });

  it("renders the ServiceMonitor, consumer PodMonitor and PrometheusRule when switched on", async () => {
    const list = objects(
      await render(release, namespace, {
        "metrics.serviceMonitor.enabled": "true",
        "metrics.consumerPodMonitor.enabled": "true",
        "prometheusRule.enabled": "true",
        "prometheusRule.labels.release": "prometheus",
      }),
    );
    const serviceMonitor = find(list, "ServiceMonitor", fullname) as K8sObject & {
      spec: { endpoints: { port: string; honorLabels: boolean }[] };
    };
    assert.deepEqual(
      serviceMonitor.spec.endpoints.map((e) => [e.port, e.honorLabels]),
      [["metrics", true]],
    );

    const podMonitor = find(list, "PodMonitor", `${fullname}-consumers`) as K8sObject & {
      spec: {
        selector: { matchLabels: Record<string, string> };
        podMetricsEndpoints: { relabelings: { sourceLabels: string[]; targetLabel: string }[] }[];
      };
    };
    assert.deepEqual(podMonitor.spec.selector.matchLabels, {
      "app.kubernetes.io/managed-by": "lagpilot",
      "app.kubernetes.io/component": "consumer",
    });
    assert.deepEqual(podMonitor.spec.podMetricsEndpoints[0]?.relabelings, [
      { sourceLabels: ["__meta_kubernetes_pod_label_lagpilot_dev_consumer_group"], targetLabel: "name" },
    ]);

    const rule = find(list, "PrometheusRule", fullname) as K8sObject & { spec: unknown };
    assert.equal(rule.metadata.labels?.release, "prometheus");
    assert.deepEqual(rule.spec, yaml.load(readFileSync(rulesFile, "utf8")), "the same groups as the plain rules file");
  });

  it("prefixes the rules' runbook links with prometheusRule.runbookBaseUrl", async () => {
    const list = objects(
      await render(release, namespace, {
        "prometheusRule.enabled": "true",
        "prometheusRule.runbookBaseUrl": "https://docs.example.org/lagpilot/v0.1.0/",
      }),
    );
    const rule = find(list, "PrometheusRule", fullname) as K8sObject & {
      spec: { groups: { rules: { alert?: string; annotations?: { runbook_url: string } }[] }[] };
    };
    // Recording rules (lagpilot:*) have no annotations; every alert has a runbook link.
    const alerts = rule.spec.groups.flatMap((g) => g.rules.filter((r) => r.alert !== undefined));
    const urls = alerts.map((r) => r.annotations?.runbook_url ?? `${r.alert}: no runbook_url`);
    assert.ok(urls.length > 0);
    for (const url of urls)
      assert.match(url, /^https:\/\/docs\.example\.org\/lagpilot\/v0\.1\.0\/docs\/runbooks\/alerts\.md#lagpilot\w+$/);
  });

  describe("refuses values that cannot work, saying which", () => {
    const cases: (ValuesCase & { error: RegExp })[] = [
      { name: "an unknown key", values: { replicas: "3" }, error: /replicas/ },
      { name: "a misspelt nested key", values: { "image.tga": "1.0" }, error: /tga/ },
      { name: "an unknown log level", values: { logLevel: "verbose" }, error: /logLevel/ },
      {
        name: "a namespace name Kubernetes refuses",
        values: { watchNamespaces: "{Team_A}" },
        error: /watchNamespaces/,
      },
      {
        name: "several replicas without leader election",
        values: { "leaderElection.enabled": "false" },
        error: /replicaCount > 1 needs leaderElection\.enabled=true/,
      },
      {
        name: "no ServiceAccount to run as",
        values: { "serviceAccount.create": "false" },
        error: /serviceAccount\.name is required when serviceAccount\.create is false/,
      },
    ];
    for (const c of cases) {
      it(`refuses ${c.name}`, async () => {
        await assert.rejects(render(release, namespace, c.values), (error: Error & { stderr?: string }) => {
          assert.match(error.stderr ?? error.message, c.error);
          return true;
        });
      });
    }
  });
});

describe("chart: the apiserver accepts what renders (server-side dry run)", () => {
  const releaseNamespace = uniqueName("lpr-sys");
  const watched = [uniqueName("lpr-a"), uniqueName("lpr-b")];
  const dryRun = (manifest: string) =>
    kubectl(
      [
        "apply",
        "--dry-run=server",
        "--server-side",
        "--force-conflicts",
        "--field-manager=lagpilot-chart-test",
        "-f",
        "-",
      ],
      manifest,
    );

  before(async () => {
    for (const name of [releaseNamespace, ...watched]) await kubectl(["create", "namespace", name]);
  });
  after(async () => {
    for (const name of [releaseNamespace, ...watched]) {
      await kubectl(["delete", "namespace", name, "--wait=false", "--ignore-not-found"]).catch(() => {});
    }
  });

  it("default values, CRD included", async () => {
    const manifest = await render(uniqueName("lpr"), releaseNamespace, {}, ["--include-crds"]);
    const out = await dryRun(manifest);
    assert.match(
      out,
      /customresourcedefinition\.apiextensions\.k8s\.io\/kafkaconsumergroups\.lagpilot\.dev serverside-applied/,
    );
    assert.match(out, /deployment\.apps\/\S+ serverside-applied \(server dry run\)/);
  });

  it("namespaced mode", async () => {
    const manifest = await render(uniqueName("lpr"), releaseNamespace, { watchNamespaces: `{${watched.join(",")}}` });
    const out = await dryRun(manifest);
    assert.equal((out.match(/serverside-applied \(server dry run\)/g) ?? []).length, objects(manifest).length);
  });
});
