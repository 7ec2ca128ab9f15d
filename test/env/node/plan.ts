// The node's names, addresses and config files, derived from one small number (the stack's slot) and the
// node's folder. Pure: the I/O that creates them lives in network.ts and node.ts.
//
// The node runs in a network namespace of its own, joined to the machine by one veth pair:
//   machine side  lp<slot>h  10.243.<slot>.1/30   apiserver, Kafka's Pod listener (never the machine's NIC)
//   node side     lp<slot>n  10.243.<slot>.2/30   kubelet, kube-proxy, containerd, the Pod bridge
//   Pod bridge    lp<slot>br 10.244.<slot>.0/24   gateway .1
// Pods reach only what is routed inside that namespace (the veth's /30 and the Pod subnet), so their
// traffic cannot leave the machine; deleting the namespace removes every interface and iptables rule in it.
// One slot per stack keeps stacks of several checkouts on one machine apart.
import { join } from "node:path";

export interface NodePlan {
  slot: number;
  nodeName: string;
  netns: string;
  hostVeth: string;
  nodeVeth: string;
  bridge: string;
  /** The machine side of the veth: what Pods and the kubelet reach the control plane and Kafka by. */
  hostIp: string;
  /** The node side of the veth: the Node's InternalIP, where the kubelet listens. */
  nodeIp: string;
  linkPrefix: number;
  podSubnet: string;
  podGateway: string;
  serviceSubnet: string;
  /** A cgroup of its own in every hierarchy: kubelet's cgroupRoot, and where containerd and its shims run. */
  cgroup: string;
  cniNetwork: string;
  dir: string;
  paths: {
    containerdConfig: string;
    containerdRoot: string;
    containerdState: string;
    containerdSocket: string;
    cniConfDir: string;
    cniIpamDir: string;
    kubeletRoot: string;
    kubeletConfig: string;
    kubeProxyConfig: string;
    podLogs: string;
    resolvConf: string;
  };
}

export const MIN_SLOT = 1;
export const MAX_SLOT = 250;
export const SERVICE_SUBNET = "10.96.0.0/16";

/** The slot a checkout tries first, spread by its path so two checkouts rarely meet. */
export function preferredSlot(stateDir: string): number {
  let hash = 0;
  for (const char of stateDir) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return MIN_SLOT + (hash % (MAX_SLOT - MIN_SLOT + 1));
}

/** Slots in the order to try them: the preferred one, then the next ones, wrapping around. */
export function slotOrder(preferred: number): number[] {
  const count = MAX_SLOT - MIN_SLOT + 1;
  return Array.from({ length: count }, (_, i) => MIN_SLOT + ((preferred - MIN_SLOT + i) % count));
}

export function nodePlan(slot: number, dir: string): NodePlan {
  if (!Number.isInteger(slot) || slot < MIN_SLOT || slot > MAX_SLOT) {
    throw new Error(`node slot ${slot} is outside ${MIN_SLOT}-${MAX_SLOT}`);
  }
  const containerdDir = join(dir, "containerd");
  return {
    slot,
    nodeName: "lagpilot-node",
    netns: `lagpilot-${slot}`,
    hostVeth: `lp${slot}h`,
    nodeVeth: `lp${slot}n`,
    bridge: `lp${slot}br`,
    hostIp: `10.243.${slot}.1`,
    nodeIp: `10.243.${slot}.2`,
    linkPrefix: 30,
    podSubnet: `10.244.${slot}.0/24`,
    podGateway: `10.244.${slot}.1`,
    serviceSubnet: SERVICE_SUBNET,
    cgroup: `lagpilot-${slot}`,
    cniNetwork: `lagpilot-${slot}`,
    dir,
    paths: {
      containerdConfig: join(containerdDir, "config.toml"),
      containerdRoot: join(containerdDir, "root"),
      containerdState: join(containerdDir, "state"),
      containerdSocket: join(containerdDir, "containerd.sock"),
      cniConfDir: join(dir, "cni", "conf"),
      cniIpamDir: join(dir, "cni", "ipam"),
      kubeletRoot: join(dir, "kubelet"),
      kubeletConfig: join(dir, "kubelet.yaml"),
      kubeProxyConfig: join(dir, "kube-proxy.yaml"),
      podLogs: join(dir, "pod-logs"),
      resolvConf: join(dir, "resolv.conf"),
    },
  };
}

