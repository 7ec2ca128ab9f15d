// One node for the local stack: containerd (CRI, runc, the CNI bridge), the kubelet and kube-proxy, all in
// the node's network namespace; teardown leaves no process, mount, interface, namespace or rule behind.
import { existsSync, mkdirSync, readdirSync, readlinkSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { createNodeCgroup, hierarchies, joinCgroupScript, removeNodeCgroup } from "./cgroups.ts";
import { inNetns, runCommand, tryCommand } from "./command.ts";
import { mountsUnder, unmountUnder } from "./mounts.ts";
import { claimSlot, createNetwork, deleteNetwork } from "./network.ts";
import {
  cniConflist,
  containerdConfig,
  kubeletConfig,
  kubeProxyConfig,
  type NodePlan,
  nodePlan,
  preferredSlot,
} from "./plan.ts";

/** What stack.json records of the node, enough to tear it down after a crash. */
export interface NodeRecord {
  slot: number;
  dir: string;
}

export interface NodeTools {
  kubelet: string;
  kubeProxy: string;
  containerd: string;
  ctr: string;
  runc: string;
  buildah: string;
  cniBinDir: string;
  /** An OCI archive of the sandbox ("pause") image, and its name. */
  pauseArchive: string;
  pauseImage: string;
  /** A shell and network tools, for checking the node from inside a Pod. */
  toolboxArchive: string;
  toolboxImage: string;
}

type Start = (name: string, command: string, args: string[]) => { name: string; pid: number };

/** Claims a slot and builds the network and cgroup; the control plane binds `plan.hostIp` next. */
export function prepareNode(stateDir: string, dir: string): NodePlan {
  const plan = nodePlan(claimSlot(preferredSlot(stateDir)), dir);
  try {
    rmSync(dir, { recursive: true, force: true });
    for (const d of [plan.paths.cniConfDir, plan.paths.cniIpamDir, plan.paths.kubeletRoot, plan.paths.podLogs]) {
      mkdirSync(d, { recursive: true });
    }
    createNodeCgroup(plan.cgroup);
    createNetwork(plan);
  } catch (error) {
    deleteNetwork(plan.netns, plan.hostVeth);
    throw error;
  }
  return plan;
}

export function ctrArgs(plan: NodePlan, ...args: string[]): string[] {
  return ["--address", plan.paths.containerdSocket, "--namespace", "k8s.io", ...args];
}

/** Starts containerd and waits for its socket; then imports the sandbox, toolbox and given images. */
export async function startContainerd(plan: NodePlan, tools: NodeTools, start: Start, images: string[] = []) {
  mkdirSync(dirname(plan.paths.containerdConfig), { recursive: true });
  writeFileSync(plan.paths.containerdConfig, containerdConfig(plan, tools.pauseImage, tools.runc, tools.cniBinDir));
  writeFileSync(join(plan.paths.cniConfDir, "10-lagpilot.conflist"), cniConflist(plan));
  const [cmd, args] = inNetns(plan.netns, "sh", [
    "-c",
    joinCgroupScript(plan.cgroup),
    "sh",
    tools.containerd,
    "--config",
    plan.paths.containerdConfig,
  ]);
  const started = start("containerd", cmd, args);
  const deadline = Date.now() + 30_000;
  while (!tryCommand(tools.ctr, ctrArgs(plan, "version"))) {
    if (Date.now() > deadline) throw new Error("containerd did not answer within 30s; see containerd.log");
    await sleep(200);
  }
  for (const archive of [tools.pauseArchive, tools.toolboxArchive, ...images]) {
    runCommand(tools.ctr, ctrArgs(plan, "images", "import", archive));
  }
  return started;
}

export function startKubelet(plan: NodePlan, tools: NodeTools, kubeconfig: string, start: Start) {
  // Pods reach the local stack by address. A file without a nameserver would make containerd copy the
  // machine's, which is outside; the Pod's own loopback answers nothing and goes nowhere.
  writeFileSync(plan.paths.resolvConf, "nameserver 127.0.0.1\n");
  writeFileSync(plan.paths.kubeletConfig, kubeletConfig(plan));
  const [cmd, args] = inNetns(plan.netns, tools.kubelet, [
    `--config=${plan.paths.kubeletConfig}`,
    `--kubeconfig=${kubeconfig}`,
    `--root-dir=${plan.paths.kubeletRoot}`,
    `--hostname-override=${plan.nodeName}`,
    `--node-ip=${plan.nodeIp}`,
    "--v=1",
  ]);
  return start("kubelet", cmd, args);
}

export function startKubeProxy(plan: NodePlan, tools: NodeTools, kubeconfig: string, start: Start) {
  writeFileSync(plan.paths.kubeProxyConfig, kubeProxyConfig(plan, kubeconfig));
  const [cmd, args] = inNetns(plan.netns, tools.kubeProxy, [`--config=${plan.paths.kubeProxyConfig}`, "--v=1"]);
  return start("kube-proxy", cmd, args);
}

/** The kubelet links every container log into /var/log/containers; links into this node's logs go. */
function removeLogLinks(podLogs: string) {
  const dir = "/var/log/containers";
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir)) {
    const link = join(dir, name);
    try {
      if (readlinkSync(link).startsWith(podLogs)) unlinkSync(link);
    } catch {}
  }
}

/** libcni caches each attachment's result by network name; an unclean stop leaves them. */
function removeCniCache(network: string) {
  const dir = "/var/lib/cni/results";
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir)) if (name.startsWith(`${network}-`)) rmSync(join(dir, name), { force: true });
}

/** What of the node is still on the machine; empty after a clean teardown. */
export function nodeLeftovers(record: NodeRecord): string[] {
  const plan = nodePlan(record.slot, record.dir);
  const left: string[] = [];
  if (existsSync(`/var/run/netns/${plan.netns}`)) left.push(`network namespace ${plan.netns}`);
  if (existsSync(`/sys/class/net/${plan.hostVeth}`)) left.push(`interface ${plan.hostVeth}`);
  for (const hierarchy of hierarchies()) {
    if (existsSync(join(hierarchy, plan.cgroup))) left.push(`cgroup ${join(hierarchy, plan.cgroup)}`);
  }
  for (const point of mountsUnder(plan.dir)) left.push(`mount ${point}`);
  if (existsSync(plan.dir)) left.push(`folder ${plan.dir}`);
  return left;
}

/**
 * After the node's daemons were asked to stop: kill what is left in its cgroup (containers, shims),
 * unmount everything under its folder, delete its namespace and cgroup, remove its files.
 */
export async function teardownNode(record: NodeRecord) {
  const plan = nodePlan(record.slot, record.dir);
  await removeNodeCgroup(plan.cgroup);
  // Twice: a path may carry stacked mounts.
  if (unmountUnder(plan.dir).length > 0) unmountUnder(plan.dir);
  deleteNetwork(plan.netns, plan.hostVeth);
  removeLogLinks(plan.paths.podLogs);
  removeCniCache(plan.cniNetwork);
  rmSync(plan.dir, { recursive: true, force: true });
  const left = nodeLeftovers(record);
  if (left.length > 0) throw new Error(`the node's teardown left ${left.join(", ")}`);
}
