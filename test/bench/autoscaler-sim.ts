// Discrete-time model of a consumer group on one or more Kafka topics, one step per second:
// producers append records, replicas (pods) start after a delay, every membership change stops the
// whole group for a rebalance (the classic protocol) or only the partitions that move, until the
// members' next heartbeats (the consumer protocol of KIP-848), each ready member consumes up to its
// capacity spread over its partitions, and positions are committed every commit interval. Scaling policies observe it the way they would
// observe Kafka (offsets, group state, assignment) and set replicas/partitions.
import type { Poll } from "../../operator/src/lag/types.ts";

export type Arrival =
  | { kind: "points"; interpolate: "step" | "linear"; points: { at: number; rate: number }[] }
  | { kind: "sine"; mean: number; amplitude: number; periodSeconds: number; phaseSeconds?: number }
  | RandomWalk;

/**
 * A seeded random walk: every `everySeconds` the rate moves by a uniform step in
 * [-maxStep, +maxStep], kept within [min, max]; linear in between.
 */
export interface RandomWalk {
  kind: "walk";
  start: number;
  min: number;
  max: number;
  maxStep: number;
  everySeconds: number;
  seed: number;
}

/**
 * How a membership change stops consumption (Kafka's group.protocol): classic, with eager assignors
 * (the whole group stops for a rebalance), or consumer, KIP-848 (the broker assigns; only the
 * partitions that change owner stop, until the old owner has revoked and the new one received them,
 * each on its next heartbeat; the assignment is sticky).
 */
export type RebalanceProtocol = "classic" | "consumer";

export const rebalanceProtocols: readonly RebalanceProtocol[] = ["classic", "consumer"];

/** Names older scenario files use for the same protocols. */
const formerProtocolNames: Record<string, RebalanceProtocol> = { eager: "classic", incremental: "consumer" };

/** A scenario's protocol name as the simulator knows it; undefined for one it does not know. */
export function protocolNamed(name: unknown): RebalanceProtocol | undefined {
  if (name === "classic" || name === "consumer") return name;
  return typeof name === "string" ? formerProtocolNames[name] : undefined;
}

export interface GroupModel {
  /** Seconds from a pod's creation to its consumer joining the group. */
  podStartSeconds: number;
  /** Classic protocol: seconds the whole group stops consuming on a membership change. */
  rebalanceSeconds: number;
  /** Consumer protocol: seconds between a member's heartbeats (the broker's default and minimum, 5 s). */
  heartbeatSeconds: number;
  protocol: RebalanceProtocol | "eager" | "incremental";
  /** Seconds between commits of each member's position. */
  commitIntervalSeconds: number;
  /** Seconds until producers and the group see partitions added to the topic. */
  partitionDiscoverySeconds: number;
}

export interface Scenario {
  name: string;
  description: string;
  durationSeconds: number;
  partitions: number;
  /**
   * Topics the group reads, each with its share of the arrivals (shares are normalized); their
   * partitions, in this order, add up to `partitions`. Without it: one topic, "events".
   */
  topics?: { name: string; partitions: number; share: number }[];
  /** Records per second one replica consumes when it has work. */
  capacityPerReplica: number;
  arrival: Arrival;
  /** Per-second multiplicative noise on the arrival rate, uniform in [-noise, +noise]. */
  noise?: number;
  seed?: number;
  /** Partitions receiving a fixed share of all records (the rest is split evenly). */
  hotPartitions?: { partition: number; share: number }[];
  /** Partitions whose consumer makes no progress in [fromSeconds, toSeconds). */
  stuck?: { partition: number; fromSeconds: number; toSeconds: number }[];
  initialReplicas: number;
  /** Records already waiting on each partition at t=0. */
  initialBacklogPerPartition?: number;
  group?: Partial<GroupModel>;
  /** How often each policy looks (Lagpilot's poll interval; the HPA's sync period is its own). */
  pollSeconds?: number;
  target: { lagMaxSeconds: number; minReplicas: number; maxReplicas: number };
  /** Overrides of Lagpilot's settings (ScalingSettingsInput). */
  lagpilot?: Record<string, unknown>;
  /** Overrides of the KEDA model (KedaOptions). */
  keda?: Record<string, unknown>;
}

