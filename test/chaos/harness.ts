// One chaos scenario's life: a fresh topic and KafkaConsumerGroup of N consumers, steady load, faults at set
// times (the scenario's script), then drain, and the ledger tallied against Kafka's log-end offsets.
import { mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import * as k8s from "@kubernetes/client-node";
import { API_VERSION, GROUP, KIND, PLURAL, VERSION } from "../../operator/src/api/group.ts";
import type { KafkaAdmin } from "../../operator/src/kafka/admin.ts";
import type { StackEnv } from "../env/stack.ts";
import { withTimeout } from "../support/stack-env.ts";
import { LedgerTallier, type LedgerTally } from "./ledger.ts";
import { deadLetteredRecords, type Load, startLoad } from "./load.ts";
import type { LocalOperatorFleet } from "./local-operators.ts";
import type { ConsumerFleet } from "./targets.ts";

export interface ChaosSettings {
  ratePerSecond: number;
  recordBytes: number;
  partitions: number;
  replicas: number;
  tier: "Standard" | "Buffered" | "Dedicated";
  commitIntervalMs: number;
  sessionTimeoutMs: number;
  /** processing.handler.module.timeoutMs of the slow-handler scenario. */
  handlerDeadlineMs: number;
  /** Records in the consumer-kill scenario (the default: 1M). */
  killRecords: number;
  kills: number;
  freezeSeconds: number;
  drainTimeoutSeconds: number;
  /** How long a new group's consumers get to run, be Ready and settle; 120 s unless set (Pods on a busy node
   * start slower than processes). */
  startTimeoutSeconds?: number;
}

/** What one scenario run needs; ChaosContext adds the operators the fault scenarios drive. */
export interface RunContext {
  env: StackEnv;
  kubeConfig: k8s.KubeConfig;
  namespace: string;
  runDir: string;
  ledgerDir: string;
  /** spec.processing.handler.module.path: where the consumer finds the ledger handler. */
  handlerPath: string;
  /** Kafka's address as the consumers reach it (Pods on the node: the Pod listener); the stack's by default. */
  consumerBootstrap?: string;
  /** spec.template of every group: what the consumer needs to run the handler (volumes, env, resources). */
  template?: Record<string, unknown>;
  consumers: ConsumerFleet;
  /** Operators that count their split-brain episodes (the local fleet); others are not asked. */
  operators?: Pick<LocalOperatorFleet, "leaderOverlap">;
  admin: KafkaAdmin;
  settings: ChaosSettings;
  log: (line: string) => void;
}

export interface ChaosContext extends RunContext {
  operators: LocalOperatorFleet;
}

export interface FaultMark {
  kind: string;
  /** When the fault was injected (epoch ms). */
  atMs: number;
  /** When it was lifted (restart answered, SIGCONT); equal to atMs for instant faults. */
  endMs: number;
  detail: string;
}

export interface StatusSample {
  atMs: number;
  desiredReplicas: number | undefined;
  readyReplicas: number | undefined;
  deploymentReplicas: number | undefined;
  conditions: string[];
}

export interface ScenarioOutcome {
  tally: LedgerTally;
  faults: FaultMark[];
  samples: StatusSample[];
  loadStartMs: number;
  loadEndMs: number;
  drained: boolean;
  drainedAtMs: number;
  producerOutput: string;
}

type CustomObject = {
  status?: {
    desiredReplicas?: number;
    readyReplicas?: number;
    conditions?: { type: string; status: string; reason: string; message?: string }[];
  };
};

export class ScenarioRun {
  readonly ctx: RunContext;
  readonly name: string;
  readonly topic: string;
  readonly deadLetterTopic: string;
  readonly faults: FaultMark[] = [];
  readonly samples: StatusSample[] = [];
  loadStartMs = 0;
  /** The operators' split-brain count when the scenario began. */
  overlapAtStart = { episodes: 0, seconds: 0 };
  #load: Load | undefined;
  /** How long the load runs at its rate. */
  #loadSeconds = 0;
  #sampling: NodeJS.Timeout | undefined;
  readonly #custom: k8s.CustomObjectsApi;
  readonly #apps: k8s.AppsV1Api;
  readonly #deadLetterTopic: string;

  readonly #moduleTimeoutMs: number | undefined;

  constructor(ctx: RunContext, name: string, options: { deadLetterTopic?: string; moduleTimeoutMs?: number } = {}) {
    this.#moduleTimeoutMs = options.moduleTimeoutMs;
    this.ctx = ctx;
    this.name = name;
    this.topic = `${ctx.namespace}-${name}`;
    this.deadLetterTopic = `${this.topic}-dlq`;
    this.#deadLetterTopic = options.deadLetterTopic ?? this.deadLetterTopic;
    this.#custom = ctx.kubeConfig.makeApiClient(k8s.CustomObjectsApi);
    this.#apps = ctx.kubeConfig.makeApiClient(k8s.AppsV1Api);
  }

  get groupId(): string {
    return `${this.ctx.namespace}.${this.name}`;
  }

  /** Topic, dead-letter topic, the KafkaConsumerGroup; resolves when every consumer is ready. */
  async setUp(): Promise<void> {
    this.overlapAtStart = this.ctx.operators?.leaderOverlap() ?? { episodes: 0, seconds: 0 };
    const { admin, settings } = this.ctx;
    // A new topic's leaders can take a moment on a busy broker: creation may report that before it is done.
    await admin.createTopic(this.topic, settings.partitions).catch(() => {});
    await admin.createTopic(this.deadLetterTopic, 1).catch(() => {});
    for (let attempt = 0; ; attempt++) {
      const offsets = await admin.logOffsets([this.topic, this.deadLetterTopic]).catch(() => []);
      if (offsets.length === settings.partitions + 1) break;
      if (attempt > 150) throw new Error(`topic ${this.topic} did not come up`);
      await sleep(200);
    }
    mkdirSync(this.ctx.ledgerDir, { recursive: true });
    await this.#custom.createNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      namespace: this.ctx.namespace,
      plural: PLURAL,
      body: {
        apiVersion: API_VERSION,
        kind: KIND,
        metadata: { name: this.name, namespace: this.ctx.namespace },
        spec: {
          kafka: { bootstrapServers: [this.ctx.consumerBootstrap ?? this.ctx.env.kafka.bootstrap] },
          topics: [this.topic],
          startFrom: "earliest",
          tier: settings.tier,
          replicas: settings.replicas,
          consumer: { sessionTimeoutMs: settings.sessionTimeoutMs },
          processing: {
            handler: {
              module: {
                path: this.ctx.handlerPath,
                ...(this.#moduleTimeoutMs ? { timeoutMs: this.#moduleTimeoutMs } : {}),
              },
            },
            commit: { mode: "interval", intervalMs: settings.commitIntervalMs },
            retries: { max: 2, backoffMs: 50, maxBackoffMs: 200 },
            deadLetter: { topic: this.#deadLetterTopic },
          },
          ...(this.ctx.template ? { template: this.ctx.template } : {}),
        },
      },
    });
    const startSeconds = settings.startTimeoutSeconds ?? 120;
    const deadline = Date.now() + startSeconds * 1000;
    for (;;) {
      const running = await this.ctx.consumers.running(this.ctx.namespace, this.name).catch(() => []);
      const ready = (await this.#group().catch(() => undefined))?.status?.readyReplicas ?? 0;
      if (running.length === settings.replicas && ready === settings.replicas) break;
      if (Date.now() > deadline)
        throw new Error(`${this.name}: ${running.length} consumers running, ${ready} ready after ${startSeconds} s`);
      await sleep(500);
    }
    // The load starts on a settled group: every member holds partitions and no rebalance is under way.
    for (;;) {
      const group = await admin.describeGroup(this.groupId).catch(() => undefined);
      const assigned = group?.members.filter((m) => m.assignment.length > 0).length ?? 0;
      if (group?.state === "Stable" && assigned === settings.replicas) break;
      if (Date.now() > deadline)
        throw new Error(`${this.name}: group ${group?.state} with ${assigned} assigned members`);
      await sleep(500);
    }
    this.#sampling = setInterval(() => void this.#sample(), 1000);
  }

  #group(): Promise<CustomObject> {
    return this.#custom.getNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      namespace: this.ctx.namespace,
      plural: PLURAL,
      name: this.name,
    }) as Promise<CustomObject>;
  }

  async #sample(): Promise<void> {
    const atMs = Date.now();
    const group = await this.#group().catch(() => undefined);
    const deployment = await this.#apps
      .readNamespacedDeployment({ name: `${this.name}-consumer`, namespace: this.ctx.namespace })
      .catch(() => undefined);
    if (!group && !deployment) return;
    this.samples.push({
      atMs,
      desiredReplicas: group?.status?.desiredReplicas,
      readyReplicas: group?.status?.readyReplicas,
      deploymentReplicas: deployment?.spec?.replicas,
      conditions: (group?.status?.conditions ?? []).map((c) => `${c.type}=${c.status}/${c.reason}`),
    });
  }

  /** Starts the producer; resolves once its first records are in the log, which is when the load's clock
   * starts (a JVM starting on a busy machine can take many seconds). */
  async startLoad(records: number, ratePerSecond = this.ctx.settings.ratePerSecond): Promise<void> {
    this.#loadSeconds = records / ratePerSecond;
    this.#load = startLoad({
      binDir: this.ctx.env.binDir,
      bootstrap: this.ctx.env.kafka.bootstrap,
      topic: this.topic,
      records,
      ratePerSecond,
      recordBytes: this.ctx.settings.recordBytes,
    });
    const deadline = Date.now() + 120_000;
    for (;;) {
      const ends = await this.ctx.admin.logOffsets([this.topic]).catch(() => []);
      if (ends.reduce((sum, p) => sum + p.logEndOffset, 0) > 0) break;
      if (Date.now() > deadline)
        throw new Error(`${this.name}: the producer sent nothing in 120 s:\n${this.#load.output()}`);
      await sleep(100);
    }
    this.loadStartMs = Date.now();
  }

  /** Waits until `seconds` after the load started. */
  async at(seconds: number): Promise<void> {
    const wait = this.loadStartMs + seconds * 1000 - Date.now();
    if (wait > 0) await sleep(wait);
  }

  mark(kind: string, atMs: number, detail: string, endMs = atMs): void {
    this.faults.push({ kind, atMs, endMs, detail });
    this.ctx.log(`  ${this.name}: ${kind} at +${((atMs - this.loadStartMs) / 1000).toFixed(1)}s ${detail}`);
  }

  async stopLoad(): Promise<void> {
    await this.#load?.stop();
  }

  /** Waits for the load to end and the group to commit everything, then tallies the ledger. */
  async finish(expectedDeadLetters: number, drainTimeoutSeconds?: number): Promise<ScenarioOutcome> {
    // Bounded: a producer that stalls (a broker that never comes back) fails the run instead of holding it.
    const load = this.#load;
    if (load) {
      const boundMs = (this.#loadSeconds + 300) * 1000;
      await withTimeout(load.done, boundMs, `${this.name}: the load did not end within ${boundMs / 1000} s`).catch(
        async (error: Error) => {
          await load.stop();
          throw new Error(`${error.message}:\n${load.output()}`);
        },
      );
    }
    const loadEndMs = Date.now();
    const { admin, settings } = this.ctx;
    const drainDeadline = Date.now() + (drainTimeoutSeconds ?? settings.drainTimeoutSeconds) * 1000;
    let drained = false;
    while (Date.now() < drainDeadline) {
      const ends = await admin.logOffsets([this.topic]).catch(() => undefined);
      const committed = await admin.committedOffsets(this.groupId, [this.topic]).catch(() => undefined);
      if (ends && committed) {
        const end = ends.reduce((sum, p) => sum + p.logEndOffset, 0);
        const done = committed.reduce((sum, p) => sum + Math.max(0, p.offset), 0);
        if (end > 0 && done >= end) {
          drained = true;
          break;
        }
      }
      await sleep(1000);
    }
    clearInterval(this.#sampling);
    const ranges = await admin.logOffsets([this.topic]);
    const tallier = new LedgerTallier(ranges);
    const prefix = `${this.name}-consumer-`;
    for (const file of readdirSync(this.ctx.ledgerDir)) {
      if (file.startsWith(prefix) && file.endsWith(".ledger"))
        tallier.addText(readFileSync(join(this.ctx.ledgerDir, file), "utf8"));
    }
    const deadEnd = (await admin.logOffsets([this.deadLetterTopic]).catch(() => []))[0]?.logEndOffset ?? 0;
    if (deadEnd < expectedDeadLetters)
      this.ctx.log(`  ${this.name}: ${deadEnd} of ${expectedDeadLetters} dead letters`);
    const dead = await deadLetteredRecords(this.ctx.env.kafka.bootstrap, this.deadLetterTopic, deadEnd);
    const tally = tallier.tally(dead);
    return {
      tally,
      faults: this.faults,
      samples: this.samples,
      loadStartMs: this.loadStartMs,
      loadEndMs,
      drained,
      drainedAtMs: tally.lastFirstHandledMs,
      producerOutput: this.#load?.output() ?? "",
    };
  }

  /** Deletes the group (its consumers stop) and its topics. */
  async tearDown(): Promise<void> {
    clearInterval(this.#sampling);
    await this.#load?.stop();
    await this.#custom
      .deleteNamespacedCustomObject({
        group: GROUP,
        version: VERSION,
        namespace: this.ctx.namespace,
        plural: PLURAL,
        name: this.name,
      })
      .catch(() => {});
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      const running = await this.ctx.consumers.running(this.ctx.namespace, this.name).catch(() => []);
      if (running.length === 0) break;
      await sleep(500);
    }
  }
}
