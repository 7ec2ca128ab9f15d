// The scaling decision: observations, settings, previous state and the clock in; replicas,
// partitions and a reason out. Pure: no I/O, no hidden clock.
//
// Order of checks (the first that applies wins):
//   missing, failed or stale observations       -> hold (never scale on missing data)
//   zero replicas                               -> activation to one, or stay at zero
//   rebalancing, or the last scale not settled  -> hold
//   no rates yet (one poll)                     -> hold
//   idle for idleSeconds with minReplicas 0     -> zero
//   every partition STALL/STOP, or stuck since  -> hold (replicas cannot help)
//   otherwise: capacity model (or, before any throughput is measured, the messages-per-replica
//   fallback, which only scales up), tolerance band, stabilization windows, step limits,
//   partition growth. docs/adr/0004-autoscaling-model.md explains the model.
// Anticipation inside the capacity model: incoming is sized one lead time ahead on the arrival
// trend, and a backlog gets the fewest replicas that drain it within the target once they join.
// A scale-up that did not raise throughput while records waited stops further scale-ups for a
// while (downstream saturation). Every change of replicas is kept in a short history
// (decision-history.ts says what else is).
import { drivesScaling } from "../lag/health.ts";
import type { GroupLagSummary, PartitionLagSummary } from "../lag/types.ts";
import { backlogToDrain } from "./backlog.ts";
import { recordDecision } from "./decision-history.ts";
import { type DrainPlan, drainPlan } from "./drain.ts";
import { formatCount, formatRate, formatSeconds, plural } from "./format.ts";
import { leadSeconds, learnLeadTime } from "./lead-time.ts";
import {
  awareAtLeast,
  awareAtMost,
  busiestConsumerLoad,
  maxPartitionsPerConsumer,
  smallestFittingCount,
} from "./partition-aware.ts";
import { decidePartitionGrowth, type GrowthOutcome, partitionsAfter, type ScalingLimit } from "./partitions.ts";
import { checkSaturation, startCheck } from "./saturation.ts";
import {
  type ScalingSettings,
  settleTimeoutSeconds,
  staleAfterSeconds,
  targetUtilization,
  tolerance,
} from "./settings.ts";
import { pruneRecommendations, stabilize } from "./stabilize.ts";
import { learnThroughput } from "./throughput.ts";
import { forecastGrowth, recordArrival } from "./trend.ts";
import type { ScalingDecision, ScalingInput, ScalingReason, ScalingState, SizingReason } from "./types.ts";

export function decideScaling(input: ScalingInput): ScalingDecision {
  const decision = decideOnce(input);
  const { currentReplicas: current, nowMs, observation } = input;
  if (observation === undefined) return decision;
  const state: ScalingState = { ...decision.state };
  const included = observation.partitions.filter((p) => drives(p, state));
  const decisions = recordDecision({
    nowMs,
    current,
    decision,
    observation,
    included,
    targetLagSeconds: input.settings.lag.maxSeconds,
    history: state.decisions,
  });
  if (decision.replicas === current && decisions === state.decisions) return decision;
  if (decisions !== undefined) state.decisions = [...decisions];
  if (decision.replicas > current) {
    state.pendingScaleUp = { atMs: nowMs, to: decision.replicas };
    const check = startCheck({
      current,
      replicas: decision.replicas,
      partitions: observation.partitions.length,
      nowMs,
      consumeRate: observation.consumeRate,
      backlogged: backlogged(included),
    });
    if (check === undefined) delete state.scaleUpCheck;
    else state.scaleUpCheck = check;
  } else if (decision.replicas < current) {
    delete state.pendingScaleUp;
    delete state.scaleUpCheck;
  }
  return { ...decision, state };
}

/**
 * Records wait beyond the commit slack on most partitions, and they are being consumed: every member
 * is likely busy, so more members should raise the group's rate. (One hot partition is no such case.)
 */
function backlogged(included: readonly PartitionLagSummary[]): boolean {
  const waiting = included.filter((p) => p.backlog > 0 && p.progressing).length;
  return included.length > 0 && waiting * 2 >= included.length;
}

