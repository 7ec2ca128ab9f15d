// The chaos scenarios, one at a time: each sets up its group, runs steady load, injects its fault through the
// fleets of targets.ts, and turns the outcome into figures and goals.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { request } from "node:https";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import * as k8s from "@kubernetes/client-node";
import { API_VERSION, GROUP, PLURAL, VERSION } from "../../operator/src/api/group.ts";
import { kafkaAnswers } from "../env/stack.ts";
import {
  describeDuplicateBound,
  duplicateBound,
  type Goal,
  goal,
  type RecoveryFigures,
  recoveryAfter,
  steadyRate,
  timeline,
} from "./figures.ts";
import type { ChaosContext, FaultMark, ScenarioRun as Run, ScenarioOutcome } from "./harness.ts";
import { ScenarioRun } from "./harness.ts";
import { sendMarker } from "./load.ts";
import { LocalOperatorFleet } from "./local-operators.ts";
import { LocalStackPart } from "./local-stack.ts";
import type { ConsumerReplica, OperatorFleet, OperatorReplica } from "./targets.ts";

export interface FailoverTrial {
  settings: "chart defaults" | "test settings";
  signal: "SIGKILL" | "SIGTERM" | "SIGSTOP";
  leaseSeconds: number;
  retrySeconds: number;
  /** Kill to the Lease acquired by the new leader (its log line), seconds. */
  acquiredSeconds: number | null;
  /** Kill to the first reconcile finished by the new leader, seconds. */
  firstReconcileSeconds: number | null;
  /** SIGSTOP only: reconciles the frozen leader finished after it was thawed, while it no longer held the Lease. */
  reconcilesAfterThaw?: number;
}

export interface KafkaOutageFigures {
  replicasHeld: number[];
  conditions: string[];
  operatorLogLines: number;
  operatorLogSample: string[];
}

export interface ScenarioResult {
  name: string;
  fault: string;
  inLog: number;
  handled: number;
  lost: number;
  lostSample: string[];
  lostByPartition: Record<number, number>;
  duplicates: number;
  duplicateBound: number;
  duplicateBoundText: string;
  deadLettered: number;
  drained: boolean;
  steadyRate: number;
  /** Largest recovery over the scenario's faults, measured from each fault's end. */
  backAtFullRateSeconds: number;
  stalledSeconds: number;
  perFault: (FaultMark & RecoveryFigures)[];
  /** Records first handled per second, from the load's start to the last record. */
  timeline: number[];
  kafkaOutage?: KafkaOutageFigures;
  operatorRestarts: number;
  failover?: FailoverTrial[];
  extra: Record<string, unknown>;
  goals: Goal[];
  notes: string[];
}

export type Scenario = (ctx: ChaosContext) => Promise<ScenarioResult>;

const warmupSeconds = 5;
const firstFaultSeconds = 15;

