// Provisions every part of the local stack from package registries, into the user's cache.
// Each step is idempotent: an artifact is built once per set of inputs and re-used afterwards.
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { helmReleaseLdflags, kubernetesVersionOfClientGo } from "./helm-ldflags.ts";
import { cacheRoot, envSourceDir, HELM, inputKey } from "./layout.ts";
import type { NodeTools } from "./node/node.ts";
import { countGoOutputLine, countStalePackages, noGoWork } from "./progress/go-output.ts";
import { formatDuration } from "./progress/progress-line.ts";
import { runCommand } from "./progress/run-command.ts";
import { type StepProgress, withProgress } from "./progress/step.ts";
import { recordStepTime, usualMs } from "./progress/usual-times.ts";

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
  prometheus: string;
  kcat: string;
  /** Makes the certificates of Kafka's TLS listeners at stack start. */
  openssl: string;
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

/** A provisioning step as the user reads it: its name, what it does, and what to do when it fails. */
interface Step {
  name: string;
  what: string;
  fix: string;
}

/** Runs a step, printing how long it took; skipped steps print that they were cached. */
async function timed<T>(log: Log, name: string, step: () => Promise<{ value: T; cached: boolean }>): Promise<T> {
  const started = Date.now();
  const { value, cached } = await step();
  log(`provision ${name}: ${cached ? "cached" : "built"} in ${formatDuration(Date.now() - started)}`);
  return value;
}

/** Runs a step's work with progress lines, and remembers how long a first-time run took here. */
async function withStepProgress(log: Log, step: Step, work: (progress: StepProgress) => Promise<void>) {
  const usual = usualMs(step.name);
  const usually = usual === undefined ? "" : `; usually about ${formatDuration(usual)} here`;
  log(`provision ${step.name}: ${step.what} (first time only${usually})`);
  const started = Date.now();
  await withProgress(log, { step: step.name, usualMs: usual, fix: step.fix }, work);
  recordStepTime(step.name, Date.now() - started);
}

