// The local stack's Prometheus: the chart's alert rules are loaded, a Pod labelled as a consumer is
// scraped at its "metrics" port with the labels the chart's relabelling gives (namespace, pod, name), and
// a consumer running as a local process is scraped through the file targets tests and the demo write.
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import { after, before, describe, it } from "node:test";
import { registerScrapeTarget } from "../env/prometheus/targets.ts";
import { eventually, runTool, stackEnv, uniqueName } from "../support/stack-env.ts";

interface Result {
  status: string;
  data: { result: { metric: Record<string, string>; value: [number, string] }[] };
}

async function query(promql: string): Promise<Result["data"]["result"]> {
  const url = `${stackEnv().prometheusUrl}/api/v1/query?${new URLSearchParams({ query: promql })}`;
  const body = (await (await fetch(url, { signal: AbortSignal.timeout(5000) })).json()) as Result;
  assert.equal(body.status, "success");
  return body.data.result;
}

describe("local stack: Prometheus", () => {
  const namespace = uniqueName("prometheus");
  let server: Server | undefined;
  let unregister = () => {};

  before(async () => {
    await runTool("kubectl", ["create", "namespace", namespace]);
    // A consumer Pod as the operator labels one, serving a static /metrics with busybox httpd.
    const manifest = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: {
        name: "orders-0",
        namespace,
        labels: {
          "app.kubernetes.io/managed-by": "lagpilot",
          "app.kubernetes.io/component": "consumer",
          "lagpilot.dev/consumer-group": "orders",
        },
      },
      spec: {
        terminationGracePeriodSeconds: 1,
        volumes: [{ name: "www", emptyDir: {} }],
        containers: [
          {
            name: "consumer",
            image: "lagpilot.local/toolbox:1",
            imagePullPolicy: "Never",
            command: ["sh", "-c", "echo 'lagpilot_probe_value 42' > /www/metrics && exec httpd -f -p 8080 -h /www"],
            ports: [{ name: "metrics", containerPort: 8080 }],
            volumeMounts: [{ name: "www", mountPath: "/www" }],
            resources: { limits: { memory: "32Mi", cpu: "100m" } },
          },
        ],
      },
    };
    await runTool("kubectl", ["apply", "-f", "-"], JSON.stringify(manifest));
    await runTool("kubectl", ["-n", namespace, "wait", "--for=condition=Ready", "pod/orders-0", "--timeout=90s"]);
  });

  after(async () => {
    unregister();
    server?.close();
    await runTool("kubectl", ["delete", "namespace", namespace, "--wait=false"]).catch(() => {});
  });

  it("has loaded the chart's alert rules", async () => {
    const url = `${stackEnv().prometheusUrl}/api/v1/rules?type=alert`;
    const body = (await (await fetch(url)).json()) as { data: { groups: { rules: { name: string }[] }[] } };
    const alerts = body.data.groups.flatMap((g) => g.rules.map((r) => r.name));
    assert.ok(alerts.includes("LagpilotLagAboveTarget"), `alerts loaded: ${alerts.join(", ")}`);
  });

  it("scrapes a consumer Pod with the namespace, pod and group name labels", async () => {
    const series = await eventually(
      async () => {
        const found = await query(`lagpilot_probe_value{namespace="${namespace}"}`);
        assert.equal(found.length, 1, "scraped once");
        return found;
      },
      60_000,
      1000,
    );
    assert.deepEqual(
      { ...series[0]?.metric, instance: undefined },
      {
        __name__: "lagpilot_probe_value",
        instance: undefined,
        job: "lagpilot-consumers",
        namespace,
        pod: "orders-0",
        name: "orders",
      },
    );
  });

  it("scrapes a consumer running as a local process through its target file, and forgets it when removed", async () => {
    server = createServer((_, response) => response.end(`lagpilot_local_probe 7\n`));
    await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as { port: number }).port;
    unregister = registerScrapeTarget({
      id: namespace,
      address: `127.0.0.1:${port}`,
      job: "lagpilot-consumers",
      labels: { namespace, pod: "local-0", name: "orders" },
    });
    await eventually(
      async () => {
        const found = await query(`lagpilot_local_probe{namespace="${namespace}", pod="local-0", name="orders"}`);
        assert.equal(found[0]?.value[1], "7");
      },
      60_000,
      1000,
    );
    unregister();
    await eventually(
      async () => {
        assert.deepEqual(await query(`up{pod="local-0", namespace="${namespace}"}`), []);
      },
      60_000,
      1000,
    );
  });
});