/** Figures every load scenario reports, and the goals every scenario shares. */
function evaluate(
  ctx: ChaosContext,
  run: Run,
  outcome: ScenarioOutcome,
  fault: string,
  replicasHit: number,
  crashesBefore: number,
): ScenarioResult {
  const overlap = ctx.operators.leaderOverlap();
  const overlapNow = {
    episodes: overlap.episodes - run.overlapAtStart.episodes,
    seconds: Math.round((overlap.seconds - run.overlapAtStart.seconds) * 100) / 100,
  };
  const { tally, faults } = outcome;
  const perSecond = tally.firstHandledPerSecond;
  const firstFault = faults[0]?.atMs ?? outcome.loadEndMs;
  // Full rate: what the group handled before the first fault, but never more than the load offers (a group
  // still catching up on its start would otherwise set a bar no steady load can reach).
  const steady = Math.min(
    ctx.settings.ratePerSecond,
    steadyRate(perSecond, outcome.loadStartMs + warmupSeconds * 1000, firstFault),
  );
  // The load's end, or the drain's when a backlog outlived the load.
  const windowEnd = Math.max(outcome.loadEndMs, Math.min(tally.lastFirstHandledMs, outcome.loadEndMs + 600_000));
  const perFault = faults.map((f, i) => ({
    ...f,
    ...recoveryAfter(perSecond, f.endMs, Math.min(faults[i + 1]?.atMs ?? windowEnd, windowEnd), steady),
  }));
  const boundInput = {
    commitIntervalMs: ctx.settings.commitIntervalMs,
    ratePerSecond: ctx.settings.ratePerSecond,
    replicas: ctx.settings.replicas,
    replicasHit,
  };
  const bound = duplicateBound(boundInput);
  const crashes = ctx.operators.unexpectedExits() - crashesBefore;
  return {
    name: run.name,
    fault,
    inLog: tally.inLog,
    handled: tally.handled,
    lost: tally.lost,
    lostSample: tally.lostSample,
    lostByPartition: tally.lostByPartition,
    duplicates: tally.duplicates,
    duplicateBound: bound,
    duplicateBoundText: describeDuplicateBound(boundInput),
    deadLettered: tally.deadLettered,
    drained: outcome.drained,
    steadyRate: steady,
    backAtFullRateSeconds: Math.max(0, ...perFault.map((f) => f.backAtFullRateSeconds)),
    stalledSeconds: perFault.reduce((sum, f) => sum + f.stalledSeconds, 0),
    perFault,
    timeline: timeline(perSecond, outcome.loadStartMs, tally.lastFirstHandledMs),
    operatorRestarts: crashes,
    extra: {},
    goals: [
      goal("lost 0", tally.lost === 0, `${tally.lost} of ${tally.inLog} records never handled`),
      goal(
        "duplicates within bound",
        tally.duplicates <= bound,
        `${tally.duplicates} handled twice; bound ${describeDuplicateBound(boundInput)}`,
      ),
      goal("no operator crash", crashes === 0, `${crashes} unexpected operator exits`),
      goal(
        "never two leaders",
        overlapNow.episodes === 0,
        `${overlapNow.episodes} times two operator replicas both led, ${overlapNow.seconds} s in all`,
      ),
    ],
    notes: [
      ...(outcome.drained ? [] : [`not drained within ${ctx.settings.drainTimeoutSeconds} s after the load ended`]),
      ...(tally.outside > 0 ? [`${tally.outside} ledger lines name offsets outside the log`] : []),
    ],
  };
}

function recordsFor(ctx: ChaosContext, seconds: number): number {
  return Math.round(ctx.settings.ratePerSecond * seconds);
}

/** A consumer busy handling right now: the one whose ledger grew last. */
function busiest(ctx: ChaosContext, replicas: ConsumerReplica[]): ConsumerReplica {
  let best: { replica: ConsumerReplica; mtime: number } | undefined;
  const files = readdirSync(ctx.ledgerDir);
  for (const replica of replicas) {
    for (const file of files.filter((f) => f.startsWith(`${replica.pod}-`))) {
      const mtime = statSync(join(ctx.ledgerDir, file)).mtimeMs;
      if (!best || mtime > best.mtime) best = { replica, mtime };
    }
  }
  return best?.replica ?? (replicas[Math.floor(Math.random() * replicas.length)] as ConsumerReplica);
}

/** 1. Consumer kills mid-batch: SIGKILL of the process and Pod deletion with grace 0, alternating. */
export const consumerKills: Scenario = async (ctx) => {
  const crashes = ctx.operators.unexpectedExits();
  const run = new ScenarioRun(ctx, "consumer-kills");
  try {
    await run.setUp();
    const records = ctx.settings.killRecords;
    const loadSeconds = records / ctx.settings.ratePerSecond;
    const spacing = Math.max(3, (loadSeconds - firstFaultSeconds - 10) / ctx.settings.kills);
    await run.startLoad(records);
    for (let i = 0; i < ctx.settings.kills; i++) {
      await run.at(firstFaultSeconds + i * spacing);
      const running = await ctx.consumers.running(ctx.namespace, run.name);
      if (running.length === 0) {
        ctx.log(`  ${run.name}: no consumer running at kill ${i + 1}; skipped`);
        continue;
      }
      const victim = busiest(ctx, running);
      const at = Date.now();
      if (i % 2 === 0) {
        await ctx.consumers.killProcess(victim);
        run.mark("SIGKILL", at, victim.pod);
      } else {
        await ctx.consumers.deletePod(victim);
        run.mark("Pod deleted (grace 0)", at, victim.pod);
      }
    }
    const outcome = await run.finish(0);
    const result = evaluate(
      ctx,
      run,
      outcome,
      `${run.faults.length} consumer kills in ${records} records`,
      run.faults.length,
      crashes,
    );
    return result;
  } finally {
    await run.tearDown();
  }
};

