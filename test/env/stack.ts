// Starts and stops the local stack: etcd, kube-apiserver, kube-controller-manager, kube-scheduler, one node
// (containerd, kubelet, kube-proxy; see node/) and a KRaft Kafka broker with PLAINTEXT, SASL/SCRAM, TLS and
// mutual-TLS listeners on loopback and the same four for Pods (certificates made at start, see tls-material.ts).
// The apiserver and the Pod listeners bind the machine side of the node's veth, an address only this machine
// has; everything else binds loopback.
import { spawn, spawnSync } from "node:child_process";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:https";
import { createConnection, createServer } from "node:net";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { Kafka, logLevel } from "kafkajs";
import { muteKafkajsTimerWarning } from "../../operator/src/kafka/kafkajs-timer-warning.ts";
import { builtArchives } from "./images/archives.ts";
import { binDir, envFile, logDir, repoRoot, stackFile, stateDir } from "./layout.ts";
import {
  type NodeRecord,
  prepareNode,
  startContainerd,
  startKubelet,
  startKubeProxy,
  teardownNode,
} from "./node/node.ts";
import { nodeSchedulable } from "./node/readiness.ts";
import { startPrometheus } from "./prometheus/start.ts";
import { prometheusDir } from "./prometheus/targets.ts";
import type { Toolchain } from "./provision.ts";
import { makeStackTls, type StackTls } from "./tls-material.ts";

/** What tests and tools read from `.lagpilot/env.json`. */
export interface StackEnv {
  kafka: {
    bootstrap: string;
    saslBootstrap: string;
    /** Kafka's listener for Pods on the node (the machine side of the node's veth). */
    podBootstrap: string;
    /** The same for SASL/SCRAM (SASL_PLAINTEXT), with the users of `sasl` and `scramSha256`. */
    podSaslBootstrap: string;
    sasl: { mechanism: "scram-sha-512"; username: string; password: string };
    scramSha256: { username: string; password: string };
    /** TLS (SSL) listener: the broker's certificate is signed by `tls.caFile` and names 127.0.0.1. */
    tlsBootstrap: string;
    /** Mutual TLS: the broker also requires a client certificate signed by `tls.caFile`. */
    mtlsBootstrap: string;
    /** The same two for Pods; the broker's certificate names the node's host address too. */
    podTlsBootstrap: string;
    podMtlsBootstrap: string;
    /** PEM files: the CA, and a client certificate and key it signed (for the mutual-TLS listeners). */
    tls: { caFile: string; certFile: string; keyFile: string };
  };
  kubeconfig: string;
  kubeApiserver: string;
  /** The stack's Prometheus: scrapes the operator and every consumer, evaluates the chart's alert rules. */
  prometheusUrl: string;
  binDir: string;
  node: { name: string; ip: string; podSubnet: string; hostIp: string };
}

interface StackState {
  processes: { name: string; pid: number }[];
  startedAt: string;
  node?: NodeRecord;
}

type Log = (line: string) => void;

/**
 * A random Kafka cluster id: 16 bytes, base64url. One starting with '-' would be read by kafka-storage's
 * argument parser as an option (1 start in 64 failed so), so such ids are drawn again, as Kafka's own do.
 */
export function kafkaClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString("base64url");
    if (!id.startsWith("-")) return id;
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function startProcess(name: string, command: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  const logFile = join(logDir, `${name}.log`);
  const fd = openSync(logFile, "a");
  // detached: each part gets its own process group so env:down can stop it and all its children.
  const child = spawn(command, args, { detached: true, stdio: ["ignore", fd, fd], env: { ...process.env, ...env } });
  child.unref();
  if (child.pid === undefined) throw new Error(`could not start ${name} (${command}); see ${logFile}`);
  return { name, pid: child.pid };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A zombie has exited; it lingers only until its parent reaps it, which a parent blocked in an exit
  // handler (the test runner stopping the stack as it exits) does not do until it is gone.
  try {
    return processState(readFileSync(`/proc/${pid}/stat`, "utf8")) !== "Z";
  } catch {
    return true;
  }
}