/** Builds into a temporary folder and renames it into place, so an interrupted build is never re-used. */
async function cachedDir(
  step: Step,
  key: string,
  log: Log,
  build: (dir: string, progress: StepProgress) => Promise<void>,
) {
  const finalDir = join(cacheRoot, `${step.name.replace(/ /g, "-")}-${key}`);
  if (existsSync(finalDir)) return { value: finalDir, cached: true };
  const tmpDir = `${finalDir}.tmp-${process.pid}`;
  rmSync(tmpDir, { recursive: true, force: true });
  mkdirSync(tmpDir, { recursive: true });
  try {
    await withStepProgress(log, { ...step, what: `${step.what}, into ${finalDir}` }, (progress) =>
      build(tmpDir, progress),
    );
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

const CNI_BIN_DIR = "/usr/lib/cni";
const PAUSE_IMAGE = "lagpilot.local/pause:1";
const TOOLBOX_IMAGE = "lagpilot.local/toolbox:1";

const goEnv = { GOFLAGS: "-buildvcs=false -trimpath" };
const GO_FIX =
  "check that the Go module proxy is reachable ('go env GOPROXY') and that the disk holding " +
  "'go env GOCACHE' and 'go env GOMODCACHE' has a few GB free.";

/**
 * Compiles Go packages with a count of how far the build is: `go list` first says which packages the build
 * cache lacks (downloading the modules they need), then `go build -v` names each package it compiles.
 */
async function compileGo(progress: StepProgress, cwd: string, packages: string[], ldflags: string, outDir: string) {
  let work = noGoWork;
  progress.set("resolving packages");
  const onDownload = (line: string) => {
    work = countGoOutputLine(work, line);
    if (work.modulesDownloaded > 0)
      progress.set("downloading Go modules", work.modulesDownloaded, undefined, "modules");
  };
  // Niced: the first build takes minutes of both cores on a small machine.
  const listed = await runCommand("nice", ["-n", "10", "go", "list", "-deps", "-f", "{{.Stale}}", ...packages], {
    cwd,
    env: goEnv,
    onLine: (line, stream) => stream === "stderr" && onDownload(line),
  });
  const total = countStalePackages(listed);
  work = noGoWork;
  progress.set("compiling Go packages", 0, total, "packages");
  await runCommand("nice", ["-n", "10", "go", "build", "-v", `-ldflags=${ldflags}`, "-o", `${outDir}/`, ...packages], {
    cwd,
    env: goEnv,
    onLine: (line, stream) => {
      if (stream !== "stderr") return;
      work = countGoOutputLine(work, line);
      const activity = work.packagesCompiled >= total ? "linking binaries after" : "compiling Go packages";
      progress.set(activity, work.packagesCompiled, total, "packages");
    },
  });
}

async function buildGoModule(log: Log, step: Step, packages: string[], ldflags = "-s -w") {
  const moduleDir = join(envSourceDir, "go", step.name);
  const key = inputKey([join(moduleDir, "go.mod"), join(moduleDir, "go.sum")], [...packages, ldflags]);
  return cachedDir(step, key, log, (dir, progress) => compileGo(progress, moduleDir, packages, ldflags, dir));
}

/** helm from its module, with the linker flags of its release build (see helm-ldflags.ts). */
async function buildHelm(log: Log) {
  const step: Step = {
    name: "helm",
    what: `compile helm ${HELM.version} with its release flags`,
    fix: GO_FIX,
  };
  // The key covers the flags' shape; their values follow from the helm version, which the key holds too.
  const key = inputKey([], [HELM.module, HELM.version, helmReleaseLdflags("VERSION", { major: "X", minor: "Y" })]);
  return cachedDir(step, key, log, async (dir, progress) => {
    progress.set(`downloading ${HELM.module}@${HELM.version}`);
    const download = await runCommand("go", ["mod", "download", "-json", `${HELM.module}@${HELM.version}`]);
    const moduleDir = (JSON.parse(download) as { Dir?: string }).Dir;
    if (!moduleDir) throw new Error(`'go mod download' did not say where ${HELM.module} is`);
    const clientGo = await runCommand("go", ["list", "-m", "-f", "{{.Version}}", "k8s.io/client-go"], {
      cwd: moduleDir,
    });
    const ldflags = helmReleaseLdflags(HELM.version, kubernetesVersionOfClientGo(clientGo));
    await compileGo(progress, moduleDir, [HELM.command], ldflags, dir);
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
  { provides: "prometheus", pkg: "prometheus" },
  { provides: "kcat", pkg: "kcat" },
  { provides: "openssl", pkg: "openssl" },
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
async function ensureDebianPackages(log: Log): Promise<{ value: Record<string, string>; cached: boolean }> {
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
    const step: Step = {
      name: "debian packages",
      what: `apt-get install ${pkgs.join(" ")}`,
      fix: `check that apt-get works here ('apt-get update'), or install them by hand: apt-get install -y ${pkgs.join(" ")}.`,
    };
    await withStepProgress(log, step, async (progress) => {
      progress.set("reading the package lists (apt-get update)");
      await runCommand("apt-get", ["update", "-qq"]);
      progress.set(`installing ${pkgs.length} packages`);
      await runCommand("apt-get", ["install", "-y", "-qq", "--no-install-recommends", ...pkgs], {
        env: { DEBIAN_FRONTEND: "noninteractive" },
      });
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

const BUILDAH_FIX = "check that buildah runs here ('buildah info') and that the cache directory's disk has room.";

/**
 * Builds a small image from test/env/node/NAME (a Containerfile and files `prepare` puts beside it) and
 * saves it as an OCI archive to import into the node's containerd. The image store is private and
 * thrown away, so nothing is left in the machine's.
 */
function buildImageArchive(
  log: Log,
  name: string,
  image: string,
  inputs: string[],
  prepare: (work: string) => Promise<void>,
) {
  const source = join(envSourceDir, "node", name);
  const key = inputKey([join(source, "Containerfile"), ...inputs], [image]);
  const step: Step = { name: `${name} image`, what: `build the image ${image} with buildah`, fix: BUILDAH_FIX };
  return cachedDir(step, key, log, async (dir, progress) => {
    const work = join(dir, "work");
    mkdirSync(work);
    copyFileSync(join(source, "Containerfile"), join(work, "Containerfile"));
    await prepare(work);
    const store = ["--root", join(dir, "store"), "--runroot", join(dir, "run"), "--storage-driver", "vfs"];
    progress.set("building");
    await runCommand("buildah", [...store, "bud", "--isolation", "chroot", "-t", image, work], {
      onLine: (line) => {
        const buildStep = /^STEP (\d+)\/(\d+): (.*)$/.exec(line);
        if (buildStep) progress.set(`building: ${buildStep[3]}`, Number(buildStep[1]), Number(buildStep[2]), "steps");
      },
    });
    progress.set("saving the image");
    await runCommand("buildah", [...store, "push", image, `oci-archive:${join(dir, "image.tar")}:${image}`]);
    await runCommand("buildah", [...store, "rmi", "--all", "--force"]);
    for (const d of ["work", "store", "run"]) rmSync(join(dir, d), { recursive: true, force: true });
  });
}

/** The Pod sandbox image: a static pause binary in an empty image. */
function buildPauseImage(log: Log) {
  const source = join(envSourceDir, "node", "pause", "pause.c");
  return buildImageArchive(log, "pause", PAUSE_IMAGE, [source], async (work) => {
    await runCommand("gcc", ["-static", "-Os", "-s", "-o", join(work, "pause"), source]);
  });
}

/** A shell with network tools (Debian's static busybox), for checking the node from inside a Pod. */
function buildToolboxImage(log: Log, busybox: string) {
  return buildImageArchive(log, "toolbox", TOOLBOX_IMAGE, [busybox], async (work) => {
    copyFileSync(busybox, join(work, "busybox"));
  });
}

function need(found: Record<string, string>, provides: string): string {
  const path = found[provides];
  if (!path) throw new ProvisionError(`'${provides}' was not provisioned`);
  return path;
}

/** Maven prints a line per file it fetches; counting them shows the download moving. */
const MAVEN_DOWNLOADED = /^Downloaded from /;

export async function provision(log: Log = console.log): Promise<Toolchain> {
  const java = requireTool(
    "java",
    "to run Apache Kafka",
    "Install Java 17 or newer (Debian: apt-get install openjdk-17-jre-headless).",
  );
  if (javaMajorVersion(java) < 17) throw new ProvisionError("Java 17 or newer is needed to run Apache Kafka 4.");
  requireTool("mvn", "to fetch Apache Kafka from Maven Central", "Install Maven (Debian: apt-get install maven).");
  requireTool("go", "to build Kubernetes, etcd and helm", "Install Go 1.25 or newer.");
  mkdirSync(cacheRoot, { recursive: true });

  const debian = await timed(log, "debian packages", () => ensureDebianPackages(log));

  const kafkaPom = join(envSourceDir, "kafka", "pom.xml");
  const kafkaStep: Step = {
    name: "kafka",
    what: "fetch Apache Kafka's jars with Maven",
    fix: "check that Maven reaches Maven Central ('mvn -v', proxy settings in ~/.m2/settings.xml).",
  };
  const kafkaLibs = await timed(log, "kafka", () =>
    cachedDir(kafkaStep, inputKey([kafkaPom]), log, async (dir, progress) => {
      let downloaded = 0;
      progress.set("resolving and downloading jars");
      await runCommand(
        "mvn",
        [
          "-B",
          "-Dstyle.color=never",
          "-f",
          kafkaPom,
          "dependency:copy-dependencies",
          `-DoutputDirectory=${join(dir, "libs")}`,
          "-DincludeScope=runtime",
        ],
        {
          onLine: (line) => {
            if (MAVEN_DOWNLOADED.test(line)) progress.set("downloading files", ++downloaded, undefined, "files");
          },
        },
      );
      if (!readdirSync(join(dir, "libs")).some((f) => f.startsWith("kafka-tools-"))) {
        throw new Error("Maven finished but kafka-tools is missing from the copied jars");
      }
    }),
  );

  const kubernetesStep: Step = {
    name: "kubernetes",
    what: "compile kube-apiserver, kube-controller-manager, kube-scheduler, kubelet, kube-proxy and kubectl",
    fix: GO_FIX,
  };
  const kubeDir = await timed(log, "kubernetes", () =>
    buildGoModule(
      log,
      kubernetesStep,
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
  const pauseDir = await timed(log, "pause image", () => buildPauseImage(log));
  const toolboxDir = await timed(log, "toolbox image", () => buildToolboxImage(log, need(debian, "/bin/busybox")));
  const etcdStep: Step = { name: "etcd", what: "compile etcd", fix: GO_FIX };
  const etcdDir = await timed(log, "etcd", () => buildGoModule(log, etcdStep, ["."]));
  const helmDir = await timed(log, "helm", () => buildHelm(log));

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
    prometheus: need(debian, "prometheus"),
    kcat: need(debian, "kcat"),
    openssl: need(debian, "openssl"),
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
  provision()
    .then((tools) => console.log(JSON.stringify(tools, null, 2)))
    .catch((error: Error) => {
      console.error(`env:provision failed: ${error.message}`);
      process.exit(1);
    });
}