export const defaultGroupModel: GroupModel = {
  podStartSeconds: 20,
  rebalanceSeconds: 8,
  heartbeatSeconds: 5,
  protocol: "classic",
  commitIntervalSeconds: 5,
  partitionDiscoverySeconds: 60,
};

interface PartitionState {
  topic: string;
  /** This partition's topic's share of all arrivals. */
  topicShare: number;
  /** Partition number within its topic. */
  index: number;
  /** Consumer protocol: a partition handed to a new owner is not consumed before this second. */
  pausedUntil: number;
  end: number;
  position: number;
  committed: number;
  share: number | undefined;
  /** Log end at the close of every second, for the true age of pending records. */
  endAt: Float64Array;
  createdAt: number;
}

interface Pod {
  id: number;
  /** Second the pod's consumer joins the group (its first heartbeat). */
  readyAt: number;
  joined: boolean;
  /** Seconds after readyAt of a heartbeat; the others follow every heartbeatSeconds. */
  beatOffset: number;
}

/** What a policy may do to the world. */
export interface Actuator {
  replicas(): number;
  setReplicas(n: number): void;
  partitions(): number;
  growPartitions(to: number): void;
}

export class World implements Actuator {
  readonly scenario: Scenario;
  readonly model: GroupModel;
  readonly protocol: RebalanceProtocol;
  t = 0;
  readonly #partitions: PartitionState[] = [];
  /** Partitions producers and the group know about (the rest await discovery). */
  #visible: number;
  #discoveryAt: number | undefined;
  #pods: Pod[] = [];
  #nextPodId = 1;
  #rebalanceUntil = -1;
  #assignment = new Map<number, string>();
  #random: () => number;
  #noiseNow = 0;
  rebalances = 0;
  /** pausedPartitions() during the last step. */
  pausedLastSecond = 0;

  constructor(scenario: Scenario) {
    this.scenario = scenario;
    this.model = { ...defaultGroupModel, ...scenario.group };
    const protocol = protocolNamed(this.model.protocol);
    if (protocol === undefined) throw new Error(`unknown group.protocol ${String(this.model.protocol)}`);
    this.protocol = protocol;
    this.#random = mulberry32(scenario.seed ?? 1);
    const topics = scenario.topics ?? [{ name: "events", partitions: scenario.partitions, share: 1 }];
    const shares = topics.reduce((sum, topic) => sum + topic.share, 0);
    for (const topic of topics) {
      for (let i = 0; i < topic.partitions; i++) this.#addPartition(0, topic.name, topic.share / shares);
    }
    this.#visible = this.#partitions.length;
    const backlog = scenario.initialBacklogPerPartition ?? 0;
    for (const p of this.#partitions) {
      p.end = backlog;
      p.endAt.fill(backlog);
    }
    for (let i = 0; i < scenario.initialReplicas; i++) {
      // Members that were there before the run heartbeat at phases spread over the interval.
      const beatOffset = ((i * goldenRatio) % 1) * this.model.heartbeatSeconds;
      this.#pods.push({ id: this.#nextPodId++, readyAt: 0, joined: true, beatOffset });
    }
    this.#assign();
  }

  replicas(): number {
    return this.#pods.length;
  }

  partitions(): number {
    return this.#partitions.length;
  }

  members(): number {
    return this.#pods.filter((p) => p.joined).length;
  }

  /** Whether the whole group is stopped for a rebalance (classic protocol only). */
  rebalancing(): boolean {
    return this.t < this.#rebalanceUntil;
  }

