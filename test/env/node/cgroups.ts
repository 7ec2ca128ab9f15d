// The node's cgroup, one per stack in every cgroup v1 hierarchy (and the unified one when mounted): the
// kubelet puts its Pods under it, containerd and its shims run in it, so stopping the node is killing
// whatever is in it and removing it.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, statSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

const CGROUP_FS = "/sys/fs/cgroup";

/** Every mounted hierarchy (cpu, memory, pids, ..., name=systemd), as folders under /sys/fs/cgroup. */
export function hierarchies(): string[] {
  if (!existsSync(CGROUP_FS)) return [];
  return readdirSync(CGROUP_FS)
    .map((name) => join(CGROUP_FS, name))
    .filter((dir) => statSync(dir).isDirectory() && existsSync(join(dir, "cgroup.procs")));
}

/** The hierarchy whose cgroup.procs tell which processes belong to the node. */
function trackingHierarchy(): string {
  const all = hierarchies();
  const found = ["pids", "memory", "cpu"].map((h) => join(CGROUP_FS, h)).find((dir) => all.includes(dir));
  if (!found) throw new Error("no pids, memory or cpu cgroup hierarchy is mounted under /sys/fs/cgroup");
  return found;
}

export function createNodeCgroup(name: string) {
  for (const hierarchy of hierarchies()) {
    const dir = join(hierarchy, name);
    mkdirSync(dir, { recursive: true });
    // A cpuset cgroup starts with no CPUs and no memory nodes; take the parent's.
    for (const file of ["cpuset.cpus", "cpuset.mems"]) {
      if (existsSync(join(hierarchy, file)) && readFileSync(join(dir, file), "utf8").trim() === "") {
        writeFileSync(join(dir, file), readFileSync(join(hierarchy, file), "utf8"));
      }
    }
  }
  // A new cgroup weighs as much as one busy process of the machine, however many Pods run in it; weigh
  // the node as the kubelet weighs its Pods' cgroup: 1024 per core it offers (its whole machine).
  const cpuShares = join(CGROUP_FS, "cpu", name, "cpu.shares");
  if (existsSync(cpuShares)) writeFileSync(cpuShares, String(1024 * availableParallelism()));
  mkdirSync(join(trackingHierarchy(), name, "runtime"), { recursive: true });
}

/** A shell prefix that moves itself into the node's cgroup and then execs the daemon (containerd). */
export function joinCgroupScript(name: string): string {
  return `echo $$ > ${join(trackingHierarchy(), name, "runtime", "cgroup.procs")} && exec "$@"`;
}

function subtree(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const children = readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .flatMap((entry) => subtree(join(dir, entry.name)));
  return [...children, dir];
}

export function cgroupPids(name: string): number[] {
  const pids: number[] = [];
  for (const dir of subtree(join(trackingHierarchy(), name))) {
    const procs = readFileSync(join(dir, "cgroup.procs"), "utf8").trim();
    if (procs) pids.push(...procs.split("\n").map(Number));
  }
  return pids;
}

/** SIGKILLs everything in the node's cgroup until it is empty, then removes the cgroup everywhere. */
export async function removeNodeCgroup(name: string, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  for (let pids = cgroupPids(name); pids.length > 0; pids = cgroupPids(name)) {
    if (Date.now() > deadline) throw new Error(`processes ${pids.join(", ")} in cgroup ${name} did not exit`);
    for (const pid of pids) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {}
    }
    await sleep(100);
  }
  for (const hierarchy of hierarchies()) {
    for (const dir of subtree(join(hierarchy, name))) {
      // A cgroup stays busy for a moment after its last process is reaped.
      for (;;) {
        try {
          rmdirSync(dir);
          break;
        } catch (error) {
          const code = (error as NodeJS.ErrnoException).code;
          if (code === "ENOENT") break;
          if (code !== "EBUSY" || Date.now() > deadline) throw error;
          await sleep(100);
        }
      }
    }
  }
}
