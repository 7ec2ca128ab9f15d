// kubectl lagpilot's views of a group: the top row, partition health in one word, the figures behind a
// decision, the history table and explain's text, and kubectl's table layout.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  type Decision,
  type DecisionFigures,
  explainText,
  figuresInWords,
  type GroupObject,
  healthSummary,
  historyTable,
  topRow,
  topTable,
} from "../../../operator/src/kubectl-plugin/group-view.ts";
import { formatTable } from "../../../operator/src/kubectl-plugin/table.ts";

const scaledUp: Decision = {
  time: "2026-12-02T02:10:00Z",
  fromReplicas: 1,
  toReplicas: 3,
  reason: "ScaledUp",
  message: "lag 14.1s over the 10s target at 850/s arriving; 3 replicas drain it in 20s",
  figures: {
    lag: 12000,
    lagSeconds: 14.1,
    arrivalRate: 850,
    throughputPerReplica: 320,
    targetLagSeconds: 10,
    partitions: 6,
  },
};
const held: Decision = {
  time: "2026-12-02T02:11:00Z",
  fromReplicas: 3,
  toReplicas: 3,
  reason: "Held",
  message: "within target",
};

const group: GroupObject = {
  metadata: { name: "orders", namespace: "shop" },
  spec: { lag: { maxSeconds: 10 }, autoscaling: { enabled: true, minReplicas: 1, maxReplicas: 6 } },
  status: {
    conditions: [{ type: "Ready", status: "True", reason: "Consuming", message: "3 of 3 replicas consuming" }],
    replicas: 3,
    readyReplicas: 3,
    desiredReplicas: 3,
    partitions: 6,
    totalLag: 420,
    lagSeconds: 0.5,
    produceRate: 850,
    consumeRate: 910.25,
    partitionHealth: { ok: 5, warn: 1, stall: 0, stop: 0, rewind: 0 },
    autoscaling: {
      decisions: [scaledUp, held],
      learned: {
        throughputPerReplica: 320,
        podStartSeconds: 8,
        rebalanceSeconds: 3,
        observedAt: "2026-12-02T02:11:00Z",
      },
    },
  },
};

describe("healthSummary", () => {
  interface Case {
    name: string;
    health: Record<string, number> | undefined;
    expect: string;
  }
  const cases: Case[] = [
    { name: "no health yet", health: undefined, expect: "unknown" },
    { name: "all ok", health: { ok: 6, warn: 0, stall: 0, stop: 0, rewind: 0 }, expect: "ok" },
    { name: "no partitions counted", health: { ok: 0 }, expect: "unknown" },
    {
      name: "troubled states, worst first",
      health: { ok: 2, warn: 1, stall: 2, stop: 0, rewind: 1 },
      expect: "rewind:1 stall:2 warn:1",
    },
  ];
  for (const c of cases) it(c.name, () => assert.equal(healthSummary(c.health), c.expect));
});

describe("top", () => {
  it("reads lag, rates, replicas, partitions, health and status from status", () => {
    assert.deepEqual(topRow(group), {
      namespace: "shop",
      name: "orders",
      lag: 420,
      lagSeconds: 0.5,
      rateIn: 850,
      rateOut: 910.25,
      replicas: 3,
      readyReplicas: 3,
      desiredReplicas: 3,
      partitions: 6,
      health: "warn:1",
      status: "Consuming",
    });
  });

  it("shows a group without status as <none>, not as zero", () => {
    const row = topRow({ metadata: { name: "new", namespace: "shop" } });
    const { cells } = topTable([row], false);
    assert.deepEqual(cells[0], [
      "new",
      "<none>",
      "<none>",
      "<none>",
      "<none>",
      "<none>/<none>",
      "<none>",
      "unknown",
      "Unknown",
    ]);
  });

  it("lays the rows out as kubectl does, with a namespace column for -A", () => {
    const { headers, cells } = topTable([topRow(group)], true);
    assert.equal(
      formatTable(headers, cells),
      [
        "NAMESPACE   NAME     LAG   LAG(S)   RATE-IN/S   RATE-OUT/S   REPLICAS   PARTITIONS   HEALTH   STATUS",
        "shop        orders   420   0.5      850         910.3        3/3        6            warn:1   Consuming",
      ].join("\n"),
    );
  });
});

describe("figuresInWords", () => {
  interface Case {
    name: string;
    figures: DecisionFigures | undefined;
    expect: string;
  }
  const cases: Case[] = [
    {
      name: "every figure",
      figures: scaledUp.figures,
      expect: "lag 12000 (14.1s, target 10s), arrival 850/s, 320/s per replica, 6 partitions",
    },
    { name: "none", figures: undefined, expect: "no figures recorded" },
    { name: "empty", figures: {}, expect: "no figures recorded" },
    { name: "a target alone", figures: { targetLagSeconds: 10 }, expect: "lag target 10s" },
    { name: "lag without seconds", figures: { lag: 5 }, expect: "lag 5" },
  ];
  for (const c of cases) it(c.name, () => assert.equal(figuresInWords(c.figures), c.expect));
});

describe("history", () => {
  it("lists every decision, newest first, with the figures behind it", () => {
    const { headers, cells } = historyTable(group);
    assert.deepEqual(headers, ["time", "replicas", "reason", "lag", "lag(s)", "arrival/s", "per-replica/s", "message"]);
    assert.deepEqual(
      cells.map((row) => row.slice(0, 7)),
      [
        ["2026-12-02T02:11:00Z", "3->3", "Held", "<none>", "<none>", "<none>", "<none>"],
        ["2026-12-02T02:10:00Z", "1->3", "ScaledUp", "12000", "14.1", "850", "320"],
      ],
    );
  });
});

describe("explain", () => {
  it("says what the group does now, what it learned, and its last decisions with their figures", () => {
    const text = explainText(group);
    assert.match(text, /^Status: +Consuming \(Ready=True\): 3 of 3 replicas consuming$/m);
    assert.match(text, /^Replicas: +3 desired, 3 ready \(autoscaling 1\.\.6\)$/m);
    assert.match(text, /^Lag: +420 messages, 0\.5s behind \(target 10s\)$/m);
    assert.match(text, /^Learned: +320\/s per replica, pods start in 8s, rebalances take 3s/m);
    const decisions = text.slice(text.indexOf("Decisions (newest first):"));
    assert.ok(decisions.indexOf("Held") < decisions.indexOf("ScaledUp"), "newest first");
    assert.match(
      decisions,
      /ScaledUp {2}1 -> 3 replicas\n {4}lag 14\.1s over .*\n {4}figures: lag 12000 \(14\.1s, target 10s\)/,
    );
  });

  it("says when status holds no decisions, and shows the last change it knows of", () => {
    const text = explainText({
      metadata: { name: "old", namespace: "shop" },
      status: { lastScaleTime: "2026-12-01T10:00:00Z", lastScaleReason: "lag above target" },
    });
    assert.match(
      text,
      /^Decisions: +none recorded in status\.autoscaling; last change 2026-12-01T10:00:00Z: lag above target$/m,
    );
  });
});
