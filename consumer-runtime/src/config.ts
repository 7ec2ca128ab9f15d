// The runtime's configuration: one zod schema, read from the file named by LAGPILOT_CONFIG (JSON or YAML) with
// `LAGPILOT__a__b=value` environment overrides. The processing/consumer/tier/batch fields mirror the
// KafkaConsumerGroup spec, so the operator can render its spec into this file as it is.
import { readFileSync } from "node:fs";
import yaml from "js-yaml";
import { z } from "zod";

// The names and defaults below equal the KafkaConsumerGroup API's (operator/src/api/profiles.ts); a unit test
// keeps them equal. They are not imported from there because the runtime image carries only consumer-runtime/.
export const tierNames = ["Standard", "Buffered", "Dedicated"] as const;
export const commitModes = ["batch", "interval"] as const;
export const groupProtocols = ["consumer", "classic"] as const;
export type GroupProtocol = (typeof groupProtocols)[number];
export const builtinDefaults = {
  batch: { size: 32, maxWaitMs: 50 },
  consumer: {
    groupProtocol: "consumer" as GroupProtocol,
    sessionTimeoutMs: 30_000,
    heartbeatIntervalMs: 3000,
    rebalanceTimeoutMs: 60_000,
    requestTimeoutMs: 30_000,
    fetchMinBytes: 1,
    fetchMaxWaitMs: 100,
    maxBytesPerPartition: 1_048_576,
    maxPollRecords: 500,
  },
  commit: { mode: "interval" as (typeof commitModes)[number], intervalMs: 1000 },
};
export const clientNames = ["kafkajs", "platformatic"] as const;
export const builtinHandlerNames = ["noop", "log", "forward-to-topic", "simulate-work"] as const;

export const tierSchema = z.enum(tierNames);

const batchDefaults = builtinDefaults.batch;
export const batchSchema = z.strictObject({
  /** Messages handed to the handler at once (Buffered and Dedicated tiers). */
  size: z.int().min(1).max(10_000).default(batchDefaults.size),
  /** Longest wait for a batch to fill before handing over what arrived. */
  maxWaitMs: z.int().min(0).max(60_000).default(batchDefaults.maxWaitMs),
});

const consumerDefaults = builtinDefaults.consumer;
export const consumerSchema = z
  .strictObject({
    /** consumer: Kafka 4's broker-assigned protocol (KIP-848), only moved partitions stop; classic: eager rebalances. */
    groupProtocol: z.enum(groupProtocols).default(consumerDefaults.groupProtocol),
    sessionTimeoutMs: z.int().min(1000).max(3_600_000).default(consumerDefaults.sessionTimeoutMs),
    heartbeatIntervalMs: z.int().min(100).max(60_000).default(consumerDefaults.heartbeatIntervalMs),
    rebalanceTimeoutMs: z.int().min(1000).max(3_600_000).default(consumerDefaults.rebalanceTimeoutMs),
    /** How long a request to a broker may take (raised by the io-bound profile). */
    requestTimeoutMs: z.int().min(1000).max(3_600_000).default(consumerDefaults.requestTimeoutMs),
    fetchMinBytes: z.int().min(1).max(52_428_800).default(consumerDefaults.fetchMinBytes),
    fetchMaxWaitMs: z.int().min(0).max(60_000).default(consumerDefaults.fetchMaxWaitMs),
    maxBytesPerPartition: z.int().min(1024).max(104_857_600).default(consumerDefaults.maxBytesPerPartition),
    /** Messages one partition may hold in the runtime before it is paused until the handler catches up. */
    maxPollRecords: z.int().min(1).max(100_000).default(consumerDefaults.maxPollRecords),
  })
  .refine((c) => c.heartbeatIntervalMs * 3 <= c.sessionTimeoutMs, {
    path: ["heartbeatIntervalMs"],
    message: "must be at most a third of consumer.sessionTimeoutMs",
  });

const builtinHandlerSchema = z.strictObject({
  name: z.enum(builtinHandlerNames),
  /** forward-to-topic: where messages are copied to. */
  topic: z.string().min(1).optional(),
  /** simulate-work: time spent per message. */
  workMs: z.number().min(0).max(60_000).default(0),
  /** simulate-work: burn CPU (blocks the event loop) or sleep (waits like I/O). */
  workKind: z.enum(["cpu", "sleep"]).default("cpu"),
});

const moduleHandlerSchema = z.strictObject({
  /** Path of an ES module inside the image exporting handleMessage(message) or handleBatch(messages). */
  path: z.string().min(1),
  /** Deadline of one handleBatch or handleMessage call; past it the call counts as failed (retried, dead-lettered). */
  timeoutMs: z.int().min(1).max(3_600_000).default(60_000),
});

