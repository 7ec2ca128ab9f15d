// Provisions every part of the local stack from package registries, into the user's cache.
// Each step is idempotent: an artifact is built once per set of inputs and re-used afterwards.
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { cacheRoot, envSourceDir, HELM_MODULE, inputKey } from "./layout.ts";
import type { NodeTools } from "./node/node.ts";

export interface Toolchain {
  kafkaLibs: string;
  etcd: string;
  kubeApiserver: string;
  kubeControllerManager: string;
  kubectl: string;
  kubeScheduler: string;
  helm: string;
  busybox: string;
  promtool: string;
  kcat: string;
  java: string;
  node: NodeTools;
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

const CNI_BIN_DIR = "/usr/lib/cni";
const PAUSE_IMAGE = "lagpilot.local/pause:1";
const TOOLBOX_IMAGE = "lagpilot.local/toolbox:1";

const goEnv = { GOFLAGS: "-buildvcs=false -trimpath" };

function buildGoModule(log: Log, name: string, packages: string[], ldflags = "-s -w") {
  const moduleDir = join(envSourceDir, "go", name);
  const key = inputKey([join(moduleDir, "go.mod"), join(moduleDir, "go.sum")], [...packages, ldflags]);
  return cachedDir(name, key, log, (dir) => {
    // Niced: the first build takes minutes of both cores on a small machine.
    run("nice", ["-n", "10", "go", "build", `-ldflags=${ldflags}`, "-o", `${dir}/`, ...packages], {
      cwd: moduleDir,
      env: goEnv,
    });
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

interface DebianNeed {
  /** A command on PATH, or an absolute path of a file the package installs. */
  provides: string;
  pkg: string;
}

/** What the stack uses from Debian: tools, and the node's container runtime, network plugins and image builder. */
const DEBIAN_NEEDS: DebianNeed[] = [
  { provides: "promtool", pkg: "prometheus" },
  { provides: "kcat", pkg: "kcat" },
  { provides: "containerd", pkg: "containerd" },
  { provides: "runc", pkg: "runc" },
  { provides: `${CNI_BIN_DIR}/bridge`, pkg: "containernetworking-plugins" },
  { provides: "buildah", pkg: "buildah" },
  { provides: "iptables", pkg: "iptables" },
  { provides: "conntrack", pkg: "conntrack" },
  { provides: "gcc", pkg: "gcc" },
  { provides: "/usr/lib/x86_64-linux-gnu/libc.a", pkg: "libc6-dev" },
  { provides: "/bin/busybox", pkg: "busybox-static" },
];

function present(need: DebianNeed): boolean {
  return need.provides.startsWith("/") ? existsSync(need.provides) : which(need.provides) !== undefined;
}

/** Debian packages we need; installed with apt-get when running as root, explained otherwise. */
function ensureDebianPackages(log: Log): { value: Record<string, string>; cached: boolean } {
  const missing = DEBIAN_NEEDS.filter((need) => !present(need));
  if (missing.length > 0) {
    const pkgs = missing.map((m) => m.pkg);
    const isRoot = process.getuid?.() === 0;
    if (!isRoot || !which("apt-get")) {
      throw new ProvisionError(
        `missing ${missing.map((m) => m.provides).join(", ")}: install the Debian packages with ` +
          `'sudo apt-get install -y ${pkgs.join(" ")}' and run again`,
      );
    }
    log(`provision debian: apt-get install ${pkgs.join(" ")}`);
    run("apt-get", ["update", "-qq"]);
    run("apt-get", ["install", "-y", "-qq", "--no-install-recommends", ...pkgs], {
      env: { DEBIAN_FRONTEND: "noninteractive" },
    });
  }
  const value: Record<string, string> = {};
  for (const need of DEBIAN_NEEDS) {
    const found = need.provides.startsWith("/") ? need.provides : which(need.provides);
    if (!found || !present(need)) {
      throw new ProvisionError(`'${need.provides}' is still missing; install the Debian package ${need.pkg}.`);
    }
    value[need.provides] = found;
  }
  return { value, cached: missing.length === 0 };
}

/**
 * Builds a small image from test/env/node/NAME (a Containerfile and files `prepare` puts beside it) and
 * saves it as an OCI archive to import into the node's containerd. The image store is private and
 * thrown away, so nothing is left in the machine's.
 */
function buildImageArchive(log: Log, name: string, image: string, inputs: string[], prepare: (work: string) => void) {
  const source = join(envSourceDir, "node", name);
  const key = inputKey([join(source, "Containerfile"), ...inputs], [image]);
  return cachedDir(`${name}-image`, key, log, (dir) => {
    const work = join(dir, "work");
    mkdirSync(work);
    copyFileSync(join(source, "Containerfile"), join(work, "Containerfile"));
    prepare(work);
    const store = ["--root", join(dir, "store"), "--runroot", join(dir, "run"), "--storage-driver", "vfs"];
    run("buildah", [...store, "bud", "--isolation", "chroot", "-t", image, work]);
    run("buildah", [...store, "push", image, `oci-archive:${join(dir, "image.tar")}:${image}`]);
    run("buildah", [...store, "rmi", "--all", "--force"]);
    for (const d of ["work", "store", "run"]) rmSync(join(dir, d), { recursive: true, force: true });
  });
}

/** The Pod sandbox image: a static pause binary in an empty image. */
function buildPauseImage(log: Log) {
  const source = join(envSourceDir, "node", "pause", "pause.c");
  return buildImageArchive(log, "pause", PAUSE_IMAGE, [source], (work) => {
    run("gcc", ["-static", "-Os", "-s", "-o", join(work, "pause"), source]);
  });
}

/** A shell with network tools (Debian's static busybox), for checking the node from inside a Pod. */
function buildToolboxImage(log: Log, busybox: string) {
  return buildImageArchive(log, "toolbox", TOOLBOX_IMAGE, [busybox], (work) => {
    copyFileSync(busybox, join(work, "busybox"));
  });
}

function need(found: Record<string, string>, provides: string): string {
  const path = found[provides];
  if (!path) throw new ProvisionError(`'${provides}' was not provisioned`);
  return path;
}

export function provision(log: Log = console.log): Toolchain {
  const java = requireTool(
    "java",
    "to run Apache Kafka",
    "Install Java 17 or newer (Debian: apt-get install openjdk-17-jre-headless).",
  );
  if (javaMajorVersion(java) < 17) throw new ProvisionError("Java 17 or newer is needed to run Apache Kafka 4.");
  requireTool("mvn", "to fetch Apache Kafka from Maven Central", "Install Maven (Debian: apt-get install maven).");
  requireTool("go", "to build Kubernetes, etcd and helm", "Install Go 1.25 or newer.");
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
        "k8s.io/kubernetes/cmd/kube-scheduler",
        "k8s.io/kubernetes/cmd/kubelet",
        "k8s.io/kubernetes/cmd/kube-proxy",
      ],
      kubernetesVersionFlags(),
    ),
  );
  const pauseDir = timed(log, "pause image", () => buildPauseImage(log));
  const toolboxDir = timed(log, "toolbox image", () => buildToolboxImage(log, need(debian, "/bin/busybox")));
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
    kubeScheduler: join(kubeDir, "kube-scheduler"),
    helm: join(helmDir, "helm"),
    busybox: need(debian, "/bin/busybox"),
    promtool: need(debian, "promtool"),
    kcat: need(debian, "kcat"),
    node: {
      kubelet: join(kubeDir, "kubelet"),
      kubeProxy: join(kubeDir, "kube-proxy"),
      containerd: need(debian, "containerd"),
      ctr: requireTool("ctr", "to load images into containerd", "Install the Debian package containerd."),
      runc: need(debian, "runc"),
      buildah: need(debian, "buildah"),
      cniBinDir: CNI_BIN_DIR,
      pauseArchive: join(pauseDir, "image.tar"),
      pauseImage: PAUSE_IMAGE,
      toolboxArchive: join(toolboxDir, "image.tar"),
      toolboxImage: TOOLBOX_IMAGE,
    },
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