function decideOnce(input: ScalingInput): ScalingDecision {
  const { nowMs, settings, observation, currentReplicas: current } = input;
  const state = sanitize(input.state, nowMs);
  const hold = (reason: ScalingReason, message: string, next: ScalingState = state): ScalingDecision =>
    withThroughput({ replicas: current, direction: "none", reason, message, state: next });

  if (observation === undefined) return hold("NoObservations", `no lag observation yet; holding at ${current}`);
  if (input.pollError !== undefined) {
    return hold("PollFailed", `reading the group's offsets failed (${input.pollError}); holding at ${current}`);
  }
  const ageSeconds = (nowMs - observation.timeMs) / 1000;
  const staleAfter = staleAfterSeconds(settings);
  if (ageSeconds > staleAfter) {
    return hold(
      "StaleObservations",
      `last observation is ${formatSeconds(ageSeconds)} old (limit ${formatSeconds(staleAfter)}); holding at ${current}`,
    );
  }

  const learned = learnThroughput(state.throughput, observation);
  const idle =
    observation.rateSpanSeconds > 0 &&
    observation.produceRate === 0 &&
    observation.totalLag <= settings.autoscaling.activationLag &&
    !observation.uncommittedArrivals;
  const stuckPartitions = rememberStuck(state.stuckPartitions, observation.partitions);
  const groupStable = observation.groupState === "Stable";
  const lead = learnLeadTime({
    lead: state.leadTime,
    pending: state.pendingScaleUp,
    nowMs,
    groupStable,
    members: observation.members,
  });
  const driving = observation.partitions.filter(
    (p) => drivesScaling(p.health) && state.stuckPartitions?.[stuckKey(p)] === undefined,
  );
  const saturation = checkSaturation({
    check: state.scaleUpCheck,
    saturation: state.saturation,
    nowMs,
    current,
    partitions: observation.partitions.length,
    groupStable,
    members: observation.members,
    consumeRate: observation.consumeRate,
    rateSpanSeconds: observation.rateSpanSeconds,
    backlogged: backlogged(driving),
  });
  const next: ScalingState = {
    ...state,
    ...(learned === undefined ? {} : { throughput: learned }),
    idleSinceMs: idle ? Math.min(state.idleSinceMs ?? nowMs, nowMs) : undefined,
    stuckPartitions,
    ...(lead.lead === undefined ? {} : { leadTime: lead.lead }),
    ...(observation.rateSpanSeconds > 0
      ? {
          arrivals: recordArrival(state.arrivals ?? [], {
            timeMs: nowMs,
            rate: sumOf(driving, (p) => Math.max(p.produceRate, p.recentProduceRate)),
          }),
        }
      : {}),
  };
  if (!idle) delete next.idleSinceMs;
  if (Object.keys(stuckPartitions).length === 0) delete next.stuckPartitions;
  if (lead.pending === undefined) delete next.pendingScaleUp;
  else next.pendingScaleUp = lead.pending;
  if (saturation.check === undefined) delete next.scaleUpCheck;
  else next.scaleUpCheck = saturation.check;
  if (saturation.saturation === undefined) delete next.saturation;
  else next.saturation = saturation.saturation;
  const holdNext = (reason: ScalingReason, message: string) => hold(reason, message, next);
  const scaleTo = (replicas: number, reason: ScalingReason, message: string) =>
    withThroughput(applyScale(current, replicas, reason, message, next, nowMs));

  if (observation.partitions.length === 0) {
    return holdNext("NoPartitions", `the group's topics have no partitions; holding at ${current}`);
  }

  if (current === 0) return fromZero(observation, settings, holdNext, scaleTo);

  if (observation.groupState === "PreparingRebalance" || observation.groupState === "CompletingRebalance") {
    return holdNext("Rebalancing", `group is rebalancing (${observation.groupState}); holding at ${current}`);
  }
  const settled = observation.groupState === "Stable" && observation.members === current;
  if (!settled) {
    const sinceScale = next.lastScaleTimeMs === undefined ? Number.POSITIVE_INFINITY : nowMs - next.lastScaleTimeMs;
    if (sinceScale < settleTimeoutSeconds * 1000 && !climbing(next, current)) {
      return holdNext(
        "Settling",
        `waiting for the last scale to settle: ${observation.members}/${current} members, group ${observation.groupState}`,
      );
    }
    if (observation.members === 0) {
      return holdNext("NoMembers", `no consumer has joined the group although ${current} replicas are set; holding`);
    }
  }
  if (observation.rateSpanSeconds === 0) {
    return holdNext("WarmingUp", `one observation so far, rates unknown; holding at ${current}`);
  }

  if (settings.autoscaling.minReplicas === 0 && next.idleSinceMs !== undefined) {
    const idleSeconds = (nowMs - next.idleSinceMs) / 1000;
    if (idleSeconds >= settings.autoscaling.cooldownSeconds) {
      return scaleTo(
        0,
        "ScaleToZero",
        `idle for ${formatSeconds(idleSeconds)} (no incoming records, lag ${formatCount(observation.totalLag)} <= ${formatCount(settings.autoscaling.activationLag)}) -> 0 replicas`,
      );
    }
  }

  if (!observation.partitions.some((p) => drives(p, next))) {
    return holdNext(
      "PartitionsStuck",
      `all ${observation.partitions.length} partitions are stuck (STALL/STOP); replicas cannot help, holding at ${current}`,
    );
  }
  return sized(input, observation, next);
}