const httpHandlerSchema = z.strictObject({
  url: z.url(),
  timeoutMs: z.int().min(1).max(600_000).default(5000),
  headers: z.record(z.string(), z.string()).default({}),
  /** How keys and values are written into the JSON body. */
  encoding: z.enum(["utf8", "base64"]).default("utf8"),
});

export const handlerSchema = z
  .strictObject({
    builtin: builtinHandlerSchema.optional(),
    module: moduleHandlerSchema.optional(),
    http: httpHandlerSchema.optional(),
  })
  .superRefine((handler, ctx) => {
    const set = [handler.builtin, handler.module, handler.http].filter((h) => h !== undefined).length;
    if (set !== 1) {
      ctx.addIssue({ code: "custom", message: "set exactly one of builtin, module or http" });
    }
    if (handler.builtin?.name === "forward-to-topic" && !handler.builtin.topic) {
      ctx.addIssue({ code: "custom", path: ["builtin", "topic"], message: "forward-to-topic needs a topic" });
    }
  });

export const processingSchema = z.strictObject({
  handler: handlerSchema.default({ builtin: { name: "noop", workMs: 0, workKind: "cpu" } }),
  /** Handler calls running at once. */
  concurrency: z.int().min(1).max(1024).default(1),
  /** partition: strict order per partition; key: order per key, parallel across keys; none: no order. */
  ordering: z.enum(["partition", "key", "none"]).default("partition"),
  commit: z
    .strictObject({
      /** batch: commit after every handled batch; interval: commit every intervalMs. */
      mode: z.enum(commitModes).default(builtinDefaults.commit.mode),
      intervalMs: z.int().min(10).max(600_000).default(builtinDefaults.commit.intervalMs),
    })
    .default({ ...builtinDefaults.commit }),
  retries: z
    .strictObject({
      max: z.int().min(0).max(100).default(3),
      backoffMs: z.int().min(0).max(600_000).default(100),
      maxBackoffMs: z.int().min(0).max(3_600_000).default(10_000),
    })
    .refine((r) => r.backoffMs <= r.maxBackoffMs, {
      path: ["backoffMs"],
      message: "must not exceed processing.retries.maxBackoffMs",
    })
    .default({ max: 3, backoffMs: 100, maxBackoffMs: 10_000 }),
  deadLetter: z.strictObject({ topic: z.string().min(1) }).optional(),
});

const saslSchema = z
  .strictObject({
    mechanism: z.enum(["plain", "scram-sha-256", "scram-sha-512"]),
    username: z.string().min(1).optional(),
    usernameFile: z.string().min(1).optional(),
    password: z.string().min(1).optional(),
    passwordFile: z.string().min(1).optional(),
  })
  .superRefine((sasl, ctx) => {
    if (!sasl.username === !sasl.usernameFile) {
      ctx.addIssue({ code: "custom", path: ["username"], message: "set exactly one of username or usernameFile" });
    }
    if (!sasl.password === !sasl.passwordFile) {
      ctx.addIssue({ code: "custom", path: ["password"], message: "set exactly one of password or passwordFile" });
    }
  });

export const kafkaSchema = z.strictObject({
  bootstrapServers: z.array(z.string().regex(/^[^\s:]+:\d+$/, "expected host:port")).min(1),
  clientId: z.string().min(1).default("lagpilot-runtime"),
  tls: z
    .strictObject({
      caFile: z.string().optional(),
      certFile: z.string().optional(),
      keyFile: z.string().optional(),
      insecureSkipVerify: z.boolean().default(false),
    })
    .optional(),
  sasl: saslSchema.optional(),
});

export const runtimeConfigSchema = z
  .strictObject({
    groupId: z.string().min(1),
    topics: z.array(z.string().min(1)).min(1),
    startFrom: z.enum(["earliest", "latest"]).default("latest"),
    tier: tierSchema.default("Standard"),
    /** Kafka client library; auto picks the one measured best for the tier (docs/adr/0003). */
    client: z.enum(["auto", ...clientNames]).default("auto"),
    batch: batchSchema.default({ ...batchDefaults }),
    consumer: consumerSchema.default(() => consumerSchema.parse({})),
    processing: processingSchema.default(() => processingSchema.parse({})),
    kafka: kafkaSchema,
    buffer: z
      .strictObject({
        /** Messages held (queued or in flight) before partitions are paused. */
        maxMessages: z.int().min(1).default(20_000),
        maxBytes: z
          .int()
          .min(1024)
          .default(64 * 1024 * 1024),
      })
      .default({ maxMessages: 20_000, maxBytes: 64 * 1024 * 1024 }),
    server: z.strictObject({ port: z.int().min(0).max(65_535).default(8080) }).default({ port: 8080 }),
    shutdown: z
      .strictObject({ gracePeriodMs: z.int().min(0).max(3_600_000).default(25_000) })
      .default({ gracePeriodMs: 25_000 }),
    log: z
      .strictObject({ level: z.enum(["debug", "info", "warn", "error"]).default("info") })
      .default({ level: "info" }),
  })
  .refine((c) => !(c.client === "kafkajs" && c.consumer.groupProtocol === "consumer"), {
    path: ["client"],
    message: "kafkajs speaks only the classic group protocol: set consumer.groupProtocol: classic or client: auto",
  });

