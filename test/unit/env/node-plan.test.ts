import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { egressRules, MAX_SLOT, MIN_SLOT, nodePlan, preferredSlot, slotOrder } from "../../env/node/plan.ts";

describe("node plan", () => {
  interface Case {
    name: string;
    slot: number;
    expect: { netns: string; hostIp: string; nodeIp: string; podSubnet: string; hostVeth: string; bridge: string };
  }
  const cases: Case[] = [
    {
      name: "the first slot",
      slot: 1,
      expect: {
        netns: "lagpilot-1",
        hostIp: "10.243.1.1",
        nodeIp: "10.243.1.2",
        podSubnet: "10.244.1.0/24",
        hostVeth: "lp1h",
        bridge: "lp1br",
      },
    },
    {
      name: "the last slot keeps interface names within the kernel's 15 characters",
      slot: 250,
      expect: {
        netns: "lagpilot-250",
        hostIp: "10.243.250.1",
        nodeIp: "10.243.250.2",
        podSubnet: "10.244.250.0/24",
        hostVeth: "lp250h",
        bridge: "lp250br",
      },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const plan = nodePlan(c.slot, "/state/node");
      const { netns, hostIp, nodeIp, podSubnet, hostVeth, bridge } = plan;
      assert.deepEqual({ netns, hostIp, nodeIp, podSubnet, hostVeth, bridge }, c.expect);
      for (const name of [plan.hostVeth, plan.nodeVeth, plan.bridge]) assert.ok(name.length <= 15, name);
    });
  }

  it("refuses a slot outside the range, so addresses stay valid", () => {
    assert.throws(() => nodePlan(0, "/x"), /outside 1-250/);
    assert.throws(() => nodePlan(251, "/x"), /outside 1-250/);
    assert.throws(() => nodePlan(1.5, "/x"), /outside/);
  });

  it("keeps every file of the node under its folder", () => {
    const plan = nodePlan(7, "/state/node");
    for (const [name, path] of Object.entries(plan.paths)) assert.ok(path.startsWith("/state/node/"), name);
  });

  it("tries every slot once, starting from the preferred one and wrapping around", () => {
    const order = slotOrder(MAX_SLOT - 1);
    assert.deepEqual(order.slice(0, 4), [MAX_SLOT - 1, MAX_SLOT, MIN_SLOT, MIN_SLOT + 1]);
    assert.equal(new Set(order).size, MAX_SLOT - MIN_SLOT + 1);
  });

  it("spreads checkouts over slots by their state folder", () => {
    const a = preferredSlot("/home/a/lagpilot/.lagpilot");
    const b = preferredSlot("/home/b/lagpilot/.lagpilot");
    assert.notEqual(a, b);
    for (const slot of [a, b]) assert.ok(slot >= MIN_SLOT && slot <= MAX_SLOT);
    assert.equal(preferredSlot("/same"), preferredSlot("/same"));
  });

  it("lets Pods reach each other and the control plane's address, and drops everything else they send", () => {
    const plan = nodePlan(3, "/state/node");
    const chain = egressRules(plan).filter((rule) => rule[1] === "LAGPILOT-EGRESS" && rule[0] === "-A");
    assert.deepEqual(chain, [
      ["-A", "LAGPILOT-EGRESS", "-d", "10.244.3.0/24", "-j", "RETURN"],
      ["-A", "LAGPILOT-EGRESS", "-d", "10.243.3.1/32", "-j", "RETURN"],
      ["-A", "LAGPILOT-EGRESS", "-j", "DROP"],
    ]);
    assert.ok(egressRules(plan).some((r) => r.join(" ") === "-I FORWARD 1 -s 10.244.3.0/24 -j LAGPILOT-EGRESS"));
  });
});
