// Provisions every part of the local stack from package registries, into the user's cache.
// Each step is idempotent: an artifact is built once per set of inputs and re-used afterwards.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { cacheRoot, envSourceDir, HELM_MODULE, inputKey } from "./layout.ts";

export interface Toolchain {
  kafkaLibs: string;
  etcd: string;
  kubeApiserver: string;
  kubeControllerManager: string;
  kubectl: string;
  helm: string;
  promtool: string;
  kcat: string;
  java: string;
}

type Log = (line: string) => void;

export class ProvisionError extends Error {}

function which(command: string): string | undefined {
  const result = spawnSync("sh", ["-c", `command -v ${command}`], { encoding: "utf8" });
  const found = result.stdout.trim();
  return result.status === 0 && found ? found : undefined;
}

function requireTool(command: string, why: string, install: string): string {
  const found = which(command);
  if (!found) throw new ProvisionError(`'${command}' was not found on PATH; it is needed ${why}. ${install}`);
  return found;
}

function javaMajorVersion(java: string): number {
  const out = spawnSync(java, ["-version"], { encoding: "utf8" }).stderr;
  const match = /version "(\d+)/.exec(out);
  return match ? Number(match[1]) : 0;
}

/** Runs a step, printing how long it took; skipped steps print that they were cached. */
function timed<T>(log: Log, name: string, step: () => { value: T; cached: boolean }): T {
  const started = Date.now();
  const { value, cached } = step();
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  log(`provision ${name}: ${cached ? "cached" : "built"} in ${seconds}s`);
  return value;
}

/** Builds into a temporary folder and renames it into place, so an interrupted build is never re-used. */
function cachedDir(name: string, key: string, log: Log, build: (dir: string) => void) {
  const finalDir = join(cacheRoot, `${name}-${key}`);
  if (existsSync(finalDir)) return { value: finalDir, cached: true };
  log(`provision ${name}: building (first time only; cached in ${finalDir})`);
  const tmpDir = `${finalDir}.tmp-${process.pid}`;
  rmSync(tmpDir, { recursive: true, force: true });
  mkdirSync(tmpDir, { recursive: true });
  try {
    build(tmpDir);
  } catch (error) {
    rmSync(tmpDir, { recursive: true, force: true });
    throw error;
  }
  try {
    renameSync(tmpDir, finalDir);
  } catch (error) {
    // Another provisioning run finished the same artifact first; theirs is as good as ours.
    if (!existsSync(finalDir)) throw error;
    rmSync(tmpDir, { recursive: true, force: true });
  }
  return { value: finalDir, cached: false };
}

/** Runs a command; its output is shown only when it fails, so progress lines stay readable. */
function run(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
  const result = spawnSync(command, args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
  });
  if (result.status !== 0) {
    const output = `${result.stdout ?? ""}${result.stderr ?? ""}`.trim().split("\n").slice(-40).join("\n");
    throw new ProvisionError(`'${command} ${args.join(" ")}' failed with exit code ${result.status}:\n${output}`);
  }
}

const goEnv = { GOFLAGS: "-buildvcs=false -trimpath" };

function buildGoModule(log: Log, name: string, packages: string[], ldflags = "-s -w") {
  const moduleDir = join(envSourceDir, "go", name);
  const key = inputKey([join(moduleDir, "go.mod"), join(moduleDir, "go.sum")], [...packages, ldflags]);
  return cachedDir(name, key, log, (dir) => {
    run("go", ["build", `-ldflags=${ldflags}`, "-o", `${dir}/`, ...packages], { cwd: moduleDir, env: goEnv });
  });
}

/** Built from modules, Kubernetes would report v0.0.0-master; Helm's kubeVersion checks need the real one. */
function kubernetesVersionFlags(): string {
  const goMod = readFileSync(join(envSourceDir, "go", "kubernetes", "go.mod"), "utf8");
  const version = /k8s\.io\/kubernetes v(\d+)\.(\d+)\.(\d+)/.exec(goMod);
  if (!version) throw new ProvisionError("test/env/go/kubernetes/go.mod does not require k8s.io/kubernetes");
  const [, major, minor, patch] = version;
  const pkg = "k8s.io/component-base/version";
  return [
    "-s -w",
    `-X ${pkg}.gitVersion=v${major}.${minor}.${patch}`,
    `-X ${pkg}.gitMajor=${major}`,
    `-X ${pkg}.gitMinor=${minor}`,
    `-X ${pkg}.gitTreeState=clean`,
  ].join(" ");
}

