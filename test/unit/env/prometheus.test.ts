// The local stack's Prometheus: its configuration passes promtool and carries the chart's rules and the
// chart example's relabelling; alert readings become fire and resolve times.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import yaml from "js-yaml";
import { type ActiveAlert, type AlertSpan, alertFiring, trackAlerts } from "../../env/prometheus/alerts.ts";
import { prometheusConfig } from "../../env/prometheus/config.ts";
import { jobOf, type PodLike, podTargets, type ScrapeJob, type TargetGroup } from "../../env/prometheus/pod-targets.ts";
import { alertRulesFile } from "../../env/prometheus/start.ts";
import { runPromtool } from "../chart/paths.ts";

interface ScrapeConfig {
  job_name: string;
  honor_labels?: boolean;
  file_sd_configs?: { files: string[] }[];
}

describe("the stack's Prometheus configuration", () => {
  const dir = mkdtempSync(join(tmpdir(), "prometheus-config-"));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const text = prometheusConfig({ rulesFile: alertRulesFile, targetsDir: join(dir, "targets"), intervalSeconds: 5 });
  const config = yaml.load(text) as { rule_files: string[]; scrape_configs: ScrapeConfig[] };
  const example = yaml.load(readFileSync(join(alertRulesFile, "..", "prometheus.example.yaml"), "utf8")) as {
    scrape_configs: ScrapeConfig[];
  };

  it("passes promtool check config (Debian's Prometheus), rules included", () => {
    const file = join(dir, "prometheus.yml");
    writeFileSync(file, text);
    assert.match(runPromtool(["check", "config", file]), /SUCCESS/);
  });

  it("loads the chart's rule file", () => {
    assert.deepEqual(config.rule_files, [alertRulesFile]);
  });

  it("has the jobs of the chart's example, honouring labels where it does, each reading its target files", () => {
    assert.deepEqual(
      config.scrape_configs.map((c) => [c.job_name, c.honor_labels ?? false]),
      example.scrape_configs.map((c) => [c.job_name, c.honor_labels ?? false]),
    );
    for (const job of config.scrape_configs) {
      assert.deepEqual(job.file_sd_configs, [{ files: [`${join(dir, "targets")}/${job.job_name}-*.json`] }]);
    }
  });
});

describe("podTargets: the example's relabelling", () => {
  const operatorLabels = { "app.kubernetes.io/name": "lagpilot", "app.kubernetes.io/component": "operator" };
  const consumerLabels = {
    "app.kubernetes.io/managed-by": "lagpilot",
    "app.kubernetes.io/component": "consumer",
    "lagpilot.dev/consumer-group": "orders",
  };
  const pod = (name: string, labels: Record<string, string>, extra: Partial<PodLike> = {}): PodLike => ({
    metadata: { name, namespace: "shop", labels },
    spec: {
      containers: [
        {
          ports: [
            { name: "metrics", containerPort: 8080 },
            { name: "http", containerPort: 9000 },
          ],
        },
      ],
    },
    status: { podIP: `10.244.0.${name.length}`, phase: "Running" },
    ...extra,
  });
  interface Case {
    name: string;
    pods: PodLike[];
    job: ScrapeJob;
    expect: TargetGroup[];
  }
  const cases: Case[] = [
    {
      name: "a consumer Pod: its metrics port, namespace, pod and the group's name",
      pods: [pod("orders-1", consumerLabels), pod("op", operatorLabels)],
      job: "lagpilot-consumers",
      expect: [{ targets: ["10.244.0.8:8080"], labels: { namespace: "shop", pod: "orders-1", name: "orders" } }],
    },
    {
      name: "the operator Pod: namespace and pod only",
      pods: [pod("orders-1", consumerLabels), pod("op", operatorLabels)],
      job: "lagpilot-operator",
      expect: [{ targets: ["10.244.0.2:8080"], labels: { namespace: "shop", pod: "op" } }],
    },
    {
      name: "Pods not yet running, without an address, or being deleted are left out",
      pods: [
        pod("pending", consumerLabels, { status: { phase: "Pending" } }),
        pod("noip", consumerLabels, { status: { phase: "Running" } }),
        pod(
          "going",
          { ...consumerLabels },
          { metadata: { name: "going", labels: consumerLabels, deletionTimestamp: "x" } },
        ),
      ],
      job: "lagpilot-consumers",
      expect: [],
    },
    {
      name: "other Pods are not scraped",
      pods: [pod("web", { "app.kubernetes.io/component": "consumer" })],
      job: "lagpilot-consumers",
      expect: [],
    },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(podTargets(c.pods, c.job), c.expect));

  it("jobOf keeps what the example's keep rules keep", () => {
    assert.equal(jobOf(operatorLabels), "lagpilot-operator");
    assert.equal(jobOf(consumerLabels), "lagpilot-consumers");
    assert.equal(jobOf({ "app.kubernetes.io/name": "lagpilot", "app.kubernetes.io/component": "consumer" }), undefined);
  });
});

describe("trackAlerts", () => {
  interface Step {
    at: number;
    active: ActiveAlert[];
    changes: string[];
  }
  interface Case {
    name: string;
    steps: Step[];
    expect: AlertSpan[];
  }
  const lag = "LagpilotLagAboveTarget";
  const cases: Case[] = [
    {
      name: "fires and resolves",
      steps: [
        { at: 10, active: [], changes: [] },
        { at: 20, active: [{ alert: lag, state: "firing" }], changes: [`${lag} FIRING`] },
        { at: 25, active: [{ alert: lag, state: "firing" }], changes: [] },
        { at: 60, active: [], changes: [`${lag} resolved`] },
      ],
      expect: [{ alert: lag, firedAtSeconds: 20, resolvedAtSeconds: 60 }],
    },
    {
      name: "pending that never fires",
      steps: [
        { at: 5, active: [{ alert: lag, state: "pending" }], changes: [`${lag} pending`] },
        { at: 9, active: [], changes: [`${lag} no longer pending`] },
      ],
      expect: [{ alert: lag, pendingAtSeconds: 5, resolvedAtSeconds: 9 }],
    },
    {
      name: "fires twice: two spans",
      steps: [
        { at: 1, active: [{ alert: lag, state: "firing" }], changes: [`${lag} FIRING`] },
        { at: 2, active: [], changes: [`${lag} resolved`] },
        { at: 3, active: [{ alert: lag, state: "firing" }], changes: [`${lag} FIRING`] },
      ],
      expect: [
        { alert: lag, firedAtSeconds: 1, resolvedAtSeconds: 2 },
        { alert: lag, firedAtSeconds: 3 },
      ],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      let spans: AlertSpan[] = [];
      for (const step of c.steps) {
        const result = trackAlerts(spans, step.active, step.at);
        assert.deepEqual(result.changes, step.changes, `changes at ${step.at}s`);
        spans = result.spans;
      }
      assert.deepEqual(spans, c.expect);
    });
  }

  it("counts an alert as firing until it resolves", () => {
    assert.equal(alertFiring([{ alert: lag, firedAtSeconds: 3 }]), true);
    assert.equal(alertFiring([{ alert: lag, firedAtSeconds: 3, resolvedAtSeconds: 9 }]), false);
    assert.equal(alertFiring([{ alert: lag, pendingAtSeconds: 3 }]), false);
  });
});
