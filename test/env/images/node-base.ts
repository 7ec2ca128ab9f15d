// The local base image for operator/Dockerfile and consumer-runtime/Dockerfile (their BASE build argument):
// no registry of container images is reachable here, so the base is assembled from package-registry parts.
import { spawnSync } from "node:child_process";
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  realpathSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { basename, dirname, join } from "node:path";
import { cacheRoot, envSourceDir, inputKey } from "../layout.ts";

export const NODE_BASE_IMAGE = "lagpilot.local/node-base:24";
/** The npm the base image carries; the version the lockfile was written with is enough for `npm ci`. */
export const NPM_PACKAGE = "npm@11.21.2";
const CA_BUNDLE = "/etc/ssl/certs/ca-certificates.crt";

type Log = (line: string) => void;

function run(command: string, args: string[], cwd?: string): string {
  const result = spawnSync(command, args, { cwd, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) {
    throw new Error(`'${command} ${args.join(" ")}' failed (${result.status}): ${`${result.stderr}`.trim()}`);
  }
  return result.stdout;
}

/** The shared libraries a dynamically linked binary loads, as `ldd` resolves them on this machine. */
function sharedLibraries(binary: string): string[] {
  return run("ldd", [binary])
    .split("\n")
    .map((line) => /(\/\S+) \(0x/.exec(line)?.[1])
    .filter((path): path is string => path !== undefined);
}

function copyInto(rootfs: string, path: string, target = path) {
  const destination = join(rootfs, target);
  mkdirSync(dirname(destination), { recursive: true });
  copyFileSync(realpathSync(path), destination);
  chmodSync(destination, 0o755);
}

function assembleRootfs(rootfs: string, busybox: string) {
  const node = realpathSync(process.execPath);
  copyInto(rootfs, node, "/usr/local/bin/node");
  for (const library of sharedLibraries(node)) copyInto(rootfs, library);

  const packDir = join(rootfs, "..", "npm-pack");
  mkdirSync(packDir, { recursive: true });
  run("npm", ["pack", NPM_PACKAGE, "--pack-destination", packDir, "--silent"]);
  const tarball = readdirSync(packDir).find((f) => f.endsWith(".tgz"));
  if (!tarball) throw new Error(`npm pack ${NPM_PACKAGE} wrote no tarball`);
  const npmDir = join(rootfs, "usr", "local", "lib", "node_modules", "npm");
  mkdirSync(npmDir, { recursive: true });
  run("tar", ["-xzf", join(packDir, tarball), "-C", npmDir, "--strip-components=1"]);
  rmSync(packDir, { recursive: true, force: true });
  symlinkSync("../lib/node_modules/npm/bin/npm-cli.js", join(rootfs, "usr", "local", "bin", "npm"));
  symlinkSync("../lib/node_modules/npm/bin/npx-cli.js", join(rootfs, "usr", "local", "bin", "npx"));

  copyInto(rootfs, busybox, "/bin/busybox");
  for (const applet of ["sh", "env", "ls", "cat"]) symlinkSync("busybox", join(rootfs, "bin", applet));
  mkdirSync(join(rootfs, "usr", "bin"), { recursive: true });
  symlinkSync("/bin/busybox", join(rootfs, "usr", "bin", "env"));

  mkdirSync(join(rootfs, "etc", "ssl", "certs"), { recursive: true });
  copyFileSync(CA_BUNDLE, join(rootfs, CA_BUNDLE));
  // The official image's users: root, and `node` (1000) that the Dockerfiles run as.
  writeFileSync(join(rootfs, "etc", "passwd"), "root:x:0:0:root:/root:/bin/sh\nnode:x:1000:1000::/home/node:/bin/sh\n");
  writeFileSync(join(rootfs, "etc", "group"), "root:x:0:\nnode:x:1000:\n");
  for (const dir of ["root", "home/node", "tmp"]) mkdirSync(join(rootfs, dir), { recursive: true });
  chmodSync(join(rootfs, "tmp"), 0o1777);
  chmodSync(join(rootfs, "home", "node"), 0o777);
}

/**
 * Builds the base image into an OCI archive in the cache, keyed by the Node binary, npm's version and the
 * Containerfile; returns the archive's path.
 */
export function nodeBaseArchive(log: Log, buildah: string, busybox: string): string {
  const source = join(envSourceDir, "images", "node-base", "Containerfile");
  const key = inputKey([source, realpathSync(process.execPath), CA_BUNDLE], [NPM_PACKAGE, NODE_BASE_IMAGE]);
  const dir = join(cacheRoot, `node-base-image-${key}`);
  const archive = join(dir, "image.tar");
  if (existsSync(archive)) return archive;
  log(`images: assembling ${NODE_BASE_IMAGE} (Node ${process.version}, ${NPM_PACKAGE}); cached in ${dir}`);
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  try {
    const work = join(tmp, "work");
    assembleRootfs(join(work, "rootfs"), busybox);
    copyFileSync(source, join(work, basename(source)));
    const store = ["--root", join(tmp, "store"), "--runroot", join(tmp, "run"), "--storage-driver", "vfs"];
    run(buildah, [...store, "bud", "--isolation", "chroot", "-t", NODE_BASE_IMAGE, work]);
    run(buildah, [...store, "push", NODE_BASE_IMAGE, `oci-archive:${join(tmp, "image.tar")}:${NODE_BASE_IMAGE}`]);
    run(buildah, [...store, "rmi", "--all", "--force"]);
    for (const d of ["work", "store", "run"]) rmSync(join(tmp, d), { recursive: true, force: true });
    renameSync(tmp, dir);
  } catch (error) {
    rmSync(tmp, { recursive: true, force: true });
    throw error;
  }
  return archive;
}