export type RuntimeConfig = z.output<typeof runtimeConfigSchema>;
export type RuntimeConfigInput = z.input<typeof runtimeConfigSchema>;
export type Tier = z.output<typeof tierSchema>;
export type ClientName = (typeof clientNames)[number];
export type HandlerConfig = z.output<typeof handlerSchema>;

export class ConfigError extends Error {
  override name = "ConfigError";
}

/** One line per problem, each starting with the dotted path of the field. */
export function formatIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.length ? issue.path.join(".") : "(root)"}: ${issue.message}`)
    .join("\n");
}

export function parseConfig(raw: unknown): RuntimeConfig {
  const result = runtimeConfigSchema.safeParse(raw);
  if (!result.success) throw new ConfigError(`invalid runtime config:\n${formatIssues(result.error)}`);
  return result.data;
}

/** Reads a JSON or YAML document; the file name does not matter (JSON is YAML). */
export function parseDocument(text: string, source: string): unknown {
  try {
    return yaml.load(text);
  } catch (error) {
    throw new ConfigError(`${source}: not valid JSON or YAML: ${(error as Error).message}`);
  }
}

const overridePrefix = "LAGPILOT__";

/**
 * Applies `LAGPILOT__processing__concurrency=8` style overrides: the name after the prefix is the field's
 * path joined with `__`; the value is parsed as JSON when it is JSON, else kept as a string.
 */
export function applyEnvOverrides(base: unknown, env: Record<string, string | undefined>): unknown {
  const root: Record<string, unknown> = isObject(base) ? structuredClone(base) : {};
  for (const [name, value] of Object.entries(env).sort(([a], [b]) => a.localeCompare(b))) {
    if (!name.startsWith(overridePrefix) || value === undefined) continue;
    const path = name.slice(overridePrefix.length).split("__").filter(Boolean);
    if (path.length === 0) continue;
    let node = root;
    for (const segment of path.slice(0, -1)) {
      if (!isObject(node[segment])) node[segment] = {};
      node = node[segment] as Record<string, unknown>;
    }
    node[path.at(-1) as string] = parseScalar(value);
  }
  return root;
}

function parseScalar(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export interface LoadOptions {
  env: Record<string, string | undefined>;
  readFile?: (path: string) => string;
}

/** Loads the config from LAGPILOT_CONFIG (optional when the environment supplies every field). */
export function loadConfig({ env, readFile = (p) => readFileSync(p, "utf8") }: LoadOptions): RuntimeConfig {
  const path = env.LAGPILOT_CONFIG;
  let document: unknown = {};
  if (path) {
    let text: string;
    try {
      text = readFile(path);
    } catch (error) {
      throw new ConfigError(`LAGPILOT_CONFIG=${path}: cannot read the file: ${(error as Error).message}`);
    }
    document = parseDocument(text, path) ?? {};
  }
  return parseConfig(applyEnvOverrides(document, env));
}

export interface Secrets {
  sasl?: { mechanism: "plain" | "scram-sha-256" | "scram-sha-512"; username: string; password: string };
  tls?: { ca?: string; cert?: string; key?: string; insecureSkipVerify: boolean };
}

/** Reads the mounted credential files named by the config; a missing file names its field. */
export function resolveSecrets(
  kafka: RuntimeConfig["kafka"],
  readFile: (path: string) => string = (p) => readFileSync(p, "utf8"),
): Secrets {
  const read = (field: string, path: string): string => {
    try {
      return readFile(path).trim();
    } catch (error) {
      throw new ConfigError(`kafka.${field}: cannot read ${path}: ${(error as Error).message}`);
    }
  };
  const secrets: Secrets = {};
  if (kafka.sasl) {
    const { sasl } = kafka;
    secrets.sasl = {
      mechanism: sasl.mechanism,
      username: sasl.username ?? read("sasl.usernameFile", sasl.usernameFile as string),
      password: sasl.password ?? read("sasl.passwordFile", sasl.passwordFile as string),
    };
  }
  if (kafka.tls) {
    const { tls } = kafka;
    secrets.tls = {
      ca: tls.caFile ? read("tls.caFile", tls.caFile) : undefined,
      cert: tls.certFile ? read("tls.certFile", tls.certFile) : undefined,
      key: tls.keyFile ? read("tls.keyFile", tls.keyFile) : undefined,
      insecureSkipVerify: tls.insecureSkipVerify,
    };
  }
  return secrets;
}