/** The state letter of a /proc/PID/stat line; the command name before it may itself hold spaces or ')'. */
export function processState(stat: string): string {
  return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
}

function tailOf(file: string, lines = 15): string {
  if (!existsSync(file)) return "(no log)";
  return readFileSync(file, "utf8").split("\n").slice(-lines).join("\n");
}

async function waitFor(name: string, pid: number, timeoutMs: number, probe: () => Promise<boolean>) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) {
      throw new Error(
        `${name} exited during start-up; last lines of ${name}.log:\n${tailOf(join(logDir, `${name}.log`))}`,
      );
    }
    if (await probe().catch(() => false)) return;
    await sleep(250);
  }
  throw new Error(`${name} did not answer within ${timeoutMs / 1000}s; see ${join(logDir, `${name}.log`)}`);
}

function httpGetOk(url: string): Promise<boolean> {
  return fetch(url, { signal: AbortSignal.timeout(2000) }).then((r) => r.ok);
}

function httpsGetOk(url: string, token?: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(
      url,
      { rejectUnauthorized: false, timeout: 2000, headers: token ? { authorization: `Bearer ${token}` } : {} },
      (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      },
    );
    req.on("error", () => resolve(false));
    req.on("timeout", () => req.destroy());
    req.end();
  });
}

function httpsGetJson(url: string, token: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { rejectUnauthorized: false, timeout: 2000, headers: { authorization: `Bearer ${token}` } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => {
          if (res.statusCode !== 200) return resolve(undefined);
          try {
            resolve(JSON.parse(Buffer.concat(chunks).toString("utf8")));
          } catch (error) {
            reject(error);
          }
        });
      },
    );
    req.on("error", reject);
    req.on("timeout", () => req.destroy(new Error(`${url} timed out`)));
    req.end();
  });
}

/** The controllers the stack runs: what the operator's objects and one node need, nothing more. */
const kcmControllers = [
  "garbage-collector-controller",
  "deployment-controller",
  "replicaset-controller",
  "namespace-controller",
  "disruption-controller",
  "serviceaccount-controller",
  "node-lifecycle-controller",
  "root-ca-certificate-publisher-controller",
  "endpoints-controller",
  "endpointslice-controller",
  "endpointslice-mirroring-controller",
  "pod-garbage-collector-controller",
];

function tcpOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/** A metadata round trip, not just an open port: the broker accepts connections before it can serve. */
export async function kafkaAnswers(bootstrap: string): Promise<boolean> {
  muteKafkajsTimerWarning();
  const admin = new Kafka({ brokers: [bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 0 } }).admin();
  try {
    await admin.connect();
    await admin.describeCluster();
    return true;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

function writeExecutable(path: string, body: string) {
  writeFileSync(path, `#!/bin/sh\n# Generated by npm run env:up; points at the local stack.\n${body}\n`);
  chmodSync(path, 0o755);
}

/** Kafka's own CLI entry points, from the kafka-tools jar of the same release as the broker. */
const kafkaTools: Record<string, string> = {
  "kafka-topics": "org.apache.kafka.tools.TopicCommand",
  "kafka-consumer-groups": "org.apache.kafka.tools.consumer.group.ConsumerGroupCommand",
  "kafka-consumer-perf-test": "org.apache.kafka.tools.ConsumerPerformance",
  "kafka-producer-perf-test": "org.apache.kafka.tools.ProducerPerformance",
  "kafka-configs": "kafka.admin.ConfigCommand",
};

function writeWrappers(tools: Toolchain, kubeconfig: string) {
  mkdirSync(binDir, { recursive: true });
  const kube = `KUBECONFIG="\${KUBECONFIG:-${kubeconfig}}" exec`;
  writeExecutable(join(binDir, "kubectl"), `${kube} "${tools.kubectl}" "$@"`);
  writeExecutable(join(binDir, "helm"), `${kube} "${tools.helm}" "$@"`);
  // kubectl finds plugins on PATH: `kubectl lagpilot top` works once this folder is on it.
  writeExecutable(
    join(binDir, "kubectl-lagpilot"),
    `${kube} "${join(repoRoot, "operator", "bin", "kubectl-lagpilot")}" "$@"`,
  );
  writeExecutable(join(binDir, "promtool"), `exec "${tools.promtool}" "$@"`);
  writeExecutable(join(binDir, "kcat"), `exec "${tools.kcat}" "$@"`);
  for (const [name, mainClass] of Object.entries(kafkaTools)) {
    writeExecutable(
      join(binDir, name),
      `exec "${tools.java}" -Xmx256m -XX:TieredStopAtLevel=1 -Dorg.slf4j.simpleLogger.defaultLogLevel=warn ` +
        `-cp "${tools.kafkaLibs}/*" ${mainClass} "$@"`,
    );
  }
}

type KafkaPorts = Record<
  "plain" | "sasl" | "tls" | "mtls" | "controller" | "pod" | "podSasl" | "podTls" | "podMtls",
  number
>;

function kafkaServerProperties(ports: KafkaPorts, podHost: string, dataDir: string, tls: StackTls) {
  const scramJaas = "org.apache.kafka.common.security.scram.ScramLoginModule required;";
  const clientListeners = [
    `PLAINTEXT://127.0.0.1:${ports.plain}`,
    `SASL_PLAINTEXT://127.0.0.1:${ports.sasl}`,
    `TLS://127.0.0.1:${ports.tls}`,
    `MTLS://127.0.0.1:${ports.mtls}`,
    `POD://${podHost}:${ports.pod}`,
    `POD_SASL://${podHost}:${ports.podSasl}`,
    `POD_TLS://${podHost}:${ports.podTls}`,
    `POD_MTLS://${podHost}:${ports.podMtls}`,
  ];
  return [
    "process.roles=broker,controller",
    "node.id=1",
    `controller.quorum.voters=1@127.0.0.1:${ports.controller}`,
    `listeners=${[...clientListeners, `CONTROLLER://127.0.0.1:${ports.controller}`].join(",")}`,
    `advertised.listeners=${clientListeners.join(",")}`,
    "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT,TLS:SSL,MTLS:SSL,POD:PLAINTEXT,POD_SASL:SASL_PLAINTEXT,POD_TLS:SSL,POD_MTLS:SSL,CONTROLLER:PLAINTEXT",
    // TLS listeners: PEM files, no JKS step. The mutual ones refuse a client without a certificate the CA signed.
    "ssl.keystore.type=PEM",
    `ssl.keystore.location=${tls.brokerKeystoreFile}`,
    "ssl.truststore.type=PEM",
    `ssl.truststore.location=${tls.caFile}`,
    "listener.name.mtls.ssl.client.auth=required",
    "listener.name.pod_mtls.ssl.client.auth=required",
    "controller.listener.names=CONTROLLER",
    "inter.broker.listener.name=PLAINTEXT",
    "sasl.enabled.mechanisms=SCRAM-SHA-512,SCRAM-SHA-256",
    `listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config=${scramJaas}`,
    `listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config=${scramJaas}`,
    `listener.name.pod_sasl.scram-sha-512.sasl.jaas.config=${scramJaas}`,
    `listener.name.pod_sasl.scram-sha-256.sasl.jaas.config=${scramJaas}`,
    `log.dirs=${dataDir}`,
    "num.partitions=1",
    "auto.create.topics.enable=false",
    // Single node: every internal topic must live with one replica.
    "offsets.topic.replication.factor=1",
    "offsets.topic.num.partitions=4",
    "transaction.state.log.replication.factor=1",
    "transaction.state.log.min.isr=1",
    "share.coordinator.state.topic.replication.factor=1",
    "share.coordinator.state.topic.min.isr=1",
    "group.initial.rebalance.delay.ms=0",
    // Tests only: a 1 s heartbeat and a 10 s session under the consumer group protocol (KIP-848); the broker
    // defaults (5 s, also the minimum, and 45 s) would make every assignment change and failover wait longer.
    "group.consumer.min.heartbeat.interval.ms=500",
    "group.consumer.heartbeat.interval.ms=1000",
    "group.consumer.min.session.timeout.ms=6000",
    "group.consumer.session.timeout.ms=10000",
    "",
  ].join("\n");
}

function kubeconfigYaml(server: string, token: string) {
  return [
    "apiVersion: v1",
    "kind: Config",
    "clusters:",
    "- name: lagpilot-local",
    "  cluster:",
    `    server: ${server}`,
    "    insecure-skip-tls-verify: true",
    "users:",
    "- name: lagpilot-admin",
    "  user:",
    `    token: ${token}`,
    "contexts:",
    "- name: lagpilot-local",
    "  context: {cluster: lagpilot-local, user: lagpilot-admin, namespace: default}",
    "current-context: lagpilot-local",
    "",
  ].join("\n");
}

export function readStackState(): StackState | undefined {
  if (!existsSync(stackFile)) return undefined;
  return JSON.parse(readFileSync(stackFile, "utf8")) as StackState;
}

export function readStackEnv(): StackEnv | undefined {
  if (!existsSync(envFile)) return undefined;
  return JSON.parse(readFileSync(envFile, "utf8")) as StackEnv;
}

/** True when every recorded process is alive and the apiserver and Kafka answer. */
export async function stackIsHealthy(): Promise<boolean> {
  const state = readStackState();
  const env = readStackEnv();
  if (!state || !env || !state.processes.every((p) => isAlive(p.pid))) return false;
  // A stack started before the TLS listeners existed lacks them: start it afresh.
  if (!env.kafka.tls || !existsSync(env.kafka.tls.caFile)) return false;
  const kafkaPort = Number(env.kafka.bootstrap.split(":")[1]);
  const token = /token: (\S+)/.exec(readFileSync(env.kubeconfig, "utf8"))?.[1];
  return (await tcpOpen(kafkaPort)) && (await httpsGetOk(`${env.kubeApiserver}/readyz`, token));
}

export async function startStack(tools: Toolchain, log: Log = console.log): Promise<StackEnv> {
  rmSync(join(stateDir, "data"), { recursive: true, force: true });
  for (const dir of [
    stateDir,
    logDir,
    join(stateDir, "data", "etcd"),
    join(stateDir, "data", "kafka"),
    join(stateDir, "kube"),
  ]) {
    mkdirSync(dir, { recursive: true });
  }
  const started: { name: string; pid: number }[] = [];
  let node: NodeRecord | undefined;
  const record = () =>
    writeFileSync(
      stackFile,
      JSON.stringify({ processes: started, startedAt: new Date().toISOString(), node } satisfies StackState, null, 2),
    );
  const launch = (name: string, command: string, args: string[]) => {
    const child = startProcess(name, command, args);
    started.push(child);
    record();
    return child;
  };
  const t0 = Date.now();
  const since = () => `${((Date.now() - t0) / 1000).toFixed(1)}s`;

  try {
    // The node's network first: the apiserver and Kafka's Pod listener bind its machine-side address.
    const plan = prepareNode(stateDir, join(stateDir, "node"));
    node = { slot: plan.slot, dir: plan.dir };
    record();
    log(`env: node network ${plan.netns} (Pods ${plan.podSubnet}, control plane on ${plan.hostIp}) (${since()})`);

    // etcd
    const etcdClient = await freePort();
    const etcdPeer = await freePort();
    const etcd = startProcess("etcd", tools.etcd, [
      "--name=lagpilot",
      `--data-dir=${join(stateDir, "data", "etcd")}`,
      `--listen-client-urls=http://127.0.0.1:${etcdClient}`,
      `--advertise-client-urls=http://127.0.0.1:${etcdClient}`,
      `--listen-peer-urls=http://127.0.0.1:${etcdPeer}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeer}`,
      `--initial-cluster=lagpilot=http://127.0.0.1:${etcdPeer}`,
      "--unsafe-no-fsync",
      "--log-level=warn",
    ]);
    started.push({ name: etcd.name, pid: etcd.pid });
    record();

    // Kafka: format storage (with SCRAM users) and start; runs while the apiserver starts.
    const kafkaPorts: KafkaPorts = {
      plain: await freePort(),
      sasl: await freePort(),
      tls: await freePort(),
      mtls: await freePort(),
      controller: await freePort(),
      pod: await freePort(),
      podSasl: await freePort(),
      podTls: await freePort(),
      podMtls: await freePort(),
    };
    const kafkaData = join(stateDir, "data", "kafka");
    const serverProperties = join(stateDir, "data", "server.properties");
    const tlsStarted = Date.now();
    const tls = makeStackTls(tools.openssl, join(stateDir, "data", "tls"), ["127.0.0.1", plan.hostIp]);
    log(`env: CA, broker and client certificates for Kafka's TLS listeners made in ${Date.now() - tlsStarted} ms`);
    writeFileSync(serverProperties, kafkaServerProperties(kafkaPorts, plan.hostIp, kafkaData, tls));
    const scram512 = { username: "lagpilot", password: randomBytes(12).toString("hex") };
    const scram256 = { username: "lagpilot256", password: randomBytes(12).toString("hex") };
    const clusterId = kafkaClusterId();
    const javaBase = ["-cp", `${tools.kafkaLibs}/*`];
    const format = spawnSync(
      tools.java,
      [
        "-Xmx256m",
        "-XX:TieredStopAtLevel=1",
        "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
        ...javaBase,
        "kafka.tools.StorageTool",
        "format",
        "-t",
        clusterId,
        "-c",
        serverProperties,
        "--add-scram",
        `SCRAM-SHA-512=[name=${scram512.username},password=${scram512.password}]`,
        "--add-scram",
        `SCRAM-SHA-256=[name=${scram256.username},password=${scram256.password}]`,
      ],
      { encoding: "utf8" },
    );
    if (format.status !== 0 || !existsSync(join(kafkaData, "meta.properties"))) {
      throw new Error(`formatting Kafka storage failed:\n${format.stdout}${format.stderr}`);
    }
    const kafka = startProcess("kafka", tools.java, [
      "-Xms256m",
      "-Xmx512m",
      "-XX:+UseG1GC",
      "-Djava.awt.headless=true",
      "-Dorg.slf4j.simpleLogger.defaultLogLevel=info",
      ...javaBase,
      "kafka.Kafka",
      serverProperties,
    ]);
    started.push({ name: kafka.name, pid: kafka.pid });
    record();

    await waitFor("etcd", etcd.pid, 30_000, () => httpGetOk(`http://127.0.0.1:${etcdClient}/health`));
    log(`env: etcd ready on 127.0.0.1:${etcdClient} (${since()})`);

    // kube-apiserver: token auth for a system:masters user, self-signed serving certs.
    const kubeDir = join(stateDir, "kube");
    const token = randomBytes(24).toString("hex");
    writeFileSync(join(kubeDir, "tokens.csv"), `${token},lagpilot-admin,lagpilot-admin,"system:masters"\n`);
    const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    writeFileSync(join(kubeDir, "sa.key"), privateKey.export({ type: "pkcs1", format: "pem" }));
    writeFileSync(join(kubeDir, "sa.pub"), publicKey.export({ type: "spki", format: "pem" }));
    const apiPort = await freePort();
    const server = `https://${plan.hostIp}:${apiPort}`;
    const kubeconfig = join(kubeDir, "kubeconfig");
    writeFileSync(kubeconfig, kubeconfigYaml(server, token), { mode: 0o600 });
    const apiserver = startProcess("kube-apiserver", tools.kubeApiserver, [
      `--etcd-servers=http://127.0.0.1:${etcdClient}`,
      `--cert-dir=${join(kubeDir, "certs")}`,
      `--secure-port=${apiPort}`,
      `--bind-address=${plan.hostIp}`,
      `--advertise-address=${plan.hostIp}`,
      `--service-cluster-ip-range=${plan.serviceSubnet}`,
      "--kubelet-preferred-address-types=InternalIP",
      // Namespace node selectors: the pod runner's tests keep their Pods off the node with one.
      "--enable-admission-plugins=PodNodeSelector",
      "--allow-privileged=true",
      "--authorization-mode=RBAC",
      `--token-auth-file=${join(kubeDir, "tokens.csv")}`,
      "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
      `--service-account-key-file=${join(kubeDir, "sa.pub")}`,
      `--service-account-signing-key-file=${join(kubeDir, "sa.key")}`,
      "--enable-priority-and-fairness=false",
      "--v=1",
    ]);
    started.push({ name: apiserver.name, pid: apiserver.pid });
    record();
    await waitFor("kube-apiserver", apiserver.pid, 120_000, () => httpsGetOk(`${server}/readyz`, token));
    log(`env: kube-apiserver ready on ${server} (${since()})`);

    // kube-controller-manager: garbage collection, Deployment -> ReplicaSet, namespaces, PDB status, and what
    // a node needs: its lifecycle (the not-ready taint goes when it is Ready), endpoints for Services, the
    // root CA ConfigMap every Pod mounts, and the collection of Pods of a deleted node.
    const kcmPort = await freePort();
    const kcm = startProcess("kube-controller-manager", tools.kubeControllerManager, [
      `--kubeconfig=${kubeconfig}`,
      `--authentication-kubeconfig=${kubeconfig}`,
      `--authorization-kubeconfig=${kubeconfig}`,
      "--bind-address=127.0.0.1",
      `--secure-port=${kcmPort}`,
      "--leader-elect=false",
      `--controllers=${kcmControllers.join(",")}`,
      `--root-ca-file=${join(kubeDir, "certs", "apiserver.crt")}`,
      `--service-account-private-key-file=${join(kubeDir, "sa.key")}`,
      "--use-service-account-credentials=false",
      "--concurrent-gc-syncs=5",
      // The default client limit (20 requests/s) makes the controllers, not the operator, what bench:operator
      // measures: each group's Deployment costs them about eight writes (ReplicaSet, Pod, statuses, endpoints).
      "--kube-api-qps=400",
      "--kube-api-burst=800",
      "--v=1",
    ]);
    started.push({ name: kcm.name, pid: kcm.pid });
    record();
    await waitFor("kube-controller-manager", kcm.pid, 60_000, () => httpsGetOk(`https://127.0.0.1:${kcmPort}/healthz`));
    log(`env: kube-controller-manager ready (${since()})`);

    const schedulerPort = await freePort();
    const scheduler = launch("kube-scheduler", tools.kubeScheduler, [
      `--kubeconfig=${kubeconfig}`,
      `--authentication-kubeconfig=${kubeconfig}`,
      `--authorization-kubeconfig=${kubeconfig}`,
      "--bind-address=127.0.0.1",
      `--secure-port=${schedulerPort}`,
      "--leader-elect=false",
      "--v=1",
    ]);
    await waitFor("kube-scheduler", scheduler.pid, 60_000, () =>
      httpsGetOk(`https://127.0.0.1:${schedulerPort}/healthz`),
    );
    log(`env: kube-scheduler ready (${since()})`);

    const containerd = await startContainerd(plan, tools.node, launch, builtArchives());
    log(`env: containerd ready (${since()})`);
    const kubelet = startKubelet(plan, tools.node, kubeconfig, launch);
    startKubeProxy(plan, tools.node, kubeconfig, launch);
    await waitFor("kubelet", kubelet.pid, 120_000, async () => {
      if (!isAlive(containerd.pid)) throw new Error(`containerd exited; see ${join(logDir, "containerd.log")}`);
      return nodeSchedulable(await httpsGetJson(`${server}/api/v1/nodes/${plan.nodeName}`, token));
    });
    log(`env: node ${plan.nodeName} Ready and schedulable at ${plan.nodeIp} (${since()})`);

    await waitFor(
      "kafka",
      kafka.pid,
      90_000,
      async () =>
        (await kafkaAnswers(`127.0.0.1:${kafkaPorts.plain}`)) &&
        (await tcpOpen(kafkaPorts.sasl)) &&
        (await tcpOpen(kafkaPorts.tls)) &&
        (await tcpOpen(kafkaPorts.mtls)),
    );
    log(
      `env: kafka ready on 127.0.0.1:${kafkaPorts.plain}, SASL on ${kafkaPorts.sasl}, TLS on ${kafkaPorts.tls}, ` +
        `mutual TLS on ${kafkaPorts.mtls} (${since()})`,
    );

    const prometheusUrl = await startPrometheus({
      prometheus: tools.prometheus,
      node: process.execPath,
      kubeconfig,
      port: await freePort(),
      dataDir: join(stateDir, "data", "prometheus"),
      launch,
      isAlive,
    });
    log(`env: prometheus ready on ${prometheusUrl}, with the chart's alert rules (${since()})`);

    writeWrappers(tools, kubeconfig);
    const env: StackEnv = {
      kafka: {
        bootstrap: `127.0.0.1:${kafkaPorts.plain}`,
        saslBootstrap: `127.0.0.1:${kafkaPorts.sasl}`,
        podBootstrap: `${plan.hostIp}:${kafkaPorts.pod}`,
        podSaslBootstrap: `${plan.hostIp}:${kafkaPorts.podSasl}`,
        sasl: { mechanism: "scram-sha-512", ...scram512 },
        scramSha256: scram256,
        tlsBootstrap: `127.0.0.1:${kafkaPorts.tls}`,
        mtlsBootstrap: `127.0.0.1:${kafkaPorts.mtls}`,
        podTlsBootstrap: `${plan.hostIp}:${kafkaPorts.podTls}`,
        podMtlsBootstrap: `${plan.hostIp}:${kafkaPorts.podMtls}`,
        tls: { caFile: tls.caFile, ...tls.client },
      },
      kubeconfig,
      kubeApiserver: server,
      prometheusUrl,
      binDir,
      node: { name: plan.nodeName, ip: plan.nodeIp, podSubnet: plan.podSubnet, hostIp: plan.hostIp },
    };
    writeFileSync(envFile, `${JSON.stringify(env, null, 2)}\n`, { mode: 0o600 });
    return env;
  } catch (error) {
    await stopProcesses(started, log);
    if (node) await teardownNode(node);
    rmSync(stackFile, { force: true });
    throw error;
  }
}

async function stopProcesses(processes: { name: string; pid: number }[], log: Log) {
  // Reverse order: controllers before the apiserver before etcd.
  for (const { name, pid } of [...processes].reverse()) {
    if (!isAlive(pid)) continue;
    try {
      process.kill(-pid, "SIGTERM");
    } catch {
      continue;
    }
    const deadline = Date.now() + 15_000;
    while (isAlive(pid) && Date.now() < deadline) await sleep(100);
    if (isAlive(pid)) {
      log(`env: ${name} ignored SIGTERM; killing it`);
      try {
        process.kill(-pid, "SIGKILL");
      } catch {}
    }
  }
}

export async function stopStack(log: Log = console.log): Promise<boolean> {
  const state = readStackState();
  if (!state) return false;
  await stopProcesses(state.processes, log);
  if (state.node) await teardownNode(state.node);
  rmSync(stackFile, { force: true });
  rmSync(envFile, { force: true });
  rmSync(join(stateDir, "data"), { recursive: true, force: true });
  rmSync(prometheusDir, { recursive: true, force: true });
  return true;
}