type Scale = (replicas: number, reason: ScalingReason, message: string) => ScalingDecision;
type Hold = (reason: ScalingReason, message: string) => ScalingDecision;

function fromZero(
  observation: GroupLagSummary,
  settings: ScalingSettings,
  hold: Hold,
  scaleTo: Scale,
): ScalingDecision {
  if (settings.autoscaling.minReplicas > 0) {
    return scaleTo(
      settings.autoscaling.minReplicas,
      "MinReplicas",
      `minReplicas is ${settings.autoscaling.minReplicas} -> ${settings.autoscaling.minReplicas} replicas`,
    );
  }
  if (observation.totalLag > settings.autoscaling.activationLag) {
    return scaleTo(
      1,
      "Activation",
      `lag ${formatCount(observation.totalLag)} > activation threshold ${formatCount(settings.autoscaling.activationLag)} -> 1 replica`,
    );
  }
  if (observation.uncommittedArrivals) {
    return scaleTo(1, "Activation", "records arrive on partitions the group has never consumed -> 1 replica");
  }
  return hold(
    "Idle",
    `lag ${formatCount(observation.totalLag)} <= activation threshold ${formatCount(settings.autoscaling.activationLag)}; staying at 0`,
  );
}

interface Sizing {
  /** Replicas the observations call for, before clamps. */
  raw: number;
  /** Replicas the total demand would need with unlimited partitions. */
  unbounded: number;
  /** Replicas that size partition growth; undefined in fallback mode (throughput unknown). */
  growthNeed: number | undefined;
  withinTolerance: boolean;
  describe: () => string;
  reasonFor: (direction: "up" | "down") => SizingReason;
  limited?: ScalingLimit;
}

