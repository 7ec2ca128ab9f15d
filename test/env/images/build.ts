// `npm run images:build`: builds operator/Dockerfile and consumer-runtime/Dockerfile with buildah on the
// local Node base, saves each as an OCI archive under .lagpilot/images/ (the node imports them when it
// starts), and loads them into the running node's containerd. Tags come from operator/src/images.ts.
// An image whose inputs (Dockerfile, manifests, sources, base) are unchanged since its last build is not
// rebuilt: the test setup calls this on every run.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { OPERATOR_IMAGE, RUNTIME_IMAGE } from "../../../operator/src/images.ts";
import { inputKey, repoRoot } from "../layout.ts";
import { provision, type Toolchain } from "../provision.ts";
import { readStackState } from "../stack.ts";
import { imagesDir } from "./archives.ts";
import { NODE_BASE_IMAGE, nodeBaseArchive } from "./node-base.ts";

/** containerd names images in full; the short names the chart and operator use resolve to these. */
export function fullName(image: string): string {
  const firstPart = image.split("/")[0] ?? "";
  if (image.includes("/") && (firstPart.includes(".") || firstPart.includes(":"))) return image;
  return `docker.io/${image.includes("/") ? image : `library/${image}`}`;
}

export const projectImages = [
  { name: OPERATOR_IMAGE, dockerfile: "operator/Dockerfile", archive: "operator.tar", sources: "operator/src" },
  {
    name: RUNTIME_IMAGE,
    dockerfile: "consumer-runtime/Dockerfile",
    archive: "consumer-runtime.tar",
    sources: "consumer-runtime/src",
  },
];

/** Every file under a folder, sorted, so the same tree always hashes the same. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

/** What an image is built from: its Dockerfile, the manifests `npm ci` reads, its sources and the base. */
export function imageInputKey(image: (typeof projectImages)[number], baseArchive: string): string {
  const files = [
    image.dockerfile,
    ".dockerignore",
    "package.json",
    "package-lock.json",
    "operator/package.json",
    "consumer-runtime/package.json",
  ].map((file) => join(repoRoot, file));
  const sources = filesUnder(join(repoRoot, image.sources));
  return inputKey([...files, ...sources], [image.name, baseArchive, ...sources.map((f) => relative(repoRoot, f))]);
}

type Log = (line: string) => void;

function run(command: string, args: string[], log?: Log): string {
  const result = spawnSync(command, args, { cwd: repoRoot, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
  if (result.status !== 0) {
    const output = `${result.stdout}${result.stderr}`.trim().split("\n").slice(-30).join("\n");
    throw new Error(`'${command} ${args.join(" ")}' failed (${result.status}):\n${output}`);
  }
  if (log) for (const line of result.stdout.split("\n")) if (/^STEP|^COMMIT/.test(line)) log(`  ${line}`);
  return result.stdout;
}

export interface BuiltImage {
  name: string;
  archive: string;
  bytes: number;
  /** False when the archive of an earlier build had the same inputs and was kept. */
  rebuilt: boolean;
}

export async function buildImages(log: Log = console.log, provisioned?: Toolchain): Promise<BuiltImage[]> {
  const tools = provisioned ?? (await provision(log));
  const buildah = tools.node.buildah;
  // A store of this checkout's own: layers are re-used between builds, nothing lands in the machine's.
  const store = ["--root", join(imagesDir, "store"), "--runroot", join(imagesDir, "run")];
  mkdirSync(imagesDir, { recursive: true });
  const base = nodeBaseArchive(log, buildah, tools.busybox);
  let basePulled = false;
  const built: BuiltImage[] = [];
  for (const image of projectImages) {
    const archive = join(imagesDir, image.archive);
    const keyFile = `${archive}.key`;
    const key = imageInputKey(image, base);
    if (existsSync(archive) && existsSync(keyFile) && readFileSync(keyFile, "utf8") === key) {
      built.push({ name: image.name, archive, bytes: statSync(archive).size, rebuilt: false });
      log(`images: ${image.name} is up to date (inputs ${key})`);
      continue;
    }
    rmSync(keyFile, { force: true });
    if (!basePulled) run(buildah, [...store, "pull", "--quiet", `oci-archive:${base}`]);
    basePulled = true;
    const started = Date.now();
    log(`images: building ${image.name} from ${image.dockerfile}`);
    const name = fullName(image.name);
    run(
      buildah,
      [
        ...store,
        "bud",
        "--layers",
        "--isolation",
        "chroot",
        // npm ci in the build reaches the npm registry the way this machine does.
        "--network",
        "host",
        "--build-arg",
        `BASE=${NODE_BASE_IMAGE}`,
        "-f",
        image.dockerfile,
        "-t",
        name,
        ".",
      ],
      log,
    );
    rmSync(archive, { force: true });
    run(buildah, [...store, "push", "--quiet", name, `oci-archive:${archive}:${name}`]);
    writeFileSync(keyFile, key);
    const bytes = statSync(archive).size;
    log(
      `images: ${image.name} built in ${((Date.now() - started) / 1000).toFixed(1)}s (${(bytes / 1e6).toFixed(1)} MB)`,
    );
    built.push({ name: image.name, archive, bytes, rebuilt: true });
  }
  // A node that starts later imports the archives itself; a running one gets what was rebuilt now.
  const node = readStackState()?.node;
  const fresh = built.filter((image) => image.rebuilt);
  if (node && fresh.length > 0) {
    const socket = join(node.dir, "containerd", "containerd.sock");
    if (existsSync(socket)) {
      for (const image of fresh)
        run(tools.node.ctr, ["--address", socket, "--namespace", "k8s.io", "images", "import", image.archive]);
      log("images: loaded into the running node");
    }
  }
  return built;
}

/**
 * Builds an image FROM one of the project's images, as a user ships a handler module: `containerfile` in
 * `contextDir`, built in the same store as the project's images (its base is there, nothing is pulled), then
 * loaded into the running node. Returns the name the node knows it by.
 */
export async function buildUserImage(name: string, contextDir: string, provisioned?: Toolchain): Promise<string> {
  const tools = provisioned ?? (await provision(() => {}));
  const buildah = tools.node.buildah;
  const store = ["--root", join(imagesDir, "store"), "--runroot", join(imagesDir, "run")];
  const full = fullName(name);
  run(buildah, [...store, "bud", "--isolation", "chroot", "--pull=never", "-t", full, contextDir]);
  const archive = join(contextDir, "image.tar");
  rmSync(archive, { force: true });
  run(buildah, [...store, "push", "--quiet", full, `oci-archive:${archive}:${full}`]);
  const node = readStackState()?.node;
  if (!node) throw new Error("the local stack is not up: no node to load the image into");
  const socket = join(node.dir, "containerd", "containerd.sock");
  run(tools.node.ctr, ["--address", socket, "--namespace", "k8s.io", "images", "import", archive]);
  rmSync(archive, { force: true });
  return full;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  buildImages().catch((error: Error) => {
    console.error(`images:build failed: ${error.message}`);
    process.exit(1);
  });
}