function kafkaOutage(ctx: ChaosContext, outcome: ScenarioOutcome, fault: FaultMark): KafkaOutageFigures {
  const from = fault.atMs;
  const to = fault.endMs + 20_000;
  const inWindow = outcome.samples.filter((s) => s.atMs >= from && s.atMs <= to);
  const lines = ctx.operators.replicas
    .flatMap((r) => r.lines())
    .filter((line) => {
      const time = Date.parse(/"time":"([^"]+)"/.exec(line)?.[1] ?? "");
      return time >= from && time <= to && /kafka/i.test(line) && /"level":"(warn|error|info)"/.test(line);
    });
  return {
    replicasHeld: [...new Set(inWindow.map((s) => s.deploymentReplicas ?? -1))],
    conditions: [...new Set(inWindow.flatMap((s) => s.conditions))].sort(),
    operatorLogLines: lines.length,
    operatorLogSample: lines.slice(0, 3),
  };
}

async function untilTrue(probe: () => Promise<boolean>, timeoutMs: number, everyMs = 200): Promise<number | null> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe()) return Date.now();
    await sleep(everyMs);
  }
  return null;
}

function brokerGoals(result: ScenarioResult, outage: KafkaOutageFigures, replicas: number): void {
  result.kafkaOutage = outage;
  result.goals.push(
    goal(
      "the operator logs the Kafka outage",
      outage.operatorLogLines > 0,
      `${outage.operatorLogLines} operator log lines about Kafka while it was unreachable`,
    ),
    goal(
      "replicas held while Kafka was unreachable",
      outage.replicasHeld.every((r) => r === replicas),
      `Deployment replicas seen: ${outage.replicasHeld.join(", ")}`,
    ),
  );
}

/** 2. The broker killed with SIGKILL and started again at once. */
export const brokerKill: Scenario = async (ctx) => {
  const crashes = ctx.operators.unexpectedExits();
  const run = new ScenarioRun(ctx, "broker-kill");
  try {
    await run.setUp();
    await run.startLoad(recordsFor(ctx, firstFaultSeconds + 45));
    await run.at(firstFaultSeconds);
    const kafka = new LocalStackPart("kafka");
    const at = Date.now();
    kafka.signal("SIGKILL");
    if (!(await kafka.exited(30_000))) throw new Error("the broker did not die after SIGKILL");
    await kafka.restart();
    const back = await untilTrue(() => kafkaAnswers(ctx.env.kafka.bootstrap), 120_000, 250);
    if (back === null) throw new Error("the broker did not answer within 120 s of its restart");
    run.mark("broker SIGKILL + restart", at, `answered again after ${((back - at) / 1000).toFixed(1)} s`, back);
    const outcome = await run.finish(0);
    const result = evaluate(ctx, run, outcome, "broker SIGKILL, restarted at once", ctx.settings.replicas, crashes);
    brokerGoals(result, kafkaOutage(ctx, outcome, run.faults[0] as FaultMark), ctx.settings.replicas);
    result.extra.brokerBackSeconds = Math.round((back - at) / 100) / 10;
    result.notes.push("back at full rate is measured from the moment the broker answered again");
    return result;
  } finally {
    await run.tearDown();
  }
};

