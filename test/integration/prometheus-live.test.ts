// The chart's dashboard and alert rules against what the product really exports: the real operator and a group
// of real consumer-runtime processes (the pod runner stands in for the kubelet), scraped by the local stack's
// Prometheus, which has the chart's rules loaded. Every query of every dashboard panel, as Grafana would send it
// for this group, must return data; and LagpilotLagAboveTarget must fire while a partition is stuck and resolve
// once the group has caught up. The group's own spec.alerts (lagSeconds, forSeconds) makes that quick; the
// rules are the chart's file as it ships.
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import type { Producer } from "kafkajs";
import { connectAdmin, type KafkaAdmin } from "../../operator/src/kafka/admin.ts";
import { kafkaClient } from "../../operator/src/kafka/connection.ts";
import { stateDir } from "../env/layout.ts";
import { PodRunner } from "../env/pod-runner.ts";
import { activeAlerts } from "../env/prometheus/alerts.ts";
import { registerScrapeTarget } from "../env/prometheus/targets.ts";
import {
  applyYaml,
  condition,
  createNamespace,
  deleteNamespace,
  groupClient,
  groupManifest,
  installCrd,
  kubeConfig,
} from "../support/cluster.ts";
import { killAllStarted, type ManagedProcess, startNodeProcess } from "../support/processes.ts";
import { eventually, stackEnv, uniqueName, withTimeout } from "../support/stack-env.ts";
import { dashboardFile } from "../unit/chart/paths.ts";
import { metricNames, queryForGroup } from "../unit/chart/promql.ts";

interface Panel {
  type: string;
  title: string;
  targets?: { expr: string; refId: string }[];
  panels?: Panel[];
}

interface QueryResult {
  metric: Record<string, string>;
  value: [number, string];
}

const namespace = uniqueName("prom-live");
const name = "orders";
const topic = `${namespace}-orders`;
const alert = "LagpilotLagAboveTarget";
/** What Grafana's $__rate_interval comes to at the stack's 5 s scrape interval, with room for a late scrape. */
const rateInterval = "1m";
const handlerPath = fileURLToPath(new URL("../env/demo/recording-handler.ts", import.meta.url));
const recordDir = join(stateDir, "prometheus-live", namespace);
const stuckFile = join(recordDir, "partition-0-stuck");

async function query(promql: string): Promise<QueryResult[]> {
  const url = `${stackEnv().prometheusUrl}/api/v1/query?${new URLSearchParams({ query: promql })}`;
  const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  const body = (await response.json()) as { status: string; error?: string; data?: { result: QueryResult[] } };
  assert.equal(body.status, "success", `${promql}: ${body.error}`);
  return body.data?.result ?? [];
}

/** Every query of every panel, with its panel's title. */
function panelQueries(): { panel: string; refId: string; expr: string }[] {
  const dashboard = JSON.parse(readFileSync(dashboardFile, "utf8")) as { panels: Panel[] };
  return dashboard.panels
    .flatMap((panel) => [panel, ...(panel.panels ?? [])])
    .filter((panel) => panel.type !== "row")
    .flatMap((panel) => (panel.targets ?? []).map((t) => ({ panel: panel.title, refId: t.refId, expr: t.expr })));
}

/**
 * Why a panel's query shows nothing for the group, or undefined when it shows data: its query returns no series,
 * or one of the metrics it names has none in the group's namespace (`or vector(0)` would hide that).
 */
async function emptiness(expr: string): Promise<string | undefined> {
  const promql = queryForGroup(expr, { namespace, name }, rateInterval);
  if ((await query(promql)).length === 0) return "no series";
  for (const metric of metricNames(expr)) {
    if ((await query(`count(${metric}{namespace="${namespace}"})`)).length === 0) return `no ${metric} series`;
  }
  return undefined;
}

