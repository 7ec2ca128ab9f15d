// The local stack's node is a real one: the scheduler places Pods on it, containerd runs them, the kubelet
// serves their logs and exec, kube-proxy routes the `kubernetes` Service, and Pods reach Kafka's Pod
// listener but nothing outside the machine.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createConnection } from "node:net";
import { after, before, describe, it } from "node:test";
import { eventually, runTool, stackEnv, uniqueName } from "../support/stack-env.ts";

interface PodStatus {
  spec: { nodeName?: string };
  status: { phase?: string; podIP?: string };
}

function tcpConnects(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port, timeout: 3000 });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("timeout", () => {
      socket.destroy();
      resolve(false);
    });
    socket.once("error", () => resolve(false));
  });
}

describe("local stack: the node", () => {
  const env = stackEnv();
  const namespace = uniqueName("node");
  const pod = "toolbox";
  const exec = (script: string) => runTool("kubectl", ["-n", namespace, "exec", pod, "--", "sh", "-c", script]);
  /** Exit status of a script in the Pod; the script prints nothing we rely on. */
  const succeeds = (script: string) =>
    exec(script).then(
      () => true,
      () => false,
    );

  before(async () => {
    await runTool("kubectl", ["create", "namespace", namespace]);
    await runTool("kubectl", ["label", "namespace", namespace, "pod-security.kubernetes.io/enforce=restricted"]);
    const manifest = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: pod, namespace },
      spec: {
        terminationGracePeriodSeconds: 1,
        securityContext: { runAsNonRoot: true, runAsUser: 65534, seccompProfile: { type: "RuntimeDefault" } },
        containers: [
          {
            name: "toolbox",
            image: "lagpilot.local/toolbox:1",
            imagePullPolicy: "Never",
            command: ["sh", "-c", "echo hello from the node; exec sleep 3600"],
            securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
            resources: { limits: { memory: "32Mi", cpu: "100m" } },
          },
        ],
      },
    };
    await runTool("kubectl", ["apply", "-f", "-"], JSON.stringify(manifest));
    await runTool("kubectl", ["-n", namespace, "wait", "--for=condition=Ready", `pod/${pod}`, "--timeout=90s"]);
  });

  after(async () => {
    await runTool("kubectl", ["delete", "namespace", namespace, "--wait=false"]).catch(() => {});
  });

  it("is Ready and schedulable, without a taint removed by hand", async () => {
    const node = JSON.parse(await runTool("kubectl", ["get", "node", env.node.name, "-o", "json"])) as {
      spec: { taints?: unknown[] };
      status: { conditions: { type: string; status: string }[]; addresses: { type: string; address: string }[] };
    };
    assert.equal(node.status.conditions.find((c) => c.type === "Ready")?.status, "True");
    assert.deepEqual(node.spec.taints ?? [], []);
    assert.ok(node.status.addresses.some((a) => a.type === "InternalIP" && a.address === env.node.ip));
  });

  it("runs a Pod from a local image, placed by the scheduler, with an address from the Pod subnet", async () => {
    const status = JSON.parse(
      await runTool("kubectl", ["-n", namespace, "get", "pod", pod, "-o", "json"]),
    ) as PodStatus;
    assert.equal(status.spec.nodeName, env.node.name);
    assert.equal(status.status.phase, "Running");
    const subnet = env.node.podSubnet.replace(/\.0\/24$/, ".");
    assert.ok(status.status.podIP?.startsWith(subnet), `${status.status.podIP} not in ${env.node.podSubnet}`);
  });

  it("serves the Pod's logs and exec through the kubelet", async () => {
    assert.match(await runTool("kubectl", ["-n", namespace, "logs", pod]), /hello from the node/);
    assert.equal((await exec("id -u")).trim(), "65534");
  });

  it("applies the container's memory limit", async () => {
    const limit = await exec("cat /sys/fs/cgroup/memory/memory.limit_in_bytes");
    assert.equal(Number(limit.trim()), 32 * 1024 * 1024);
  });

  it("gives Pods no nameserver outside the Pod", async () => {
    const resolvConf = await exec("cat /etc/resolv.conf");
    const nameservers = [...resolvConf.matchAll(/^nameserver\s+(\S+)/gm)].map((m) => m[1]);
    assert.deepEqual(nameservers, ["127.0.0.1"], resolvConf);
  });

  it("routes the in-cluster `kubernetes` Service to the apiserver", async () => {
    const service = await runTool("kubectl", ["get", "service", "kubernetes", "-o", "jsonpath={.spec.clusterIP}"]);
    // kube-proxy programs the rule shortly after the node is up.
    await eventually(async () => assert.ok(await succeeds(`nc -w 3 ${service} 443 </dev/null`)), 30_000, 1000);
    const [envHost, envPort] = (await exec("echo $KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT")).trim().split(":");
    assert.equal(envHost, service);
    assert.equal(envPort, "443");
  });

  it("reaches Kafka's Pod listener", async () => {
    const [host, port] = env.kafka.podBootstrap.split(":");
    assert.ok(await succeeds(`nc -w 3 ${host} ${port} </dev/null`), `no connection to ${env.kafka.podBootstrap}`);
  });

  it("cannot reach what the machine reaches outside (its nameserver), while the stack's address answers", async () => {
    const targets = readFileSync("/etc/resolv.conf", "utf8")
      .split("\n")
      .map((line) => /^nameserver\s+(\d+\.\d+\.\d+\.\d+)/.exec(line)?.[1])
      .filter((address): address is string => address !== undefined)
      .map((address) => ({ host: address, port: 53 }));
    const reachable: { host: string; port: number }[] = [];
    for (const target of targets) if (await tcpConnects(target.host, target.port)) reachable.push(target);
    assert.ok(reachable.length > 0, "the machine reaches no nameserver over TCP: nothing to check against");
    for (const { host, port } of reachable) {
      assert.equal(await succeeds(`nc -w 3 ${host} ${port} </dev/null`), false, `a Pod reached ${host}:${port}`);
    }
    const [host, port] = env.kafka.podBootstrap.split(":");
    assert.ok(await succeeds(`nc -w 3 ${host} ${port} </dev/null`));
  });
});