  setReplicas(n: number): void {
    const wanted = Math.max(0, Math.floor(n));
    while (this.#pods.length < wanted) {
      this.#pods.push({
        id: this.#nextPodId++,
        readyAt: this.t + this.model.podStartSeconds,
        joined: false,
        beatOffset: 0,
      });
    }
    if (this.#pods.length > wanted) {
      // Kubernetes removes pods that are not ready first, then the newest.
      const order = [...this.#pods].sort((a, b) => Number(a.joined) - Number(b.joined) || b.id - a.id);
      const removed = new Set(order.slice(0, this.#pods.length - wanted).map((p) => p.id));
      const leaving = this.#pods.some((p) => removed.has(p.id) && p.joined);
      this.#pods = this.#pods.filter((p) => !removed.has(p.id));
      if (leaving) this.#membershipChanged();
    }
  }

  growPartitions(to: number): void {
    const topic = this.#partitions[0];
    if (topic === undefined || this.#partitions.some((p) => p.topic !== topic.topic)) {
      throw new Error("the simulator grows partitions only for a group reading one topic");
    }
    while (this.#partitions.length < to) this.#addPartition(this.t, topic.topic, 1);
    this.#discoveryAt = this.t + this.model.partitionDiscoverySeconds;
  }

  /** Advances one second. */
  step(): void {
    const t = this.t;
    if (this.#discoveryAt !== undefined && t >= this.#discoveryAt) {
      this.#discoveryAt = undefined;
      this.#visible = this.#partitions.length;
      this.#membershipChanged();
    }
    let joined = false;
    for (const pod of this.#pods) {
      if (!pod.joined && t >= pod.readyAt) {
        pod.joined = true;
        joined = true;
      }
    }
    if (joined) this.#membershipChanged();
    if (!this.rebalancing() && this.#assignment.size === 0) this.#assign();

    this.#produce(this.arrivalRate(t) * (1 + this.#noise()));
    if (!this.rebalancing()) this.#consume();
    this.pausedLastSecond = this.pausedPartitions();
    if (t % this.model.commitIntervalSeconds === 0) this.#commit();
    for (const p of this.#partitions) if (t < p.endAt.length) p.endAt[t] = p.end;
    this.t = t + 1;
  }

  arrivalRate(t: number): number {
    return Math.max(0, arrivalAt(this.scenario.arrival, t));
  }

  /** Partitions with an owner-to-be that cannot consume this second because of a membership change. */
  pausedPartitions(): number {
    if (this.#pods.every((p) => !p.joined)) return 0;
    if (this.rebalancing()) return this.#visible;
    return this.#partitions.slice(0, this.#visible).filter((p) => this.t < p.pausedUntil).length;
  }

  stuck(partition: number, t = this.t): boolean {
    return (this.scenario.stuck ?? []).some((s) => s.partition === partition && t >= s.fromSeconds && t < s.toSeconds);
  }

  /** What Kafka would answer right now: offsets, commits, group state and assignment. */
  observe(timeMs: number): Poll {
    const members = this.members();
    const groupState = members === 0 ? "Empty" : this.rebalancing() ? "PreparingRebalance" : "Stable";
    return {
      timeMs,
      groupState,
      members,
      partitions: this.#partitions.map((p, i) => {
        const moving = this.rebalancing() || this.t < p.pausedUntil;
        const owner = moving ? undefined : this.#assignment.get(i);
        return {
          topic: p.topic,
          partition: p.index,
          logStartOffset: 0,
          logEndOffset: Math.floor(p.end),
          committedOffset: p.committed < 0 ? -1 : Math.floor(p.committed),
          ...(owner === undefined ? {} : { owner }),
        };
      }),
    };
  }

  /** Age in seconds of the oldest uncommitted record of a partition (0 when none). */
  trueLagSeconds(partition: number): number {
    const p = this.#partitions[partition];
    if (p === undefined) return 0;
    const committed = Math.max(0, Math.floor(p.committed));
    const now = this.t - 1;
    if (now < 0 || committed >= Math.floor(p.end)) return 0;
    // First second whose closing log end passed the committed offset: that record's arrival.
    let lo = p.createdAt;
    let hi = Math.min(now, p.endAt.length - 1);
    if (Math.floor(p.endAt[lo] ?? 0) > committed) return now - lo + 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (Math.floor(p.endAt[mid] ?? 0) > committed) hi = mid;
      else lo = mid;
    }
    return now - hi;
  }

  /** Highest true lag seconds over partitions not stuck by the scenario (replicas can't help those). */
  groupLagSeconds(): number {
    let worst = 0;
    for (let i = 0; i < this.#partitions.length; i++) {
      if (this.stuck(i, this.t - 1)) continue;
      worst = Math.max(worst, this.trueLagSeconds(i));
    }
    return worst;
  }

  totalLag(): number {
    return this.#partitions.reduce(
      (sum, p) => sum + Math.max(0, Math.floor(p.end) - Math.max(0, Math.floor(p.committed))),
      0,
    );
  }

  #addPartition(createdAt: number, topic: string, topicShare: number): void {
    const index = this.#partitions.length;
    const hot = this.scenario.hotPartitions?.find((h) => h.partition === index);
    this.#partitions.push({
      topic,
      topicShare,
      index: this.#partitions.filter((p) => p.topic === topic).length,
      pausedUntil: -1,
      end: 0,
      position: 0,
      committed: createdAt === 0 ? 0 : -1,
      share: hot?.share,
      endAt: new Float64Array(this.scenario.durationSeconds + 1),
      createdAt,
    });
  }

  #noise(): number {
    const draw = this.#random();
    const amplitude = this.scenario.noise ?? 0;
    this.#noiseNow = (draw * 2 - 1) * amplitude;
    return this.#noiseNow;
  }

  #produce(records: number): void {
    const visible = this.#partitions.slice(0, this.#visible);
    const fixed = visible.reduce((sum, p) => sum + (p.share ?? 0), 0);
    // What the hot partitions leave is split by topic share, then evenly within each topic.
    const evenIn = new Map<string, number>();
    for (const p of visible) if (p.share === undefined) evenIn.set(p.topic, (evenIn.get(p.topic) ?? 0) + 1);
    for (const p of visible) {
      const even = (Math.max(0, 1 - fixed) * p.topicShare) / (evenIn.get(p.topic) ?? 1);
      p.end += records * (p.share ?? even);
    }
  }

  #consume(): void {
    const byMember = new Map<string, number[]>();
    for (const [partition, member] of this.#assignment) {
      const list = byMember.get(member) ?? [];
      list.push(partition);
      byMember.set(member, list);
    }
    for (const owned of byMember.values()) {
      const active = owned.filter((i) => !this.stuck(i) && this.t >= (this.#partitions[i]?.pausedUntil ?? 0));
      waterFill(
        active.map((i) => this.#partitions[i] as PartitionState),
        this.scenario.capacityPerReplica,
      );
    }
  }

  #commit(): void {
    for (const p of this.#partitions) if (p.position > 0 || p.committed >= 0) p.committed = p.position;
  }

  #membershipChanged(): void {
    if (this.protocol === "consumer") this.#reassignSticky();
    else this.#rebalance();
  }

  /**
   * Consumer protocol: members keep their partitions up to a balanced share; only partitions whose
   * owner leaves or that exceed a share move. A moved partition waits for its old owner to learn of
   * the change and revoke it (at that member's next heartbeat; at once when the owner left), then
   * for the new owner to receive it (at its next heartbeat from then). The member giving one up
   * commits it first.
   */
  #reassignSticky(): void {
    const pods = new Map(this.#pods.filter((p) => p.joined).map((p) => [memberName(p), p]));
    const members = this.#memberNames();
    this.rebalances++;
    this.#commit();
    if (members.length === 0) {
      this.#assignment.clear();
      return;
    }
    const low = Math.floor(this.#visible / members.length);
    let extras = this.#visible % members.length;
    const count = new Map(members.map((m) => [m, 0]));
    const next = new Map<number, string>();
    for (let i = 0; i < this.#visible; i++) {
      const owner = this.#assignment.get(i);
      const held = owner === undefined ? undefined : count.get(owner);
      if (owner === undefined || held === undefined) continue;
      if (held < low || (held === low && extras > 0)) {
        if (held === low) extras--;
        next.set(i, owner);
        count.set(owner, held + 1);
      }
    }
    for (let i = 0; i < this.#visible; i++) {
      if (next.has(i)) continue;
      const owner = members.reduce((a, b) => ((count.get(b) ?? 0) < (count.get(a) ?? 0) ? b : a));
      next.set(i, owner);
      count.set(owner, (count.get(owner) ?? 0) + 1);
      const partition = this.#partitions[i];
      if (partition === undefined) continue;
      const previous = pods.get(this.#assignment.get(i) ?? "");
      const revokedAt = previous === undefined ? this.t : this.#nextHeartbeat(previous, this.t, false);
      const receiver = pods.get(owner);
      const receivedAt = receiver === undefined ? revokedAt : this.#nextHeartbeat(receiver, revokedAt, true);
      partition.pausedUntil = Math.max(partition.pausedUntil, receivedAt);
    }
    this.#assignment = next;
  }

  /** A member's first heartbeat after `from` (or at it, when `atOrAfter`); heartbeats need not fall on whole seconds. */
  #nextHeartbeat(pod: Pod, from: number, atOrAfter: boolean): number {
    const every = Math.max(1, this.model.heartbeatSeconds);
    const first = pod.readyAt + pod.beatOffset;
    if (from < first) return first;
    const beats = (from - first) / every;
    const k = atOrAfter ? Math.ceil(beats) : Math.floor(beats) + 1;
    return first + k * every;
  }

  #memberNames(): string[] {
    return this.#pods
      .filter((p) => p.joined)
      .map(memberName)
      .sort();
  }

  #rebalance(): void {
    // Classic protocol, eager assignor: every member commits, gives up its partitions and waits for
    // the new assignment.
    this.#commit();
    this.#assignment.clear();
    this.#rebalanceUntil = this.t + this.model.rebalanceSeconds;
    this.rebalances++;
  }

  /** Round-robin over members sorted by id, as kafkajs' default assignor does. */
  #assign(): void {
    this.#assignment.clear();
    const members = this.#memberNames();
    if (members.length === 0) return;
    for (let i = 0; i < this.#visible; i++) this.#assignment.set(i, members[i % members.length] as string);
  }
}

