// The node's network: its namespace, the veth pair to the machine, the route back to the Pods, and the
// egress rules. Created before the apiserver starts (it binds the machine side of the veth).
import { existsSync } from "node:fs";
import { CommandError, inNetns, runCommand, tryCommand } from "./command.ts";
import { egressRules, type NodePlan, slotOrder } from "./plan.ts";

/** Claims the first free slot from `preferred` on: `ip netns add` fails when another stack holds it. */
export function claimSlot(preferred: number): number {
  for (const slot of slotOrder(preferred)) {
    if (existsSync(`/var/run/netns/lagpilot-${slot}`) || existsSync(`/sys/class/net/lp${slot}h`)) continue;
    if (tryCommand("ip", ["netns", "add", `lagpilot-${slot}`])) return slot;
  }
  throw new CommandError("every node slot is taken: run `npm run env:down` in the other checkouts");
}

function inNode(plan: NodePlan, command: string, args: string[]) {
  const [cmd, full] = inNetns(plan.netns, command, args);
  return runCommand(cmd, full);
}

/** Everything but the bridge, which the CNI plugin creates with the first Pod. The namespace is claimed. */
export function createNetwork(plan: NodePlan) {
  const link = `${plan.linkPrefix}`;
  runCommand("ip", ["link", "add", plan.hostVeth, "type", "veth", "peer", "name", plan.nodeVeth, "netns", plan.netns]);
  runCommand("ip", ["addr", "add", `${plan.hostIp}/${link}`, "dev", plan.hostVeth]);
  runCommand("ip", ["link", "set", plan.hostVeth, "up"]);
  inNode(plan, "ip", ["addr", "add", `${plan.nodeIp}/${link}`, "dev", plan.nodeVeth]);
  inNode(plan, "ip", ["link", "set", plan.nodeVeth, "up"]);
  inNode(plan, "ip", ["link", "set", "lo", "up"]);
  // Routing between the bridge and the veth happens in the node's namespace only.
  inNode(plan, "sysctl", ["-q", "-w", "net.ipv4.ip_forward=1"]);
  // The machine answers Pods through the node; the route goes away with the veth.
  runCommand("ip", ["route", "add", plan.podSubnet, "via", plan.nodeIp, "dev", plan.hostVeth]);
  for (const rule of egressRules(plan)) inNode(plan, "iptables", ["-w", ...rule]);
}

/** Deleting the namespace deletes the veth pair (and with it the route), the bridge and every rule in it. */
export function deleteNetwork(netns: string, hostVeth: string) {
  if (existsSync(`/sys/class/net/${hostVeth}`)) tryCommand("ip", ["link", "del", hostVeth]);
  if (existsSync(`/var/run/netns/${netns}`)) {
    if (!tryCommand("ip", ["netns", "del", netns])) {
      throw new CommandError(`could not delete network namespace ${netns}; see 'ip netns pids ${netns}'`);
    }
  }
}
