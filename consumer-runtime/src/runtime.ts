// Wires one runtime: config -> client (per tier) -> handler -> pipeline -> HTTP server; and takes it down in
// order: stop fetching, finish or abandon in-flight work, commit, leave the group.
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { ConsumerClientOptions, KafkaProducerClient } from "./client/contract.ts";
import { KafkajsProducerClient } from "./client/kafkajs.ts";
import { explainTlsFailure, tlsFailureOf } from "./client/tls-failure.ts";
import { type ClientName, type GroupProtocol, type RuntimeConfig, resolveSecrets } from "./config.ts";
import type { Handler } from "./handlers/contract.ts";
import { createHandler } from "./handlers/index.ts";
import type { Logger } from "./log.ts";
import { RuntimeMetrics } from "./metrics.ts";
import { Pipeline } from "./processing/pipeline.ts";
import { LoopWatchdog, startServer } from "./server.ts";
import { tiers } from "./tiers/index.ts";

/** A loop that has not ticked for this long is reported unhealthy. */
const stalledLoopMs = 10_000;

export interface Runtime {
  /** The HTTP port actually bound (useful with port 0). */
  port: number;
  clientName: string;
  /** Graceful stop; resolves when the group was left. */
  stop(reason: string): Promise<void>;
  /** Resolves with an error when the runtime failed on its own. */
  failed: Promise<Error>;
}

/**
 * The client `client: auto` runs: under the consumer group protocol (KIP-848) only @platformatic/kafka speaks
 * it; under the classic protocol each tier's measured default (docs/adr/0003, docs/adr/0008).
 */
export function defaultClient(protocol: GroupProtocol, tierDefault: ClientName): ClientName {
  return protocol === "consumer" ? "platformatic" : tierDefault;
}

/** `groupInstanceId`: the Pod's name, stable across container restarts, for static group membership. */
export async function startRuntime(config: RuntimeConfig, log: Logger, groupInstanceId?: string): Promise<Runtime> {
  const secrets = resolveSecrets(config.kafka);
  const tier = tiers[config.tier];
  const clientName =
    config.client === "auto" ? defaultClient(config.consumer.groupProtocol, tier.defaultClient) : config.client;
  const options: ConsumerClientOptions = {
    clientId: config.kafka.clientId,
    groupId: config.groupId,
    groupInstanceId,
    bootstrapServers: config.kafka.bootstrapServers,
    sasl: secrets.sasl,
    tls: secrets.tls,
    ...config.consumer,
  };

  let producer: Promise<KafkaProducerClient> | undefined;
  const getProducer = () => {
    producer ??= (async () => {
      const p = new KafkajsProducerClient({ ...options, clientId: `${config.kafka.clientId}-producer` });
      await p.connect();
      return p;
    })().catch((error) => {
      producer = undefined;
      throw error;
    });
    return producer;
  };

  let fail: (error: Error) => void = () => {};
  const failed = new Promise<Error>((resolve) => {
    fail = resolve;
  });
  let fatal: Error | undefined;
  const onFatal = (error: Error) => {
    if (fatal) return;
    fatal = error;
    log.error("the Kafka client failed", { error });
    fail(error);
  };

  const handler: Handler = await createHandler(config.processing.handler, { log, producer: getProducer });
  const client = await tier.createClient(clientName, options, config);
  let pipeline: Pipeline | undefined;
  const metrics = new RuntimeMetrics({ partitionLag: () => pipeline?.partitionLag() ?? [] });
  pipeline = new Pipeline(
    {
      ...tier.batching(config),
      concurrency: config.processing.concurrency,
      ordering: config.processing.ordering,
      commit: config.processing.commit,
      retries: config.processing.retries,
      deadLetterTopic: config.processing.deadLetter?.topic,
      maxBufferedMessages: config.buffer.maxMessages,
      maxBufferedBytes: config.buffer.maxBytes,
      maxPartitionMessages: config.consumer.maxPollRecords,
      rebalanceHoldMaxMs: config.consumer.rebalanceTimeoutMs,
    },
    { client, handler, producer: getProducer, metrics, log, onFatal },
  );
  const running = pipeline;

  const watchdog = new LoopWatchdog();
  const unhealthy = () => {
    if (fatal) return `Kafka client failed: ${fatal.message}`;
    const stalled = watchdog.stalledForMs();
    return stalled > stalledLoopMs ? `event loop stalled for ${stalled} ms` : null;
  };
  const server: Server = await startServer(config.server.port, metrics.registry, {
    unhealthy,
    // Ready: joined the group and healthy. Owning a partition is not required (see Pipeline.ready).
    notReady: () => unhealthy() ?? (running.ready ? null : "not joined to the group yet"),
  });
  const port = (server.address() as AddressInfo).port;

  log.info("starting", {
    tier: config.tier,
    client: client.name,
    groupId: config.groupId,
    topics: config.topics,
    handler: Object.keys(config.processing.handler).filter(
      (k) => config.processing.handler[k as keyof typeof config.processing.handler],
    ),
    port,
  });
  try {
    await client.connect();
    await client.subscribe(config.topics, config.startFrom);
    running.start();
    await client.run(running);
  } catch (error) {
    const broker = config.kafka.bootstrapServers.join(",");
    const tlsFailure = config.kafka.tls ? tlsFailureOf(error) : undefined;
    const wrapped = new Error(
      tlsFailure && config.kafka.tls
        ? `cannot consume from ${broker}: ${explainTlsFailure(tlsFailure, config.kafka.tls)} (${(error as Error).message})`
        : `cannot consume from ${broker} (kafka.bootstrapServers): ${(error as Error).message}`,
    );
    watchdog.stop();
    server.close();
    await client.close().catch(() => {});
    throw wrapped;
  }

  let stopping: Promise<void> | undefined;
  const stop = (reason: string) => {
    stopping ??= (async () => {
      log.info("stopping", { reason, gracePeriodMs: config.shutdown.gracePeriodMs });
      await running.stop(config.shutdown.gracePeriodMs);
      await client.close().catch((error) => log.warn("leaving the group failed", { error }));
      if (producer) await (await producer.catch(() => undefined))?.close().catch(() => {});
      await handler.close().catch((error) => log.warn("handler close failed", { error }));
      watchdog.stop();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      log.info("stopped");
    })();
    return stopping;
  };

  return { port, clientName: client.name, stop, failed };
}