function sized(input: ScalingInput, observation: GroupLagSummary, state: ScalingState): ScalingDecision {
  const { settings, nowMs, currentReplicas: current } = input;
  const partitions = observation.partitions.length;
  const included = observation.partitions.filter((p) => drives(p, state));
  // A lower bound (nothing measured flat out yet) may allow a scale-down, never drive a scale-up: a
  // member reading 5 msg/s during a trickle says nothing about what it could do.
  const measured = state.throughput !== undefined && state.throughput.measurements > 0;
  const sizing =
    !measured || state.throughput === undefined
      ? fallbackSizing(included, partitions, current, settings, state.throughput?.perReplica)
      : capacitySizing(included, partitions, current, settings, state.throughput.perReplica, {
          growth: forecastGrowth(
            state.arrivals ?? [],
            sumOf(included, (p) => Math.max(p.produceRate, p.recentProduceRate)),
            leadSeconds(state.leadTime),
          ),
          leadSeconds: leadSeconds(state.leadTime),
          ceiling: Math.min(settings.autoscaling.maxReplicas, partitions),
        });

  const growth: GrowthOutcome = decidePartitionGrowth({
    settings: settings.autoscaling.partitions,
    maxReplicas: settings.autoscaling.maxReplicas,
    topics: partitionCounts(observation.partitions),
    topicRates: topicRates(included),
    need: sizing.growthNeed,
    incomingRate: sumOf(included, (p) => p.produceRate),
    pressure: state.partitionPressure,
    lastGrowthMs: state.lastPartitionGrowthMs,
    nowMs,
  });
  const pool =
    growth.grow === undefined ? partitions : partitionsAfter(partitionCounts(observation.partitions), growth.grow);
  const floor = Math.max(1, settings.autoscaling.minReplicas);
  const saturated = state.saturation;
  const ceiling =
    saturated === undefined
      ? Math.max(floor, awareAtMost(Math.min(settings.autoscaling.maxReplicas, pool), pool))
      : // Saturated: add none, and remove none for it either (the scale-down window decides that).
        Math.max(floor, Math.min(settings.autoscaling.maxReplicas, Math.max(current, saturated.replicas)));
  const wanted = growth.grow === undefined ? sizing.raw : Math.max(sizing.raw, Math.min(sizing.unbounded, pool));
  const currentIsAware = awareAtMost(current, pool) === current;
  const recommendation =
    sizing.withinTolerance && currentIsAware && current >= floor && current <= ceiling
      ? current
      : clamp(wanted, floor, ceiling);

  const keepSeconds = Math.max(
    settings.autoscaling.scaleUp.stabilizationSeconds,
    settings.autoscaling.scaleDown.stabilizationSeconds,
  );
  const recommendations = pruneRecommendations(
    [...state.recommendations, { timeMs: nowMs, replicas: recommendation }],
    nowMs,
    keepSeconds,
  );
  const recommendingSinceMs = state.recommendingSinceMs ?? nowMs;
  const stable = stabilize({
    current,
    recommendations,
    nowMs,
    // A scale-down is judged on a full window of recommendations made after the previous scale-up
    // (or growth); a scale-down held to maxStep goes on at the next poll, as the HPA's does.
    coveredSinceMs: Math.max(recommendingSinceMs, windowRestartMs(state) ?? recommendingSinceMs),
    upWindowSeconds: settings.autoscaling.scaleUp.stabilizationSeconds,
    downWindowSeconds: settings.autoscaling.scaleDown.stabilizationSeconds,
  });
  const stepped = clamp(limitStep(current, stable.replicas, pool, settings), floor, ceiling);
  // Records beyond what the target tolerates are still draining (a rebalance's pause, a burst): a
  // scale-down now would add another pause to the backlog and read back as a need to scale up.
  const draining = Math.max(0, ...included.map((p) => p.lagSeconds ?? 0)) > toleratedLagSeconds(settings);
  const catchingUp = stepped < current && draining;
  const target = catchingUp ? current : stepped;

  const next: ScalingState = {
    ...state,
    recommendations,
    recommendingSinceMs,
    ...(growth.pressure === undefined ? {} : { partitionPressure: growth.pressure }),
    ...(growth.grow === undefined ? {} : { lastPartitionGrowthMs: nowMs, lastScaleTimeMs: nowMs }),
  };
  if (growth.pressure === undefined) delete next.partitionPressure;

  const needed = Math.max(sizing.raw, sizing.unbounded);
  const saturationLimit =
    saturated !== undefined && needed > ceiling
      ? { reason: "DownstreamSaturated" as const, message: saturated.message, recommendedReplicas: needed }
      : undefined;
  const limited = saturationLimit ?? growth.limited ?? sizing.limited ?? capLimit(needed, ceiling, settings, pool);
  const cause = saturationLimit !== undefined ? "downstream saturated" : ceilingCause(needed, settings, pool);
  const cappedNote = needed > ceiling ? `, capped at ${ceiling} (${cause})` : "";
  const excludedNote = excludedPartitionsNote(observation.partitions, state);
  const growthNote =
    growth.grow === undefined
      ? ""
      : `; growing ${growth.grow.map((g) => `${g.topic} from ${g.from} to ${g.to}`).join(", ")} partitions`;
  const base = `${sizing.describe()}${excludedNote}`;

  let decision: ScalingDecision;
  if (target === current) {
    const heldByWindow = recommendation < current && stable.downBound >= current;
    const message = catchingUp
      ? `${base} -> ${stepped} recommended; keeping ${current} until the backlog is within half the target${growthNote}`
      : heldByWindow
        ? `${base} -> ${recommendation} recommended; keeping ${current}, the highest in the last ${formatSeconds(settings.autoscaling.scaleDown.stabilizationSeconds)}${growthNote}`
        : `${base} -> ${plural(current, "replica")}${cappedNote}${growthNote}`;
    decision = {
      replicas: current,
      direction: "none",
      reason:
        heldByWindow || catchingUp ? "Stabilized" : saturationLimit !== undefined ? "DownstreamSaturated" : "Steady",
      message,
      state: next,
    };
  } else {
    const direction = target > current ? "up" : "down";
    decision = applyScale(
      current,
      target,
      sizing.reasonFor(direction),
      `${base} -> ${plural(target, "replica")}${cappedNote}${growthNote}`,
      next,
      nowMs,
    );
  }
  return withThroughput({
    ...decision,
    recommendation,
    ...(growth.grow === undefined ? {} : { partitions: growth.grow }),
    ...(limited === undefined ? {} : { limited }),
  });
}