/** Spreads the heartbeat phases of the first members evenly over the interval. */
const goldenRatio = 0.6180339887;

function memberName(pod: Pod): string {
  return `member-${String(pod.id).padStart(4, "0")}`;
}

/** Records closer than this to the log end are consumed: offsets are whole numbers in Kafka. */
const wholeRecord = 1e-6;

/** Spends one member's capacity over its partitions, fairly, never past a partition's log end. */
export function waterFill(partitions: { end: number; position: number }[], capacity: number): void {
  let left = capacity;
  let open = partitions.filter((p) => stillPending(p));
  while (left > wholeRecord && open.length > 0) {
    const share = left / open.length;
    const next: typeof open = [];
    for (const p of open) {
      const take = Math.min(share, p.end - p.position);
      p.position += take;
      left -= take;
      if (stillPending(p)) next.push(p);
    }
    open = next;
  }
}

/**
 * Whether records are still pending; a partition within a rounding error of its log end is set to
 * the end itself. Fractional shares summed over many seconds leave the position a hair under a whole
 * log end: read as an offset, that is one record of lag that no consumer would ever take.
 */
function stillPending(p: { end: number; position: number }): boolean {
  if (p.end - p.position > wholeRecord) return true;
  p.position = Math.max(p.position, p.end);
  return false;
}

