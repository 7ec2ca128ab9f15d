// The processing engine every tier shares: queues fetched messages under the ordering mode, hands batches to the
// handler with retries, dead-letters what keeps failing, commits only offsets whose predecessors are all done,
// and pauses partitions while its buffers are full. Tiers differ only in where the client runs and batch shape.
import type {
  ConsumedMessage,
  ConsumerListener,
  FetchedBatch,
  KafkaConsumerClient,
  KafkaProducerClient,
  TopicPartition,
} from "../client/contract.ts";
import { partitionId } from "../client/contract.ts";
import type { Handler } from "../handlers/contract.ts";
import type { Logger } from "../log.ts";
import type { MessageCount, RuntimeMetrics, TopicCounter } from "../metrics.ts";
import { CommitTracker, type PartitionTrack } from "./commit-tracker.ts";
import { deadLetterMessage, errorText, type Failure } from "./dead-letter.ts";
import { admit, newParkState, type ParkState, park, unpark } from "./park.ts";
import { backoffDelayMs, type RetryPolicy, shouldRetry } from "./retry.ts";
import { type Schedulable, Scheduler } from "./scheduler.ts";

export type Ordering = "partition" | "key" | "none";

export interface PipelineOptions {
  /** Messages per handler call: 1 for per-message tiers. */
  batchSize: number;
  /** How long a partial batch waits for more messages; 0 hands over at once. */
  batchMaxWaitMs: number;
  concurrency: number;
  ordering: Ordering;
  commit: { mode: "batch" | "interval"; intervalMs: number };
  retries: RetryPolicy;
  deadLetterTopic?: string;
  maxBufferedMessages: number;
  maxBufferedBytes: number;
  /** Messages one partition may hold before it alone is paused. */
  maxPartitionMessages: number;
  /**
   * Longest a started rebalance holds queued work back when no new assignment follows (the consumer's
   * rebalance timeout: past it the group has moved on without this member anyway).
   */
  rebalanceHoldMaxMs: number;
}

export interface PipelineDeps {
  client: KafkaConsumerClient;
  handler: Handler;
  producer: () => Promise<KafkaProducerClient>;
  metrics: RuntimeMetrics;
  log: Logger;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  onFatal: (error: Error) => void;
}

interface PartitionState {
  id: string;
  track: PartitionTrack;
  held: number;
  paused: boolean;
  highWatermark: number;
  /** Parked while a dead letter of its lane cannot be written (park.ts). */
  park: ParkState;
}

interface Envelope extends Schedulable {
  message: ConsumedMessage;
  state: PartitionState;
  seq: number;
  bytes: number;
}

interface DeadLetterCandidate {
  item: Envelope;
  failure: Failure;
}

const abandoned = Symbol("abandoned");

export class Pipeline implements ConsumerListener {
  readonly #options: PipelineOptions;
  readonly #deps: PipelineDeps;
  readonly #now: () => number;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #random: () => number;
  readonly #tracker = new CommitTracker();
  readonly #scheduler = new Scheduler<Envelope>();
  readonly #states = new Map<string, PartitionState>();
  #assignment: TopicPartition[] = [];
  #joined = false;
  #held = 0;
  #heldBytes = 0;
  #inFlight = 0;
  #running = 0;
  /** Handler calls whose failures wait for their dead letter; they hold their lanes, not a handler slot. */
  #deadLettering = 0;
  #pausedAll = false;
  #stopping = false;
  /** Between a rebalance's start and the new assignment: queued work may belong to another member next. */
  #rebalancing = false;
  #rebalanceHoldTimer: NodeJS.Timeout | undefined;
  #flushTimer: NodeJS.Timeout | undefined;
  #flushDue = false;
  #commitTimer: NodeJS.Timeout | undefined;
  #committing: Promise<void> | undefined;
  #commitAgain = false;
  #idleWaiters: (() => void)[] = [];
  readonly #topicCounters = new Map<string, Record<MessageCount, TopicCounter>>();

  constructor(options: PipelineOptions, deps: PipelineDeps) {
    this.#options = options;
    this.#deps = deps;
    this.#now = deps.now ?? Date.now;
    this.#sleep = deps.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.#random = deps.random ?? Math.random;
  }

  start(): void {
    if (this.#options.commit.mode === "interval") {
      this.#commitTimer = setInterval(() => void this.commitNow(), this.#options.commit.intervalMs);
    }
  }

  /**
   * Joined the group, with or without partitions: a member beyond the partition count is a ready standby. Tying
   * readiness to owning a partition would stall a rollout whose surge Pod gets none, and make a
   * PodDisruptionBudget block node drains whenever replicas exceed partitions.
   */
  get ready(): boolean {
    return this.#joined && !this.#stopping;
  }