/** 3. The broker frozen with SIGSTOP, thawed with SIGCONT. */
export const brokerFreeze: Scenario = async (ctx) => {
  const crashes = ctx.operators.unexpectedExits();
  const run = new ScenarioRun(ctx, "broker-freeze");
  const freeze = ctx.settings.freezeSeconds;
  const kafka = new LocalStackPart("kafka");
  try {
    await run.setUp();
    await run.startLoad(recordsFor(ctx, firstFaultSeconds + freeze + 30));
    await run.at(firstFaultSeconds);
    const at = Date.now();
    kafka.signal("SIGSTOP");
    await sleep(freeze * 1000);
    kafka.signal("SIGCONT");
    run.mark(`broker SIGSTOP ${freeze} s`, at, "then SIGCONT", Date.now());
    const outcome = await run.finish(0);
    const result = evaluate(ctx, run, outcome, `broker frozen ${freeze} s`, ctx.settings.replicas, crashes);
    brokerGoals(result, kafkaOutage(ctx, outcome, run.faults[0] as FaultMark), ctx.settings.replicas);
    result.notes.push("back at full rate is measured from SIGCONT");
    return result;
  } finally {
    try {
      kafka.signal("SIGCONT");
    } catch {}
    await run.tearDown();
  }
};

function apiserverReady(ctx: ChaosContext): Promise<boolean> {
  const token = /token: (\S+)/.exec(readFileSync(ctx.env.kubeconfig, "utf8"))?.[1] ?? "";
  return new Promise((resolve) => {
    const req = request(
      `${ctx.env.kubeApiserver}/readyz`,
      { rejectUnauthorized: false, timeout: 2000, headers: { authorization: `Bearer ${token}` } },
      (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      },
    );
    req.on("error", () => resolve(false));
    req.on("timeout", () => req.destroy());
    req.end();
  });
}

async function leader(fleet: OperatorFleet): Promise<OperatorReplica | undefined> {
  const holder = await fleet.leaseHolder();
  return fleet.replicas.find((r) => r.name === holder && r.alive());
}

/** 4. kube-apiserver and etcd killed and started again. */
export const controlPlaneRestart: Scenario = async (ctx) => {
  const crashes = ctx.operators.unexpectedExits();
  const run = new ScenarioRun(ctx, "control-plane");
  try {
    await run.setUp();
    await run.startLoad(recordsFor(ctx, firstFaultSeconds + 40));
    await run.at(firstFaultSeconds);
    const etcd = new LocalStackPart("etcd");
    const apiserver = new LocalStackPart("kube-apiserver");
    const before = await leader(ctx.operators);
    const at = Date.now();
    apiserver.signal("SIGKILL");
    etcd.signal("SIGKILL");
    await Promise.all([apiserver.exited(30_000), etcd.exited(30_000)]);
    await etcd.restart();
    await apiserver.restart();
    const back = await untilTrue(() => apiserverReady(ctx), 120_000, 250);
    if (back === null) throw new Error("kube-apiserver did not become ready within 120 s of its restart");
    run.mark("kube-apiserver + etcd SIGKILL + restart", at, `ready after ${((back - at) / 1000).toFixed(1)} s`, back);
    // The operator reconciles again: the next reconcile finished by whichever replica leads now.
    const counts = new Map<string, number>();
    for (const r of ctx.operators.replicas) counts.set(r.name, (await r.reconciles()) ?? 0);
    const resumed = await untilTrue(
      async () => {
        for (const r of ctx.operators.replicas)
          if (((await r.reconciles()) ?? 0) > (counts.get(r.name) ?? 0)) return true;
        return false;
      },
      90_000,
      100,
    );
    const kcm = (() => {
      try {
        new LocalStackPart("kube-controller-manager");
        return "running";
      } catch {
        return "not running";
      }
    })();
    const outcome = await run.finish(0);
    const result = evaluate(ctx, run, outcome, "kube-apiserver and etcd SIGKILL, restarted", 0, crashes);
    const after = await leader(ctx.operators);
    result.extra = {
      apiserverBackSeconds: Math.round((back - at) / 100) / 10,
      operatorReconciledAgainSeconds: resumed === null ? null : Math.round((resumed - back) / 100) / 10,
      leaderBefore: before?.name ?? null,
      leaderAfter: after?.name ?? null,
      kubeControllerManager: kcm,
    };
    result.goals.push(
      goal(
        "operator reconciles again after the apiserver returns",
        resumed !== null,
        resumed === null ? "no reconcile within 90 s" : `after ${result.extra.operatorReconciledAgainSeconds} s`,
      ),
    );
    return result;
  } finally {
    await run.tearDown();
  }
};

