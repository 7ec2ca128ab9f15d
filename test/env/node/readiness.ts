// When the node can take Pods: the kubelet reports Ready, and the node lifecycle controller has lifted the
// taints a new node starts with. Nobody removes a taint by hand.
interface NodeObject {
  spec?: { unschedulable?: boolean; taints?: { key: string; effect: string }[] };
  status?: { conditions?: { type: string; status: string }[] };
}

export function nodeSchedulable(node: unknown): boolean {
  if (typeof node !== "object" || node === null) return false;
  const { spec, status } = node as NodeObject;
  const ready = status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false;
  const blocking = (spec?.taints ?? []).some((t) => t.effect === "NoSchedule" || t.effect === "NoExecute");
  return ready && !spec?.unschedulable && !blocking;
}