  get assignment(): readonly TopicPartition[] {
    return this.#assignment;
  }

  partitionLag(): { topic: string; partition: number; lag: number }[] {
    const out = [];
    for (const s of this.#states.values()) {
      if (s.highWatermark < 0) continue;
      const position = s.track.committable();
      if (position < 0) continue;
      out.push({ topic: s.track.topic, partition: s.track.partition, lag: Math.max(0, s.highWatermark - position) });
    }
    return out;
  }

  // --- ConsumerListener -------------------------------------------------------------------------------------

  onBatch(batch: FetchedBatch): void {
    const state = this.#state(batch.topic, batch.partition);
    if (batch.highWatermark !== undefined) state.highWatermark = batch.highWatermark;
    let { messages } = batch;
    if (messages.length === 0 || this.#stopping) return;
    let offsets = new Array<number>(messages.length);
    for (let i = 0; i < messages.length; i++) offsets[i] = (messages[i] as ConsumedMessage).offset;
    const admission = admit(state.park, state.track.lastRegistered, offsets);
    if (admission.seekTo !== undefined) {
      this.#deps.client.seek({ topic: batch.topic, partition: batch.partition, offset: admission.seekTo });
    }
    if (admission.from > 0) {
      if (admission.from >= messages.length) return;
      messages = messages.slice(admission.from);
      offsets = offsets.slice(admission.from);
    }
    const seqs = state.track.register(offsets);
    const { ordering } = this.#options;
    let accepted = 0;
    let bytes = 0;
    for (let i = 0; i < messages.length; i++) {
      const seq = seqs[i] as number;
      if (seq < 0) continue;
      const message = messages[i] as ConsumedMessage;
      const size = (message.key?.length ?? 0) + (message.value?.length ?? 0);
      const lane =
        ordering === "partition"
          ? state.id
          : ordering === "key"
            ? message.key
              ? `${state.id}\u0000${message.key.toString("latin1")}`
              : state.id
            : null;
      this.#scheduler.enqueue({ message, state, seq, bytes: size, lane });
      accepted++;
      bytes += size;
    }
    if (accepted === 0) return;
    state.held += accepted;
    this.#held += accepted;
    this.#heldBytes += bytes;
    this.#counter(batch.topic, "consumed").inc(accepted);
    this.#applyBackpressure(state);
    this.#pump();
  }

  onAssigned(assignment: TopicPartition[]): void {
    this.#deps.metrics.rebalances.inc();
    const revoked = this.#tracker.assign(assignment);
    for (const track of revoked) this.#states.delete(partitionId(track.topic, track.partition));
    // The client remembers pauses of revoked partitions; one assigned back to us later must fetch again.
    if (revoked.length) this.#deps.client.resume(revoked.map((t) => ({ topic: t.topic, partition: t.partition })));
    if (revoked.length) {
      const dropped = this.#scheduler.dropQueued((item) => !item.state.track.live);
      for (const item of dropped) this.#release(item);
    }
    for (const { topic, partition } of assignment) {
      this.#state(topic, partition);
      // The topic's counters are exported from its first assigned partition on, at 0 until something happens.
      this.#counter(topic, "consumed");
    }
    this.#assignment = assignment;
    this.#joined = true;
    this.#endRebalanceHold();
    // A rebalance may reset a client's pause state: re-apply ours.
    if (this.#pausedAll || this.#stopping) this.#deps.client.pause(assignment);
    else this.#deps.client.pause([...this.#states.values()].filter((s) => s.paused).map((s) => s.track));
    this.#deps.log.info("partitions assigned", {
      partitions: assignment.map((a) => `${a.topic}-${a.partition}`),
      revoked: revoked.map((t) => `${t.topic}-${t.partition}`),
    });
    this.#updatePausedGauge();
  }

  onRebalancing(): void {
    // Queued records of partitions about to be revoked would be handled here and again by their next owner:
    // hand out nothing new until the assignment says which partitions stay ours.
    this.#deps.log.info("rebalance started: committing what is done and holding queued work");
    this.#rebalancing = true;
    clearTimeout(this.#rebalanceHoldTimer);
    this.#rebalanceHoldTimer = setTimeout(() => this.#endRebalanceHold(), this.#options.rebalanceHoldMaxMs);
    this.#rebalanceHoldTimer.unref?.();
    void this.commitNow();
  }

  #endRebalanceHold(): void {
    clearTimeout(this.#rebalanceHoldTimer);
    this.#rebalanceHoldTimer = undefined;
    if (!this.#rebalancing) return;
    this.#rebalancing = false;
    this.#pump();
  }

  onFatal(error: Error): void {
    this.#deps.onFatal(error);
  }

  onReconnecting(error: Error, attempt: number, delayMs: number): void {
    this.#deps.log.warn("reconnecting to Kafka", {
      error: error.message,
      attempt,
      delayMs,
    });
  }