async function failoverTrial(
  fleet: LocalOperatorFleet,
  signal: "SIGKILL" | "SIGTERM" | "SIGSTOP",
  settings: FailoverTrial["settings"],
  log: (line: string) => void,
): Promise<FailoverTrial> {
  const leaseSeconds = fleet.leaseDurationSeconds;
  // operator/src/main.ts: the retry period is a fifth of the lease, at least 0.5 s.
  const retrySeconds = Math.max(0.5, leaseSeconds / 5);
  let current: OperatorReplica | undefined;
  for (let i = 0; i < 100 && !current; i++) {
    current = await leader(fleet);
    if (!current) await sleep(200);
  }
  if (!current) throw new Error("no operator holds the lease");
  const old = current;
  const standby = fleet.replicas.find((r) => r !== old && r.alive());
  if (!standby) throw new Error("no standby operator");
  const base = (await standby.reconciles()) ?? 0;
  const oldBase = (await old.reconciles()) ?? 0;
  const leadingBefore = standby.startedLeadingAt();
  const at = Date.now();
  old.signal(signal);
  const reconciled = await untilTrue(
    async () => ((await standby.reconciles()) ?? 0) > base,
    (leaseSeconds * 3 + 15) * 1000,
    25,
  );
  const leadingAt = standby.startedLeadingAt();
  const trial: FailoverTrial = {
    settings,
    signal,
    leaseSeconds,
    retrySeconds,
    acquiredSeconds: leadingAt !== undefined && leadingAt !== leadingBefore ? Math.round(leadingAt - at) / 1000 : null,
    firstReconcileSeconds: reconciled === null ? null : Math.round(reconciled - at) / 1000,
  };
  if (signal === "SIGSTOP") {
    old.signal("SIGCONT");
    // Whatever the thawed replica finishes now, it finishes without the lease.
    await sleep(Math.max(3000, retrySeconds * 2000));
    trial.reconcilesAfterThaw = Math.max(0, ((await old.reconciles()) ?? oldBase) - oldBase);
  } else {
    await old.exited();
    await old.restart();
  }
  log(
    `  operator-leader: ${settings} ${signal}: acquired ${trial.acquiredSeconds ?? "-"} s, first reconcile ${trial.firstReconcileSeconds ?? "-"} s`,
  );
  await sleep(retrySeconds * 2000);
  return trial;
}

/** 5. The operator's leader killed (SIGKILL), stopped (SIGTERM) and frozen (SIGSTOP, standing in for a
 * network cut between the leader and the apiserver), at test settings and at the chart's defaults. */