export function arrivalAt(arrival: Arrival, t: number): number {
  if (arrival.kind === "walk") return walkAt(arrival, t);
  if (arrival.kind === "sine") {
    const phase = ((t + (arrival.phaseSeconds ?? 0)) / arrival.periodSeconds) * 2 * Math.PI;
    return arrival.mean + arrival.amplitude * Math.sin(phase);
  }
  const points = arrival.points;
  let before = points[0];
  if (before === undefined) return 0;
  for (const point of points) {
    if (point.at <= t) before = point;
    else {
      if (arrival.interpolate === "step" || point.at === before.at) return before.rate;
      return before.rate + ((point.rate - before.rate) * (t - before.at)) / (point.at - before.at);
    }
  }
  return before.rate;
}

/** Each walk's levels so far and the generator that extends them, in order, from its seed. */
const walks = new WeakMap<RandomWalk, { levels: number[]; draw: () => number }>();

function walkAt(walk: RandomWalk, t: number): number {
  const every = Math.max(1, walk.everySeconds);
  const at = Math.max(0, t);
  const k = Math.floor(at / every);
  let state = walks.get(walk);
  if (state === undefined) {
    state = { levels: [Math.min(walk.max, Math.max(walk.min, walk.start))], draw: mulberry32(walk.seed) };
    walks.set(walk, state);
  }
  const { levels, draw } = state;
  while (levels.length < k + 2) {
    const step = (draw() * 2 - 1) * walk.maxStep;
    levels.push(Math.min(walk.max, Math.max(walk.min, (levels.at(-1) as number) + step)));
  }
  const from = levels[k] as number;
  const to = levels[k + 1] as number;
  return from + ((to - from) * (at - k * every)) / every;
}

/** Small seeded generator: the same scenario gives the same noise for every policy. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let r = Math.imul(a ^ (a >>> 15), 1 | a);
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
  };
}

/** A scaling policy: called every second, acts when its own timers say so. */
export interface Policy {
  readonly name: string;
  tick(world: World, nowMs: number): void;
  /** Last human-readable reason, for traces. */
  lastReason?(): string;
}