/**
 * containerd's CRI, run as a private daemon: its own root, state and socket; the sandbox image imported
 * beforehand (no registry is reachable); oom_score_adj never lowered (the processes here may not).
 */
export function containerdConfig(plan: NodePlan, sandboxImage: string, runc: string, cniBinDir: string): string {
  const p = plan.paths;
  return `version = 2
root = "${p.containerdRoot}"
state = "${p.containerdState}"
oom_score = 0

[grpc]
  address = "${p.containerdSocket}"

[ttrpc]
  address = "${p.containerdSocket}.ttrpc"

[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "${sandboxImage}"
  restrict_oom_score_adj = true
  netns_mounts_under_state_dir = true
  enable_selinux = false
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        BinaryName = "${runc}"
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "${cniBinDir}"
    conf_dir = "${p.cniConfDir}"
`;
}

/** The Pod network: a bridge with the gateway on it, addresses from host-local, no masquerade. */
export function cniConflist(plan: NodePlan): string {
  return `${JSON.stringify(
    {
      cniVersion: "0.4.0",
      name: plan.cniNetwork,
      plugins: [
        {
          type: "bridge",
          bridge: plan.bridge,
          isGateway: true,
          ipMasq: false,
          hairpinMode: true,
          ipam: {
            type: "host-local",
            ranges: [[{ subnet: plan.podSubnet, gateway: plan.podGateway }]],
            routes: [{ dst: "0.0.0.0/0" }],
            dataDir: plan.paths.cniIpamDir,
          },
        },
        { type: "portmap", capabilities: { portMappings: true } },
      ],
    },
    null,
    2,
  )}\n`;
}

export function kubeletConfig(plan: NodePlan): string {
  const p = plan.paths;
  return `apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: ${plan.nodeIp}
port: 10250
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: 10248
# The kubelet API answers only inside this machine (the node's namespace); see network.ts for the rule
# that keeps Pods away from it.
authentication:
  anonymous: { enabled: true }
  webhook: { enabled: false }
authorization:
  mode: AlwaysAllow
cgroupDriver: cgroupfs
cgroupRoot: /${plan.cgroup}
failCgroupV1: false
failSwapOn: false
containerRuntimeEndpoint: unix://${p.containerdSocket}
# Only a loopback nameserver: Pods here reach the stack by address, and nothing outside the machine.
resolvConf: ${p.resolvConf}
podLogsDir: ${p.podLogs}
serializeImagePulls: false
# The disk is shared with everything else on the machine: never evict for it.
evictionHard:
  memory.available: "1Mi"
  nodefs.available: "1%"
  nodefs.inodesFree: "1%"
  imagefs.available: "1%"
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
syncFrequency: 10s
`;
}

export function kubeProxyConfig(plan: NodePlan, kubeconfig: string): string {
  return `apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
mode: iptables
hostnameOverride: ${plan.nodeName}
clusterCIDR: ${plan.podSubnet}
bindAddress: ${plan.nodeIp}
healthzBindAddress: 127.0.0.1:10256
metricsBindAddress: 127.0.0.1:10249
clientConnection:
  kubeconfig: ${kubeconfig}
iptables:
  localhostNodePorts: false
# conntrack limits are the machine's, not this namespace's: leave them alone.
conntrack:
  maxPerCore: 0
  min: 0
  tcpEstablishedTimeout: 0s
  tcpCloseWaitTimeout: 0s
`;
}

/**
 * iptables rules inside the node's namespace: Pods may talk to each other and to the machine side of the
 * veth (the control plane and Kafka); anything else from the Pod subnet is dropped, and the kubelet's API
 * is not theirs to call.
 */
export function egressRules(plan: NodePlan): string[][] {
  return [
    ["-N", "LAGPILOT-EGRESS"],
    ["-A", "LAGPILOT-EGRESS", "-d", plan.podSubnet, "-j", "RETURN"],
    ["-A", "LAGPILOT-EGRESS", "-d", `${plan.hostIp}/32`, "-j", "RETURN"],
    ["-A", "LAGPILOT-EGRESS", "-j", "DROP"],
    ["-I", "FORWARD", "1", "-s", plan.podSubnet, "-j", "LAGPILOT-EGRESS"],
    ["-I", "INPUT", "1", "-s", plan.podSubnet, "-p", "tcp", "--dport", "10250", "-j", "DROP"],
  ];
}