export const operatorLeader: Scenario = async (ctx) => {
  const crashes = ctx.operators.unexpectedExits();
  const run = new ScenarioRun(ctx, "operator-leader");
  const trials: FailoverTrial[] = [];
  let defaults: LocalOperatorFleet | undefined;
  try {
    await run.setUp();
    // Lighter load: the trials take minutes and the consumers are not the subject here.
    const quarter = Math.round(ctx.settings.ratePerSecond / 4);
    await run.startLoad(quarter * 600, quarter);
    await run.at(firstFaultSeconds);
    const at = Date.now();
    for (const signal of ["SIGKILL", "SIGKILL", "SIGKILL", "SIGKILL", "SIGKILL"] as const)
      trials.push(await failoverTrial(ctx.operators, signal, "test settings", ctx.log));
    for (const signal of ["SIGTERM", "SIGTERM", "SIGTERM", "SIGTERM", "SIGTERM"] as const)
      trials.push(await failoverTrial(ctx.operators, signal, "test settings", ctx.log));
    for (const signal of ["SIGSTOP", "SIGSTOP"] as const)
      trials.push(await failoverTrial(ctx.operators, signal, "test settings", ctx.log));
    // The chart's defaults: a 15 s lease (values.yaml leaderElection.leaseDurationSeconds), so a 3 s retry.
    await ctx.operators.stop();
    defaults = new LocalOperatorFleet({
      ...ctx.operators.settings,
      leaseName: "lagpilot-chaos-defaults",
      leaseDurationSeconds: 15,
    });
    await defaults.start();
    for (const signal of ["SIGKILL", "SIGKILL", "SIGKILL", "SIGTERM", "SIGTERM"] as const)
      trials.push(await failoverTrial(defaults, signal, "chart defaults", ctx.log));
    await defaults.stop();
    await ctx.operators.start();
    run.mark("leader kills", at, `${trials.length} trials`, Date.now());
    await run.stopLoad();
    const outcome = await run.finish(0);
    const result = evaluate(ctx, run, outcome, "operator leader killed, stopped, frozen", 0, crashes);
    result.operatorRestarts += defaults.unexpectedExits();
    result.failover = trials;
    const within = (t: FailoverTrial, limit: number) =>
      t.firstReconcileSeconds !== null && t.firstReconcileSeconds <= limit;
    const kills = (s: FailoverTrial["settings"]) => trials.filter((t) => t.settings === s && t.signal === "SIGKILL");
    const worst = (list: FailoverTrial[]) =>
      Math.max(...list.map((t) => t.firstReconcileSeconds ?? Number.POSITIVE_INFINITY));
    const atDefaults = kills("chart defaults");
    const atTest = kills("test settings");
    const handOvers = trials.filter((t) => t.settings === "test settings" && t.signal === "SIGTERM");
    result.goals.push(
      goal(
        "failover within lease + retry (chart defaults: 15 s + 3 s)",
        atDefaults.every((t) => within(t, t.leaseSeconds + t.retrySeconds)),
        `worst ${worst(atDefaults)} s of ${atDefaults.length} SIGKILLs`,
      ),
      goal(
        "failover within 5 s (test settings: 2 s lease, 0.5 s retry)",
        atTest.every((t) => within(t, 5)),
        `worst ${worst(atTest)} s of ${atTest.length} SIGKILLs`,
      ),
      goal(
        "graceful hand-over within 2 s (SIGTERM, test settings)",
        handOvers.every((t) => within(t, 2)),
        `worst ${worst(handOvers)} s of ${handOvers.length} SIGTERMs`,
      ),
    );
    const thawed = trials.filter((t) => t.signal === "SIGSTOP");
    result.extra.reconcilesByThawedLeader = thawed.map((t) => t.reconcilesAfterThaw ?? 0);
    result.notes.push(
      "SIGSTOP of the leader stands in for cutting its node's network from the apiserver (no node network here)",
    );
    return result;
  } finally {
    await defaults?.stop();
    if (!ctx.operators.replicas.every((r) => r.alive())) {
      await ctx.operators.stop();
      await ctx.operators.start();
    }
    await run.tearDown();
  }
};

/** 6. A poison message (always fails): retried, dead-lettered, and the group goes on. */
export const poisonMessage: Scenario = async (ctx) => {
  const crashes = ctx.operators.unexpectedExits();
  const run = new ScenarioRun(ctx, "poison");
  try {
    await run.setUp();
    await run.startLoad(recordsFor(ctx, firstFaultSeconds + 30));
    await run.at(firstFaultSeconds);
    const at = Date.now();
    await sendMarker(ctx.env.kafka.bootstrap, run.topic, 0, "chaos-poison");
    run.mark("poison record", at, "partition 0");
    const outcome = await run.finish(1);
    const result = evaluate(ctx, run, outcome, "one record that always fails", 0, crashes);
    result.goals.push(
      goal("the poison is dead-lettered", result.deadLettered === 1, `${result.deadLettered} record(s) dead-lettered`),
    );
    return result;
  } finally {
    await run.tearDown();
  }
};

