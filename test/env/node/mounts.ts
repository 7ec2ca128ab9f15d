// Mounts the node leaves under its folder: container root filesystems, Pod network namespaces, Secret and
// token volumes, shm. The kubelet and containerd share the machine's mount namespace, so all are listed in
// /proc/self/mountinfo.
import { readFileSync } from "node:fs";
import { tryCommand } from "./command.ts";

/** mountinfo escapes spaces and a few other characters as octal. */
function unescapeOctal(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(Number.parseInt(octal, 8)));
}

export function mountsUnder(dir: string, mountinfo = readFileSync("/proc/self/mountinfo", "utf8")): string[] {
  const prefix = dir.endsWith("/") ? dir : `${dir}/`;
  return mountinfo
    .split("\n")
    .filter(Boolean)
    .map((line) => unescapeOctal(line.split(" ")[4] ?? ""))
    .filter((point) => point === dir || point.startsWith(prefix));
}

/** Deepest first; a lazy unmount for anything still busy, so the folder can always be removed. */
export function unmountUnder(dir: string): string[] {
  const points = [...new Set(mountsUnder(dir))].sort((a, b) => b.length - a.length);
  for (const point of points) {
    if (!tryCommand("umount", [point])) tryCommand("umount", ["-l", point]);
  }
  return mountsUnder(dir);
}
