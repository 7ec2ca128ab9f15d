// `npm run images:build`: builds operator/Dockerfile and consumer-runtime/Dockerfile with buildah on the
// local Node base, saves each as an OCI archive under .lagpilot/images/ (the node imports them when it
// starts), and loads them into the running node's containerd. Tags come from operator/src/images.ts.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { OPERATOR_IMAGE, RUNTIME_IMAGE } from "../../../operator/src/images.ts";
import { repoRoot } from "../layout.ts";
import { provision } from "../provision.ts";
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
  { name: OPERATOR_IMAGE, dockerfile: "operator/Dockerfile", archive: "operator.tar" },
  { name: RUNTIME_IMAGE, dockerfile: "consumer-runtime/Dockerfile", archive: "consumer-runtime.tar" },
];

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

export function buildImages(log: Log = console.log): { name: string; archive: string; bytes: number }[] {
  const tools = provision(log);
  const buildah = tools.node.buildah;
  // A store of this checkout's own: layers are re-used between builds, nothing lands in the machine's.
  const store = ["--root", join(imagesDir, "store"), "--runroot", join(imagesDir, "run")];
  mkdirSync(imagesDir, { recursive: true });
  const base = nodeBaseArchive(log, buildah, tools.busybox);
  run(buildah, [...store, "pull", "--quiet", `oci-archive:${base}`]);
  const built: { name: string; archive: string; bytes: number }[] = [];
  for (const image of projectImages) {
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
    const archive = join(imagesDir, image.archive);
    run(buildah, [...store, "push", "--quiet", name, `oci-archive:${archive}:${name}`]);
    const bytes = statSync(archive).size;
    log(
      `images: ${image.name} built in ${((Date.now() - started) / 1000).toFixed(1)}s (${(bytes / 1e6).toFixed(1)} MB)`,
    );
    built.push({ name: image.name, archive, bytes });
  }
  const node = readStackState()?.node;
  if (node) {
    const socket = join(node.dir, "containerd", "containerd.sock");
    if (existsSync(socket)) {
      for (const image of built)
        run(tools.node.ctr, ["--address", socket, "--namespace", "k8s.io", "images", "import", image.archive]);
      log("images: loaded into the running node");
    }
  }
  return built;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    buildImages();
  } catch (error) {
    console.error(`images:build failed: ${(error as Error).message}`);
    process.exit(1);
  }
}