interface Anticipation {
  /** Factor on incoming rates: the trend one lead time ahead over today (>= 1). */
  growth: number;
  /** Seconds before added replicas consume (learned, or the default). */
  leadSeconds: number;
  /** Most replicas the group may get (maxReplicas, partitions). */
  ceiling: number;
}

function capacitySizing(
  included: readonly PartitionLagSummary[],
  partitions: number,
  current: number,
  settings: ScalingSettings,
  perReplica: number,
  anticipation: Anticipation,
): Sizing {
  const planned = perReplica * targetUtilization;
  const { growth, leadSeconds } = anticipation;
  const demandOf = (p: PartitionLagSummary) => partitionDemand(p, settings.lag.maxSeconds, growth);
  const demands = included.map(demandOf).sort((a, b) => b - a);
  const totalDemand = sumOf(demands, (d) => d);
  const incoming = sumOf(included, (p) => Math.max(p.produceRate, p.recentProduceRate));
  const fitted = smallestFittingCount(demands, partitions, planned);
  const fit = fitted;
  // Reported, not sized on: how long the backlog takes with the count chosen, counting what grows
  // until added replicas join. Sizing on it scaled up before a stuck partition was recognised.
  const drainInput = {
    backlog: sumOf(included, (p) => excessBacklog(p, settings.lag.maxSeconds)),
    incoming: incoming * growth,
    planned,
    current,
    leadSeconds,
  };
  const plan =
    fitted === undefined ? undefined : drainPlan(drainInput, [fitted], leadSeconds + settings.lag.maxSeconds);
  const unbounded = Math.max(1, Math.ceil(totalDemand / planned));
  const currentLoad = busiestConsumerLoad(demands, maxPartitionsPerConsumer(partitions, current)) / planned;
  const withinTolerance = fit !== undefined && fit === fitted && Math.abs(currentLoad - 1) <= tolerance(settings);
  const lagSeconds = Math.max(0, ...included.map((p) => p.lagSeconds ?? 0));
  const overTarget = lagSeconds > settings.lag.maxSeconds;
  const lagPart = overTarget
    ? `lag ${formatSeconds(lagSeconds)} > ${formatSeconds(settings.lag.maxSeconds)} target`
    : `lag ${formatSeconds(lagSeconds)} within ${formatSeconds(settings.lag.maxSeconds)} target`;
  const trendNote =
    growth > 1.005 ? ` (${formatRate(incoming * growth)} expected in ${formatSeconds(leadSeconds)})` : "";
  const rates = `at ${formatRate(incoming)} in${trendNote}, ${formatRate(perReplica)} per replica${drainNote(plan)}`;
  // Needing one partition per replica because of volume is a partition-count limit; needing it
  // while the total would fit fewer replicas than partitions is skew: a hot partition.
  if (fit === undefined && unbounded < partitions) {
    const hottest = included.reduce((a, b) => (demandOf(b) > demandOf(a) ? b : a));
    const name = `${hottest.topic}-${hottest.partition}`;
    const message = `partition ${name} needs ${formatRate(demandOf(hottest))}, more than one replica plans for (${formatRate(planned)}): one partition per replica`;
    return {
      raw: partitions,
      unbounded,
      growthNeed: unbounded,
      withinTolerance: false,
      describe: () => `${lagPart} ${rates}; ${message}`,
      reasonFor: () => "HotPartition",
      limited: {
        reason: "HotPartition",
        message: `${message}; more replicas cannot help it: spread its keys or speed up the handler`,
      },
    };
  }
  return {
    raw: fit ?? partitions,
    unbounded,
    growthNeed: unbounded,
    withinTolerance: fit !== undefined && withinTolerance,
    describe: () => `${lagPart} ${rates}`,
    reasonFor: () => (overTarget ? "LagTarget" : "Throughput"),
  };
}