describe("the chart's dashboard and alerts on a live group, through Prometheus", () => {
  let operator: ManagedProcess | undefined;
  let runner: PodRunner | undefined;
  let admin: KafkaAdmin | undefined;
  let producer: Producer | undefined;
  let producing: Promise<void> | undefined;
  let stopProducing = false;
  let unregisterOperator = () => {};

  before(
    async () => {
      const env = stackEnv();
      mkdirSync(recordDir, { recursive: true });
      await installCrd();
      await createNamespace(namespace);
      admin = await connectAdmin({ bootstrapServers: [env.kafka.bootstrap] });
      // A broker that just started may not host a new topic's partitions yet: creating it again is safe.
      await eventually(() => (admin as KafkaAdmin).createTopic(topic, 2), 30_000, 500);

      operator = startNodeProcess("operator/src/main.ts", {
        KUBECONFIG: env.kubeconfig,
        WATCH_NAMESPACES: namespace,
        METRICS_PORT: "0",
        LEADER_ELECTION: "false",
      });
      const started = await operator.waitForLine(/"operator starting"/, 120_000);
      const { metricsPort } = JSON.parse(started) as { metricsPort: number };
      // Scraped as the chart's operator Pod would be: operator-wide series get the namespace it runs in.
      unregisterOperator = registerScrapeTarget({
        id: `operator-${namespace}`,
        address: `127.0.0.1:${metricsPort}`,
        job: "lagpilot-operator",
        labels: { namespace, pod: `lagpilot-operator-${namespace}` },
      });
      await operator.waitForLine(/"watches synced"/, 120_000);

      runner = new PodRunner({
        kubeConfig: kubeConfig(),
        namespaces: [namespace],
        mode: "process",
        env: { DEMO_WORK_MS: "1", DEMO_RECORD_DIR: recordDir, DEMO_STUCK_FILE: stuckFile },
      });
      await runner.start();
      await applyYaml(
        groupManifest(namespace, name, {
          kafka: { bootstrapServers: [env.kafka.bootstrap] },
          topics: [topic],
          startFrom: "earliest",
          tier: "Standard",
          replicas: 1,
          processing: { handler: { module: { path: handlerPath } } },
          lag: { maxSeconds: 30 },
          autoscaling: { enabled: false, pollIntervalSeconds: 2 },
          // The lag alert after 5 s over 5 s of lag: this group's own settings, exported for the chart's rules.
          alerts: { lagSeconds: 5, forSeconds: 5 },
        }),
      );

      // A steady trickle for the whole file: rates have something to show, and a stuck partition falls behind.
      const connection = kafkaClient({ bootstrapServers: [env.kafka.bootstrap] });
      const connected = connection.producer();
      await connected.connect();
      producer = connected;
      producing = (async () => {
        let sequence = 0;
        while (!stopProducing) {
          const messages = Array.from({ length: 20 }, () => ({ key: `k${sequence % 7}`, value: String(sequence++) }));
          await connected.send({ topic, messages }).catch(() => {});
          await new Promise((resolve) => setTimeout(resolve, 250));
        }
      })();

      await eventually(
        async () => {
          const group = await groupClient().get(namespace, name);
          assert.equal(condition(group, "Ready")?.status, "True", JSON.stringify(group.status?.conditions));
        },
        150_000,
        1000,
      );
    },
    { timeout: 300_000 },
  );

  after(
    async () => {
      stopProducing = true;
      rmSync(stuckFile, { force: true });
      const bounded = (step: Promise<unknown> | undefined, what: string) =>
        withTimeout(Promise.resolve(step), 30_000, `cleanup: ${what} did not finish in 30s`).catch(() => {});
      await bounded(producing, "producer loop");
      await bounded(producer?.disconnect(), "producer");
      await bounded(runner?.stop(), "pod runner");
      await bounded(operator?.stop("SIGTERM"), "operator");
      unregisterOperator();
      await bounded(admin?.close(), "admin");
      await killAllStarted();
      await deleteNamespace(namespace);
      rmSync(recordDir, { recursive: true, force: true });
    },
    { timeout: 180_000 },
  );

  it("every query of every dashboard panel returns data for the group", async () => {
    const queries = panelQueries();
    assert.ok(queries.length > 30, `the dashboard has ${queries.length} panel queries`);
    let empty: string[] = [];
    await eventually(
      async () => {
        empty = [];
        for (const q of queries) {
          const why = await emptiness(q.expr);
          if (why) empty.push(`panel "${q.panel}" ${q.refId}: ${why}`);
        }
        assert.deepEqual(empty, [], `empty panels:\n${empty.join("\n")}`);
      },
      120_000,
      3000,
    );
  });

  it("lists the group's namespace and name in the dashboard's variables", async () => {
    const labelValues = async (label: string, match: string) => {
      const url = `${stackEnv().prometheusUrl}/api/v1/label/${label}/values?${new URLSearchParams({ "match[]": match })}`;
      const body = (await (await fetch(url, { signal: AbortSignal.timeout(10_000) })).json()) as { data: string[] };
      return body.data;
    };
    assert.ok((await labelValues("namespace", "lagpilot_group_replicas_desired")).includes(namespace));
    assert.deepEqual(await labelValues("name", `lagpilot_group_replicas_desired{namespace="${namespace}"}`), [name]);
  });

  it("fires LagpilotLagAboveTarget while a partition is stuck and resolves it once the group caught up", async () => {
    const prometheusUrl = stackEnv().prometheusUrl;
    // Nothing to alert on before: the group keeps up with the trickle.
    await eventually(
      async () => {
        const alerts = await activeAlerts(prometheusUrl, namespace, name);
        assert.deepEqual(
          alerts.filter((a) => a.alert === alert),
          [],
        );
      },
      60_000,
      2000,
    );

    writeFileSync(stuckFile, "stuck\n");
    await eventually(
      async () => {
        const alerts = await activeAlerts(prometheusUrl, namespace, name);
        assert.ok(
          alerts.some((a) => a.alert === alert && a.state === "firing"),
          `alerts: ${JSON.stringify(alerts)}`,
        );
      },
      90_000,
      2000,
    );
    const [firing] = await query(`ALERTS{alertname="${alert}", namespace="${namespace}", alertstate="firing"}`);
    assert.equal(firing?.metric.name, name);
    assert.equal(firing?.metric.severity, "warning");
    assert.ok((firing?.metric.consumergroup ?? "").length > 0, "the Kafka group id is a label of the alert");

    rmSync(stuckFile, { force: true });
    await eventually(
      async () => {
        const alerts = await activeAlerts(prometheusUrl, namespace, name);
        assert.deepEqual(
          alerts.filter((a) => a.alert === alert),
          [],
          `still active: ${JSON.stringify(alerts)}`,
        );
      },
      90_000,
      2000,
    );
  });
});