  // --- dispatch ---------------------------------------------------------------------------------------------

  #pump(): void {
    const { batchSize, batchMaxWaitMs, concurrency } = this.#options;
    while (!this.#stopping && !this.#rebalancing && this.#running < concurrency && this.#scheduler.size > 0) {
      if (batchSize > 1 && this.#scheduler.size < batchSize && batchMaxWaitMs > 0 && !this.#flushDue) {
        this.#flushTimer ??= setTimeout(() => {
          this.#flushTimer = undefined;
          this.#flushDue = true;
          this.#pump();
        }, batchMaxWaitMs);
        return;
      }
      const items = this.#scheduler.take(batchSize);
      if (items.length === 0) break;
      if (this.#scheduler.size === 0) this.#flushDue = false;
      this.#running++;
      this.#inFlight += items.length;
      this.#deps.metrics.inFlight.set(this.#inFlight);
      void this.#run(items);
    }
  }

  async #run(items: Envelope[]): Promise<void> {
    let failures: DeadLetterCandidate[] = [];
    try {
      const outcome = await this.#handle(items);
      if (outcome !== abandoned) {
        failures = outcome;
        const failed = new Set(failures.map((f) => f.item));
        for (const item of items) if (!failed.has(item)) item.state.track.markDone(item.seq);
      }
    } catch (error) {
      // Only a bug lands here: the work is left undone (not committed), so it is redelivered after a restart.
      this.#deps.log.error("processing failed unexpectedly", { error });
    }
    // The handler slot is free now. A failure's lane (its partition, or its key) stays busy until its dead
    // letter is written, so a dead-letter topic that cannot be written stops at most the poison's partition.
    const waitingLanes = new Set(failures.map((f) => f.item.lane));
    const waiting = new Set(failures.map((f) => f.item));
    const holds = (item: Envelope) => (item.lane === null ? waiting.has(item) : waitingLanes.has(item.lane));
    const settledNow = failures.length ? items.filter((item) => !holds(item)) : items;
    this.#running--;
    this.#settle(settledNow);
    if (failures.length === 0) return;
    this.#deadLettering++;
    if (this.#options.deadLetterTopic) for (const f of failures) if (f.item.lane !== null) this.#park(f.item.state);
    try {
      const written = await this.#deadLetter(failures);
      for (const item of written) item.state.track.markDone(item.seq);
      for (const state of new Set(written.map((item) => item.state))) this.#unpark(state);
    } catch (error) {
      this.#deps.log.error("processing failed unexpectedly", { error });
    } finally {
      this.#deadLettering--;
      this.#settle(items.filter(holds));
    }
  }

  /** Frees what a handler call held (buffers, lanes), commits in batch mode and hands out more work. */
  #settle(items: Envelope[]): void {
    this.#inFlight -= items.length;
    this.#deps.metrics.inFlight.set(this.#inFlight);
    for (const item of items) this.#release(item);
    this.#scheduler.release(items);
    this.#afterRelease();
    if (this.#options.commit.mode === "batch") void this.commitNow();
    if (this.#running === 0 && this.#deadLettering === 0) for (const wake of this.#idleWaiters.splice(0)) wake();
    this.#pump();
  }

  /** Runs the handler with retries; returns the messages to dead-letter, or `abandoned` when stopping. */
  async #handle(items: Envelope[]): Promise<DeadLetterCandidate[] | typeof abandoned> {
    const { metrics } = this.#deps;
    const messages = items.map((i) => i.message);
    metrics.batchSize.observe(items.length);
    let attempts = 0;
    let firstFailureAt = 0;
    let lastError: unknown;
    for (;;) {
      attempts++;
      const end = metrics.processingDuration.startTimer();
      try {
        await this.#deps.handler.handle(messages);
        end();
        this.#countPerTopic(items, "processed");
        return [];
      } catch (error) {
        end();
        lastError = error;
        firstFailureAt ||= this.#now();
        this.#countPerTopic(items, "failed");
        if (this.#stopping) return abandoned;
        if (!shouldRetry(this.#options.retries, attempts)) break;
        this.#countPerTopic(items, "retried");
        await this.#sleep(backoffDelayMs(this.#options.retries, attempts, this.#random));
        if (this.#stopping) return abandoned;
      }
    }
    if (items.length === 1) {
      return [{ item: items[0] as Envelope, failure: { error: lastError, attempts, firstFailureAt } }];
    }
    // The batch keeps failing: find which messages fail on their own, so the rest are not dead-lettered.
    const failures: DeadLetterCandidate[] = [];
    for (const item of items) {
      try {
        await this.#deps.handler.handle([item.message]);
        this.#countPerTopic([item], "processed");
      } catch (error) {
        this.#countPerTopic([item], "failed");
        failures.push({ item, failure: { error, attempts: attempts + 1, firstFailureAt } });
      }
    }
    return failures;
  }

  /**
   * Writes the failures to the dead-letter topic (or skips them when none is configured) and returns those whose
   * offsets may now be committed. A write that fails is retried until it succeeds, the pipeline stops, or the
   * partition is revoked (its next owner handles the record again).
   */
  async #deadLetter(failures: DeadLetterCandidate[]): Promise<Envelope[]> {
    const { log } = this.#deps;
    const topic = this.#options.deadLetterTopic;
    for (const { item, failure } of failures) {
      log.warn("message failed after its last retry", {
        topic: item.message.topic,
        partition: item.message.partition,
        offset: item.message.offset,
        attempts: failure.attempts,
        error: errorText(failure.error),
        deadLetterTopic: topic ?? null,
      });
    }
    const items = (list: DeadLetterCandidate[]) => list.map((f) => f.item);
    if (!topic) {
      // No dead-letter topic: the message is skipped so that it cannot block its partition forever.
      this.#countPerTopic(items(failures), "deadLettered");
      return items(failures);
    }
    let pending = failures;
    for (let attempt = 1; ; attempt++) {
      pending = pending.filter((f) => f.item.state.track.live);
      if (pending.length === 0 || this.#stopping) return [];
      try {
        const producer = await this.#deps.producer();
        await producer.send(
          topic,
          pending.map((f) => deadLetterMessage(f.item.message, f.failure)),
        );
        this.#countPerTopic(items(pending), "deadLettered");
        return items(pending);
      } catch (error) {
        // The offset must not be committed before its dead letter is safe: the partition waits, the others go on.
        log.error("writing to the dead-letter topic failed; the partition waits", {
          topic,
          attempt,
          partitions: [...new Set(pending.map((f) => `${f.item.message.topic}-${f.item.message.partition}`))],
          error,
        });
        await this.#sleep(backoffDelayMs({ max: 0, backoffMs: 500, maxBackoffMs: 30_000 }, attempt, this.#random));
      }
    }
  }

  /**
   * A partition whose lane waits for a dead letter drops what is fetched for it (park.ts) instead of holding
   * it: held records would pause it, and a client that pauses whole streams would stop every partition.
   */
  #park(state: PartitionState): void {
    if (state.park.parked || !state.track.live) return;
    park(state.park);
    this.#deps.log.debug("partition parked until its dead letter is written", {
      topic: state.track.topic,
      partition: state.track.partition,
    });
    if (state.paused) {
      state.paused = false;
      if (!this.#pausedAll) this.#deps.client.resume([{ topic: state.track.topic, partition: state.track.partition }]);
      this.#updatePausedGauge();
    }
  }

  #unpark(state: PartitionState): void {
    if (!state.park.parked || !state.track.live) return;
    const rewind = unpark(state.park);
    this.#deps.log.debug("partition unparked: its dead letter was written", {
      topic: state.track.topic,
      partition: state.track.partition,
      fetchingAgainFrom: rewind < 0 ? null : rewind,
    });
    if (rewind >= 0)
      this.#deps.client.seek({ topic: state.track.topic, partition: state.track.partition, offset: rewind });
  }

  // --- commits ----------------------------------------------------------------------------------------------

  /** Commits every partition whose committable position moved; one request at a time, coalescing callers. */
  commitNow(): Promise<void> {
    if (this.#committing) {
      this.#commitAgain = true;
      return this.#committing;
    }
    this.#committing = (async () => {
      do {
        this.#commitAgain = false;
        const candidates = this.#tracker.candidates();
        if (candidates.length === 0) continue;
        const end = this.#deps.metrics.commitDuration.startTimer();
        try {
          await this.#deps.client.commit(candidates);
          this.#tracker.committed(candidates);
        } catch (error) {
          this.#deps.metrics.commitFailures.inc();
          this.#deps.log.warn("offset commit failed; will retry with the next commit", { error });
          break;
        } finally {
          end();
        }
      } while (this.#commitAgain);
    })().finally(() => {
      this.#committing = undefined;
    });
    return this.#committing;
  }

  /**
   * Stops handing out work and fetching, waits up to `graceMs` for running handlers, then commits what is
   * done. Queued work that never started is left uncommitted for the next owner.
   */
  async stop(graceMs: number): Promise<void> {
    this.#stopping = true;
    clearInterval(this.#commitTimer);
    clearTimeout(this.#rebalanceHoldTimer);
    clearTimeout(this.#flushTimer);
    this.#deps.client.pause(this.#assignment);
    if (this.#running > 0 || this.#deadLettering > 0) {
      const idle = new Promise<void>((resolve) => this.#idleWaiters.push(resolve));
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<"timeout">((resolve) => {
        timer = setTimeout(() => resolve("timeout"), graceMs);
      });
      const result = await Promise.race([idle, timeout]);
      clearTimeout(timer);
      if (result === "timeout") {
        this.#deps.log.warn("grace period over: abandoning in-flight work", { inFlight: this.#inFlight });
      }
    }
    if (this.#committing) await this.#committing;
    await this.commitNow();
  }

  // --- bookkeeping ------------------------------------------------------------------------------------------

  #state(topic: string, partition: number): PartitionState {
    const id = partitionId(topic, partition);
    let state = this.#states.get(id);
    if (!state) {
      state = {
        id,
        track: this.#tracker.track(topic, partition),
        held: 0,
        paused: false,
        highWatermark: -1,
        park: newParkState(),
      };
      this.#states.set(id, state);
    }
    return state;
  }

  #release(item: Envelope): void {
    item.state.held--;
    this.#held--;
    this.#heldBytes -= item.bytes;
  }

  #applyBackpressure(state: PartitionState): void {
    const { maxBufferedMessages, maxBufferedBytes, maxPartitionMessages } = this.#options;
    if (!this.#pausedAll && (this.#held >= maxBufferedMessages || this.#heldBytes >= maxBufferedBytes)) {
      this.#pausedAll = true;
      this.#deps.client.pause(this.#assignment);
      this.#deps.log.debug("buffers full: all partitions paused", { held: this.#held, heldBytes: this.#heldBytes });
    } else if (!state.paused && state.held >= maxPartitionMessages && this.#states.has(state.id)) {
      state.paused = true;
      if (!this.#pausedAll) this.#deps.client.pause([state.track]);
    }
    this.#updatePausedGauge();
    this.#deps.metrics.buffered.set(this.#held);
    this.#deps.metrics.bufferedBytes.set(this.#heldBytes);
  }

  #afterRelease(): void {
    const { maxBufferedMessages, maxBufferedBytes, maxPartitionMessages } = this.#options;
    if (this.#stopping) return;
    const toResume: TopicPartition[] = [];
    if (this.#pausedAll && this.#held <= maxBufferedMessages / 2 && this.#heldBytes <= maxBufferedBytes / 2) {
      this.#pausedAll = false;
      for (const s of this.#states.values()) if (!s.paused) toResume.push(s.track);
    }
    for (const s of this.#states.values()) {
      if (s.paused && s.held <= maxPartitionMessages / 2) {
        s.paused = false;
        if (!this.#pausedAll) toResume.push(s.track);
      }
    }
    if (toResume.length) {
      this.#deps.client.resume(toResume.map((t) => ({ topic: t.topic, partition: t.partition })));
      this.#updatePausedGauge();
    }
    this.#deps.metrics.buffered.set(this.#held);
    this.#deps.metrics.bufferedBytes.set(this.#heldBytes);
  }

  #updatePausedGauge(): void {
    let paused = 0;
    for (const s of this.#states.values()) if (this.#pausedAll || s.paused) paused++;
    this.#deps.metrics.pausedPartitions.set(paused);
  }

  /** The message counter of one kind for one topic; label children cached per topic (a hot path). */
  #counter(topic: string, kind: MessageCount): TopicCounter {
    let children = this.#topicCounters.get(topic);
    if (!children) {
      children = this.#deps.metrics.topicCounters(topic);
      this.#topicCounters.set(topic, children);
    }
    return children[kind];
  }

  #countPerTopic(items: readonly Envelope[], kind: MessageCount): void {
    let topic = "";
    let run = 0;
    for (const item of items) {
      if (item.message.topic !== topic) {
        if (run) this.#counter(topic, kind).inc(run);
        topic = item.message.topic;
        run = 0;
      }
      run++;
    }
    if (run) this.#counter(topic, kind).inc(run);
  }
}