export interface RunMetrics {
  scenario: string;
  policy: string;
  secondsOverTarget: number;
  peakLagSeconds: number;
  replicaSeconds: number;
  scaleEvents: number;
  directionChanges: number;
  /**
   * Oscillations: a move that returns to the direction of a move at most 10 minutes earlier with an
   * opposite move in between (up-down-up or down-up-down). Scaling up for a burst and back down
   * afterwards is a cycle, not a flap.
   */
  flaps: number;
  rebalances: number;
  /** Partition-seconds stopped by membership changes: whole-group stops (classic) or moved partitions (consumer). */
  pausedPartitionSeconds: number;
  partitionGrowths: number;
  finalPartitions: number;
  maxReplicas: number;
}

export interface TracePoint {
  t: number;
  arrival: number;
  replicas: number;
  members: number;
  lagSeconds: number;
  totalLag: number;
  partitions: number;
  reason?: string;
}

export interface ScaleEvent {
  t: number;
  from: number;
  to: number;
  reason?: string;
}

export const flapWindowSeconds = 600;

export function run(
  scenario: Scenario,
  policy: Policy,
  options: { traceEverySeconds?: number; startMs?: number } = {},
): { metrics: RunMetrics; trace: TracePoint[]; events: ScaleEvent[] } {
  const world = new World(scenario);
  const startMs = options.startMs ?? 1_700_000_000_000;
  let replicaSeconds = 0;
  let over = 0;
  let peak = 0;
  let scaleEvents = 0;
  let directionChanges = 0;
  let flaps = 0;
  let maxReplicas = world.replicas();
  let lastDirection: 1 | -1 | undefined;
  // Runs of consecutive moves in one direction; a flap is a run whose opposite neighbours on both
  // sides are within the flap window of each other (up-down-up or down-up-down).
  const runs: { direction: 1 | -1; start: number; end: number }[] = [];
  let growths = 0;
  let paused = 0;
  const trace: TracePoint[] = [];
  const events: ScaleEvent[] = [];
  for (let t = 0; t < scenario.durationSeconds; t++) {
    const before = world.replicas();
    const partitionsBefore = world.partitions();
    policy.tick(world, startMs + t * 1000);
    const after = world.replicas();
    if (world.partitions() > partitionsBefore) growths++;
    if (after !== before) {
      scaleEvents++;
      const reason = policy.lastReason?.();
      events.push({ t, from: before, to: after, ...(reason === undefined ? {} : { reason }) });
      const direction = after > before ? 1 : -1;
      const current = runs.at(-1);
      if (current !== undefined && current.direction === direction) current.end = t;
      else {
        runs.push({ direction, start: t, end: t });
        const twoBack = runs.at(-3);
        if (twoBack !== undefined && t - twoBack.end <= flapWindowSeconds) flaps++;
      }
      if (lastDirection !== undefined && direction !== lastDirection) directionChanges++;
      lastDirection = direction;
    }
    world.step();
    paused += world.pausedLastSecond;
    replicaSeconds += world.replicas();
    maxReplicas = Math.max(maxReplicas, world.replicas());
    const lagSeconds = world.groupLagSeconds();
    if (lagSeconds > scenario.target.lagMaxSeconds) over++;
    peak = Math.max(peak, lagSeconds);
    if (options.traceEverySeconds !== undefined && t % options.traceEverySeconds === 0) {
      const reason = policy.lastReason?.();
      trace.push({
        t,
        arrival: Math.round(world.arrivalRate(t)),
        replicas: world.replicas(),
        members: world.members(),
        lagSeconds,
        totalLag: world.totalLag(),
        partitions: world.partitions(),
        ...(reason === undefined ? {} : { reason }),
      });
    }
  }
  return {
    metrics: {
      scenario: scenario.name,
      policy: policy.name,
      secondsOverTarget: over,
      peakLagSeconds: peak,
      replicaSeconds,
      scaleEvents,
      directionChanges,
      flaps,
      rebalances: world.rebalances,
      pausedPartitionSeconds: paused,
      partitionGrowths: growths,
      finalPartitions: world.partitions(),
      maxReplicas,
    },
    trace,
    events,
  };
}

/** A policy that never scales: the baseline for sanity checks. */
export function fixedReplicas(): Policy {
  return { name: "fixed", tick: () => {} };
}