/**
 * Share of the lag target a backlog may fill without extra capacity. A backlog younger than that is
 * left to the spare capacity every replica plans for (1 - targetUtilization), so the catch-up after
 * a rebalance pause does not read as a need for more replicas; only the excess is drained, within
 * the target.
 */
export const toleratedLagFraction = 0.5;

/**
 * Records per second a partition needs: what arrives, plus draining the backlog beyond what the
 * target tolerates. A partition that is not progressing gets no drain term: its backlog is not
 * moving, and more replicas cannot move it (it becomes STALL once the health window is full).
 */
export function partitionDemand(p: PartitionLagSummary, lagMaxSeconds: number, growth = 1): number {
  // Up fast, down slow: the newest interval's rate counts when it is higher than the window's.
  const incoming = Math.max(p.produceRate, p.recentProduceRate) * growth;
  return incoming + excessBacklog(p, lagMaxSeconds) / lagMaxSeconds;
}

/** Age of the oldest record a group may carry without draining it on purpose (half the target). */
function toleratedLagSeconds(settings: ScalingSettings): number {
  return settings.lag.maxSeconds * toleratedLagFraction;
}

/** A partition's backlog beyond what the target tolerates; none for one that is not moving. */
function excessBacklog(p: PartitionLagSummary, lagMaxSeconds: number): number {
  if (!p.progressing) return 0;
  const tolerated = Math.max(p.produceRate, p.recentProduceRate) * lagMaxSeconds * toleratedLagFraction;
  return Math.max(0, backlogToDrain(p, lagMaxSeconds) - tolerated);
}

function drainNote(plan: DrainPlan | undefined): string {
  if (plan === undefined) return "";
  const backlog = plan.withinHorizon
    ? `backlog drains in ${formatSeconds(plan.seconds)} with ${plan.replicas}`
    : Number.isFinite(plan.seconds)
      ? `backlog needs ${formatSeconds(plan.seconds)} even with ${plan.replicas}`
      : `backlog does not drain even with ${plan.replicas}`;
  return `; ${backlog}`;
}