/** 7. A poison message while processing.deadLetter.topic names a topic that does not exist. */
export const poisonMissingDeadLetter: Scenario = async (ctx) => {
  const crashes = ctx.operators.unexpectedExits();
  const run = new ScenarioRun(ctx, "poison-no-dlq", { deadLetterTopic: `${ctx.namespace}-no-such-dlq` });
  try {
    await run.setUp();
    await run.startLoad(recordsFor(ctx, firstFaultSeconds + 30));
    await run.at(firstFaultSeconds);
    const at = Date.now();
    await sendMarker(ctx.env.kafka.bootstrap, run.topic, 0, "chaos-poison");
    run.mark("poison record, dead-letter topic missing", at, "partition 0");
    const outcome = await run.finish(0, 45);
    const result = evaluate(ctx, run, outcome, "poison; the dead-letter topic does not exist", 0, crashes);
    // The poison's own partition may stop (nothing can take the record); no other partition may.
    const others = Object.entries(result.lostByPartition).filter(([p]) => p !== "0");
    const heldElsewhere = others.reduce((sum, [, n]) => sum + n, 0);
    result.goals = result.goals.filter((g) => g.name !== "lost 0");
    result.goals.unshift(
      goal(
        "only the poison's partition stops",
        heldElsewhere === 0,
        `unhandled outside partition 0: ${heldElsewhere} (partitions ${others.map(([p]) => p).join(", ") || "none"})`,
      ),
    );
    const custom = ctx.kubeConfig.makeApiClient(k8s.CustomObjectsApi);
    const group = (await custom
      .getNamespacedCustomObject({
        group: GROUP,
        version: VERSION,
        namespace: ctx.namespace,
        plural: PLURAL,
        name: run.name,
      })
      .catch(() => ({}))) as { status?: { conditions?: { type: string; reason: string; message?: string }[] } };
    const events = await ctx.kubeConfig
      .makeApiClient(k8s.CoreV1Api)
      .listNamespacedEvent({ namespace: ctx.namespace, fieldSelector: `involvedObject.name=${run.name}` })
      .catch(() => ({ items: [] as k8s.CoreV1Event[] }));
    const named = (text: string | undefined) => (text ?? "").includes("no-such-dlq");
    const condition = group.status?.conditions?.find((c) => named(c.message));
    const event = events.items.find((e) => named(e.message));
    result.goals.push(
      goal(
        "a condition and an Event name the missing topic",
        condition !== undefined && event !== undefined,
        `condition: ${condition ? `${condition.type}/${condition.reason}` : "none"}; event: ${event?.reason ?? "none"}`,
      ),
    );
    result.extra.apiVersion = API_VERSION;
    return result;
  } finally {
    await run.tearDown();
  }
};

/** 8. A slow handler past its deadline: one batch takes three times processing.handler.module.timeoutMs. */
export const slowHandler: Scenario = async (ctx) => {
  const crashes = ctx.operators.unexpectedExits();
  const deadlineMs = ctx.settings.handlerDeadlineMs;
  const run = new ScenarioRun(ctx, "slow-handler", { moduleTimeoutMs: deadlineMs });
  const slowSeconds = (deadlineMs * 3) / 1000;
  try {
    await run.setUp();
    await run.startLoad(recordsFor(ctx, firstFaultSeconds + slowSeconds + 30));
    await run.at(firstFaultSeconds);
    const at = Date.now();
    await sendMarker(ctx.env.kafka.bootstrap, run.topic, 0, "chaos-slow");
    run.mark(`handler call of ${slowSeconds} s`, at, `deadline ${deadlineMs / 1000} s, partition 0`);
    const outcome = await run.finish(0);
    // The late call finishes its batch after the retry did: that batch is handled twice, by design.
    const result = evaluate(
      ctx,
      run,
      outcome,
      `one call takes ${slowSeconds} s; processing.handler.module.timeoutMs ${deadlineMs / 1000} s`,
      1,
      crashes,
    );
    result.goals.push(
      goal(
        "the stalled partition moves on after the deadline",
        result.backAtFullRateSeconds < slowSeconds,
        `back at full rate after ${result.backAtFullRateSeconds} s; the call took ${slowSeconds} s`,
      ),
    );
    return result;
  } finally {
    await run.tearDown();
  }
};

export const scenarios: Record<string, Scenario> = {
  "consumer-kills": consumerKills,
  "broker-kill": brokerKill,
  "broker-freeze": brokerFreeze,
  "control-plane": controlPlaneRestart,
  "operator-leader": operatorLeader,
  poison: poisonMessage,
  "poison-no-dlq": poisonMissingDeadLetter,
  "slow-handler": slowHandler,
};
