import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { mountsUnder } from "../../env/node/mounts.ts";
import { nodeSchedulable } from "../../env/node/readiness.ts";

describe("nodeSchedulable", () => {
  interface Case {
    name: string;
    node: unknown;
    expect: boolean;
  }
  const ready = { conditions: [{ type: "Ready", status: "True" }] };
  const cases: Case[] = [
    { name: "not registered yet", node: undefined, expect: false },
    { name: "Ready without taints", node: { spec: {}, status: ready }, expect: true },
    {
      name: "Ready but still tainted not-ready (the lifecycle controller has not caught up)",
      node: { spec: { taints: [{ key: "node.kubernetes.io/not-ready", effect: "NoSchedule" }] }, status: ready },
      expect: false,
    },
    {
      name: "a PreferNoSchedule taint does not keep Pods away",
      node: { spec: { taints: [{ key: "x", effect: "PreferNoSchedule" }] }, status: ready },
      expect: true,
    },
    { name: "cordoned", node: { spec: { unschedulable: true }, status: ready }, expect: false },
    {
      name: "NotReady",
      node: { spec: {}, status: { conditions: [{ type: "Ready", status: "False" }] } },
      expect: false,
    },
  ];
  for (const c of cases) it(c.name, () => assert.equal(nodeSchedulable(c.node), c.expect));
});

describe("mountsUnder", () => {
  const mountinfo = [
    "22 1 8:1 / / rw - ext4 /dev/vda rw",
    "40 22 0:50 / /s/node/containerd/state/a/rootfs rw - overlay overlay rw",
    "41 22 0:51 / /s/node/kubelet/pods/p/volumes/secret\\040dir rw - tmpfs tmpfs rw",
    "42 22 0:52 / /s/node-other/x rw - tmpfs tmpfs rw",
    "",
  ].join("\n");
  it("lists mounts under the folder only, with escaped spaces read back", () => {
    assert.deepEqual(mountsUnder("/s/node", mountinfo), [
      "/s/node/containerd/state/a/rootfs",
      "/s/node/kubelet/pods/p/volumes/secret dir",
    ]);
  });
});