function fallbackSizing(
  included: readonly PartitionLagSummary[],
  partitions: number,
  current: number,
  settings: ScalingSettings,
  lowerBound: number | undefined,
): Sizing {
  // The backlog, not the raw lag: records in flight between commits are no reason to add replicas,
  // nor records within both lag targets (backlog.ts); nor is a backlog that is not moving (more
  // replicas cannot move it, as with the drain term).
  const lag = sumOf(included, (p) => (p.progressing ? backlogToDrain(p, settings.lag.maxSeconds) : 0));
  const perReplica = settings.autoscaling.lagPerReplica;
  const byLag = Math.max(1, awareAtLeast(Math.ceil(lag / perReplica), partitions));
  // Without a measured throughput a lower count is a guess, and a wrong guess costs a backlog and
  // two rebalances: scale up by lag, and down only to the count that what replicas were seen to
  // consume at least (a lower bound of their throughput) still covers, demand and drain included.
  // The first backlog the group works through flat out measures its throughput. A bound plans at
  // 100%: it is already at or below what a replica does.
  const planned = lowerBound ?? 0;
  const demands = included.map((p) => partitionDemand(p, settings.lag.maxSeconds)).sort((a, b) => b - a);
  const covered = planned > 0 ? (smallestFittingCount(demands, partitions, planned) ?? current) : current;
  const raw = Math.max(byLag, Math.min(current, covered));
  const ratio = lag / (Math.max(1, current) * perReplica);
  const boundNote = lowerBound === undefined ? "" : ` (at least ${formatRate(lowerBound)} per replica seen)`;
  return {
    raw,
    unbounded: Math.max(1, Math.ceil(lag / perReplica)),
    growthNeed: undefined,
    withinTolerance: raw === current || Math.abs(ratio - 1) <= tolerance(settings),
    describe: () =>
      `no per-replica throughput measured yet${boundNote}: lag ${formatCount(lag)} at ${formatCount(perReplica)} per replica`,
    reasonFor: () => "Fallback",
  };
}

/**
 * Applies maxStep, which is never exceeded: within it, the partition-aware count nearest the target (a count
 * between two of them adds no relief); when no such count is within one step, the full step, so that the
 * following decisions reach the target.
 */
function limitStep(current: number, target: number, partitions: number, settings: ScalingSettings): number {
  const up = settings.autoscaling.scaleUp.maxStep;
  if (target > current && up > 0 && target > current + up) {
    const stepped = awareAtMost(current + up, partitions);
    return stepped > current ? stepped : current + up;
  }
  const down = settings.autoscaling.scaleDown.maxStep;
  if (target < current && down > 0 && target < current - down) {
    const stepped = awareAtLeast(current - down, partitions);
    return stepped < current ? stepped : current - down;
  }
  return target;
}

function applyScale(
  current: number,
  replicas: number,
  reason: ScalingReason,
  message: string,
  state: ScalingState,
  nowMs: number,
): ScalingDecision {
  if (replicas === current) return { replicas, direction: "none", reason, message, state };
  const direction = replicas > current ? "up" : "down";
  return {
    replicas,
    direction,
    reason,
    message,
    state: { ...state, lastScaleTimeMs: nowMs },
  };
}

/**
 * The last change was a scale-up that maxStep cut short of what was recommended then: the next step
 * need not wait for the new members to join (the HPA's policies step every sync period too). Sizing
 * reads measured throughput and lag, not the member count, so the climb stops where the need does.
 */
function climbing(state: ScalingState, current: number): boolean {
  const at = state.lastScaleTimeMs;
  const change = state.decisions?.findLast((d) => d.to !== d.from);
  if (at === undefined || change === undefined || change.timeMs !== at) return false;
  if (change.to !== current || change.to <= change.from || change.from === 0) return false;
  const recommended = state.recommendations.find((r) => r.timeMs === at)?.replicas;
  return recommended !== undefined && recommended > current;
}

/**
 * When the scale-down window last restarted: the last scale, unless it was a scale-down (the demand
 * that justified it has not changed by removing replicas).
 */
function windowRestartMs(state: ScalingState): number | undefined {
  const last = state.lastScaleTimeMs;
  if (last === undefined) return undefined;
  const change = state.decisions?.findLast((d) => d.to !== d.from);
  const wentDown = change !== undefined && change.timeMs === last && change.to < change.from && change.to > 0;
  return wentDown ? undefined : last;
}

function withThroughput(decision: ScalingDecision): ScalingDecision {
  const perReplica = decision.state.throughput?.perReplica;
  return perReplica === undefined ? decision : { ...decision, throughputPerReplica: perReplica };
}