/** Debian packages we need; installed with apt-get when running as root, explained otherwise. */
function ensureDebianPackages(log: Log): { value: { promtool: string; kcat: string }; cached: boolean } {
  const wanted = [
    { command: "promtool", pkg: "prometheus" },
    { command: "kcat", pkg: "kcat" },
  ];
  const missing = wanted.filter((w) => !which(w.command));
  if (missing.length > 0) {
    const pkgs = missing.map((m) => m.pkg);
    const isRoot = process.getuid?.() === 0;
    if (!isRoot || !which("apt-get")) {
      throw new ProvisionError(
        `missing ${missing.map((m) => m.command).join(", ")}: install the Debian packages with ` +
          `'sudo apt-get install -y ${pkgs.join(" ")}' and run again`,
      );
    }
    log(`provision debian: apt-get install ${pkgs.join(" ")}`);
    run("apt-get", ["update", "-qq"]);
    run("apt-get", ["install", "-y", "-qq", "--no-install-recommends", ...pkgs], {
      env: { DEBIAN_FRONTEND: "noninteractive" },
    });
  }
  return {
    value: {
      promtool: requireTool("promtool", "to check alert rules", "Install the Debian package prometheus."),
      kcat: requireTool("kcat", "as an independent Kafka client", "Install the Debian package kcat."),
    },
    cached: missing.length === 0,
  };
}

export function provision(log: Log = console.log): Toolchain {
  const java = requireTool(
    "java",
    "to run Apache Kafka",
    "Install Java 17 or newer (Debian: apt-get install openjdk-17-jre-headless).",
  );
  if (javaMajorVersion(java) < 17) throw new ProvisionError("Java 17 or newer is needed to run Apache Kafka 4.");
  requireTool("mvn", "to fetch Apache Kafka from Maven Central", "Install Maven (Debian: apt-get install maven).");
  requireTool("go", "to build kube-apiserver, etcd and helm", "Install Go 1.25 or newer.");
  mkdirSync(cacheRoot, { recursive: true });

  const debian = timed(log, "debian packages", () => ensureDebianPackages(log));

  const kafkaPom = join(envSourceDir, "kafka", "pom.xml");
  const kafkaLibs = timed(log, "kafka", () =>
    cachedDir("kafka", inputKey([kafkaPom]), log, (dir) => {
      run("mvn", [
        "-q",
        "-B",
        "-Dstyle.color=never",
        "-f",
        kafkaPom,
        "dependency:copy-dependencies",
        `-DoutputDirectory=${join(dir, "libs")}`,
        "-DincludeScope=runtime",
      ]);
      if (!readdirSync(join(dir, "libs")).some((f) => f.startsWith("kafka-tools-"))) {
        throw new ProvisionError("Maven finished but kafka-tools is missing from the copied jars");
      }
    }),
  );

  const kubeDir = timed(log, "kubernetes", () =>
    buildGoModule(
      log,
      "kubernetes",
      [
        "k8s.io/kubernetes/cmd/kube-apiserver",
        "k8s.io/kubernetes/cmd/kube-controller-manager",
        "k8s.io/kubernetes/cmd/kubectl",
      ],
      kubernetesVersionFlags(),
    ),
  );
  const etcdDir = timed(log, "etcd", () => buildGoModule(log, "etcd", ["."]));
  const helmDir = timed(log, "helm", () =>
    cachedDir("helm", inputKey([], [HELM_MODULE]), log, (dir) => {
      run("go", ["install", "-ldflags=-s -w", HELM_MODULE], { env: { ...goEnv, GOBIN: dir } });
    }),
  );

  return {
    java,
    kafkaLibs: join(kafkaLibs, "libs"),
    etcd: join(etcdDir, "etcd"),
    kubeApiserver: join(kubeDir, "kube-apiserver"),
    kubeControllerManager: join(kubeDir, "kube-controller-manager"),
    kubectl: join(kubeDir, "kubectl"),
    helm: join(helmDir, "helm"),
    promtool: debian.promtool,
    kcat: debian.kcat,
  };
}

// `npm run env:provision`: provision only, without starting anything.
if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    const tools = provision();
    console.log(JSON.stringify(tools, null, 2));
  } catch (error) {
    console.error(`env:provision failed: ${(error as Error).message}`);
    process.exit(1);
  }
}