/** A clock that went back leaves marks in the future: pull them to now so nothing waits for hours. */
function sanitize(state: ScalingState, nowMs: number): ScalingState {
  const next: ScalingState = {
    ...state,
    recommendations: state.recommendations.filter((r) => r.timeMs <= nowMs),
  };
  if (next.lastScaleTimeMs !== undefined && next.lastScaleTimeMs > nowMs) next.lastScaleTimeMs = nowMs;
  if (next.recommendingSinceMs !== undefined && next.recommendingSinceMs > nowMs) next.recommendingSinceMs = nowMs;
  if (next.idleSinceMs !== undefined && next.idleSinceMs > nowMs) next.idleSinceMs = nowMs;
  if (next.lastPartitionGrowthMs !== undefined && next.lastPartitionGrowthMs > nowMs)
    next.lastPartitionGrowthMs = nowMs;
  if (next.partitionPressure !== undefined && next.partitionPressure.sinceMs > nowMs) {
    next.partitionPressure = { ...next.partitionPressure, sinceMs: nowMs };
  }
  return next;
}

function capLimit(needed: number, ceiling: number, settings: ScalingSettings, pool: number): ScalingLimit | undefined {
  if (needed <= ceiling) return undefined;
  if (settings.autoscaling.maxReplicas < Math.min(needed, pool)) {
    return {
      reason: "MaxReplicas",
      message: `needs ${needed} replicas; maxReplicas is ${settings.autoscaling.maxReplicas}`,
      recommendedReplicas: needed,
    };
  }
  return {
    reason: "PartitionCount",
    message: `needs ${needed} replicas, but ${pool} partitions keep at most ${pool} consumers busy`,
    recommendedReplicas: needed,
    recommendedPartitions: needed,
  };
}

function ceilingCause(needed: number, settings: ScalingSettings, pool: number): string {
  return settings.autoscaling.maxReplicas < Math.min(needed, pool) ? "maxReplicas" : "partition count";
}

function excludedPartitionsNote(partitions: readonly PartitionLagSummary[], state: ScalingState): string {
  const stuck = partitions.filter((p) => !drives(p, state));
  if (stuck.length === 0) return "";
  const names = stuck
    .slice(0, 3)
    .map((p) => `${p.topic}-${p.partition} ${drivesScaling(p.health) ? "stuck" : p.health}`);
  const more = stuck.length > 3 ? `, +${stuck.length - 3} more` : "";
  return ` (not scaling for ${plural(stuck.length, "stuck partition")}: ${names.join(", ")}${more})`;
}

function stuckKey(p: PartitionLagSummary): string {
  return `${p.topic}/${p.partition}`;
}

/**
 * Whether a partition's demand may size the group: not STALL or STOP now, and not stuck since it was
 * last seen so (its committed offset has not moved since).
 */
function drives(p: PartitionLagSummary, state: ScalingState): boolean {
  return drivesScaling(p.health) && state.stuckPartitions?.[stuckKey(p)] === undefined;
}

/**
 * Carries the stuck partitions forward: one turning STALL or STOP is remembered at its committed
 * offset, one whose committed offset moved since is released, and partitions no longer observed are
 * forgotten.
 */
export function rememberStuck(
  previous: Readonly<Record<string, number>> | undefined,
  partitions: readonly PartitionLagSummary[],
): Record<string, number> {
  const stuck: Record<string, number> = {};
  for (const p of partitions) {
    const key = stuckKey(p);
    const stuckAt = previous?.[key];
    if (!drivesScaling(p.health)) stuck[key] = stuckAt ?? p.committedOffset;
    else if (stuckAt !== undefined && p.committedOffset === stuckAt) stuck[key] = stuckAt;
  }
  return stuck;
}

/** Records/s arriving per topic, on the partitions that drive scaling. */
function topicRates(partitions: readonly PartitionLagSummary[]): Map<string, number> {
  const rates = new Map<string, number>();
  for (const p of partitions) rates.set(p.topic, (rates.get(p.topic) ?? 0) + p.produceRate);
  return rates;
}

function partitionCounts(partitions: readonly PartitionLagSummary[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const p of partitions) counts.set(p.topic, (counts.get(p.topic) ?? 0) + 1);
  return counts;
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value));
}

function sumOf<T>(items: readonly T[], value: (item: T) => number): number {
  let total = 0;
  for (const item of items) total += value(item);
  return total;
}
