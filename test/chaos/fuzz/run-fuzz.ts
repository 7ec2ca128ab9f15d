// Sends generated KafkaConsumerGroups through the real apiserver (server-side dry run, strict field validation)
// and a sample of the accepted ones through the real operator (created for real, then read back), and checks:
// every rejection names a field, every accepted object reconciles to Ready or a named condition, no condition
// message is cut off, and the operator never crashes.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import * as k8s from "@kubernetes/client-node";
import yaml from "js-yaml";
import { GROUP, PLURAL, VERSION } from "../../../operator/src/api/group.ts";
import type { StackEnv } from "../../env/stack.ts";
import { repoRoot } from "../../support/processes.ts";
import { type Goal, goal } from "../figures.ts";
import { generateMutants, type Mutant, type SchemaNode } from "./generate.ts";

export interface FuzzOptions {
  env: StackEnv;
  kubeConfig: k8s.KubeConfig;
  namespace: string;
  count: number;
  /** Accepted objects created for real and reconciled by the operator. */
  real: number;
  seed: number;
  concurrency: number;
  /** How long an object that is not Ready may take to become Ready before its named condition is taken. */
  readyGraceSeconds: number;
  /** Is the operator process still the one started (no crash)? */
  operatorCrashes: () => number;
  log: (line: string) => void;
}

export interface Rejection {
  id: number;
  path: string;
  kind: string;
  code: number;
  message: string;
  namesField: boolean;
  namesMutatedField: boolean;
}

export interface ReconciledSample {
  id: number;
  path: string;
  kind: string;
  outcome: string;
  message: string;
}

export interface FuzzSummary {
  generated: number;
  seed: number;
  accepted: number;
  rejected: number;
  rejectionsNamingNoField: Rejection[];
  rejectionsNamingTheMutatedField: number;
  byKind: Record<string, { accepted: number; rejected: number }>;
  real: {
    created: number;
    ready: number;
    namedCondition: number;
    noCondition: ReconciledSample[];
    cutMessages: ReconciledSample[];
    outcomes: Record<string, number>;
    paddedAccepted: ReconciledSample[];
  };
  operatorCrashes: number;
  dryRunSeconds: number;
  realSeconds: number;
  goals: Goal[];
}

function loadSchema(): SchemaNode {
  const crd = yaml.load(readFileSync(join(repoRoot, "crds", "kafkaconsumergroups.lagpilot.dev.yaml"), "utf8")) as {
    spec: { versions: { schema: { openAPIV3Schema: { properties: { spec: SchemaNode } } } }[] };
  };
  return crd.spec.versions[0]?.schema.openAPIV3Schema.properties.spec as SchemaNode;
}

/** The examples shipped with the CRD, pointed at the local Kafka so reconciles reach a real broker. */
function loadBases(bootstrap: string): Record<string, Record<string, unknown>> {
  const dir = join(repoRoot, "crds", "examples");
  const bases: Record<string, Record<string, unknown>> = {};
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".yaml"))) {
    // Some examples carry a Secret beside the group: take the group.
    const object = yaml
      .loadAll(readFileSync(join(dir, file), "utf8"))
      .find((doc) => (doc as { kind?: string }).kind === "KafkaConsumerGroup") as
      | (Record<string, unknown> & { spec: { kafka: { bootstrapServers: string[] } } })
      | undefined;
    if (!object) continue;
    object.spec.kafka.bootstrapServers = [bootstrap];
    bases[file.replace(/\.yaml$/, "")] = object;
  }
  return bases;
}

function errorOf(error: unknown): { code: number; message: string } {
  const e = error as { code?: number; body?: unknown; message?: string };
  let body: { message?: string; details?: { causes?: { field?: string; message?: string }[] } } | undefined;
  try {
    body = typeof e.body === "string" ? JSON.parse(e.body) : (e.body as typeof body);
  } catch {
    body = undefined;
  }
  const causes = (body?.details?.causes ?? []).map((c) => `${c.field ?? ""}: ${c.message ?? ""}`).join("; ");
  return {
    code: e.code ?? 0,
    message: `${body?.message ?? e.message ?? String(error)}${causes ? ` [${causes}]` : ""}`,
  };
}

/** The last named segment of a path, e.g. "size" of spec.batch.size, "topics" of spec.topics[0]. */
function leafName(path: string): string {
  return (
    path
      .replace(/\[\d+\]/g, "")
      .split(".")
      .pop() ?? path
  );
}

async function pool<T>(items: Iterable<T>, concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  const iterator = items[Symbol.iterator]();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let next = iterator.next(); !next.done; next = iterator.next()) await work(next.value);
    }),
  );
}

/** A message cut in the middle: it ends in an opening quote or an escape, as a truncated error string does. */
export function looksCut(message: string): boolean {
  return /(\\"|"|\\|: )$/.test(message.trim()) || /\\"$/.test(message);
}

export async function runFuzz(options: FuzzOptions): Promise<FuzzSummary> {
  const { kubeConfig, namespace, log } = options;
  const custom = kubeConfig.makeApiClient(k8s.CustomObjectsApi);
  const spec = loadSchema();
  const bases = loadBases(options.env.kafka.bootstrap);
  const accepted: Mutant[] = [];
  const rejections: Rejection[] = [];
  const byKind: FuzzSummary["byKind"] = {};
  const started = Date.now();
  let done = 0;
  const mutants = generateMutants({
    seed: options.seed,
    count: options.count,
    bases,
    spec,
    nameOf: (id) => `fuzz-${id}`,
  });
  await pool(mutants, options.concurrency, async (mutant) => {
    const kind = byKind[mutant.kind] ?? { accepted: 0, rejected: 0 };
    byKind[mutant.kind] = kind;
    try {
      await custom.createNamespacedCustomObject({
        group: GROUP,
        version: VERSION,
        namespace,
        plural: PLURAL,
        body: mutant.object,
        dryRun: "All",
        fieldValidation: "Strict",
      });
      kind.accepted += 1;
      accepted.push(mutant);
    } catch (error) {
      const { code, message } = errorOf(error);
      kind.rejected += 1;
      rejections.push({
        id: mutant.id,
        path: mutant.path,
        kind: mutant.kind,
        code,
        message: message.slice(0, 600),
        namesField: /(^|[^A-Za-z0-9_])(spec|metadata)\.[A-Za-z]/.test(message),
        namesMutatedField: message.includes(leafName(mutant.path)),
      });
    }
    done += 1;
    if (done % 1000 === 0) log(`fuzz: ${done} of ${options.count} through the apiserver (dry run)`);
  });
  const dryRunSeconds = (Date.now() - started) / 1000;

  // A sample of the accepted objects, created for real: spread over mutation kinds.
  const byKindAccepted = new Map<string, Mutant[]>();
  for (const m of accepted.sort((a, b) => a.id - b.id))
    byKindAccepted.set(m.kind, [...(byKindAccepted.get(m.kind) ?? []), m]);
  const sample: Mutant[] = [];
  for (let round = 0; sample.length < Math.min(options.real, accepted.length); round++) {
    for (const list of byKindAccepted.values()) {
      const m = list[round];
      if (m && sample.length < options.real) sample.push(m);
    }
  }
  const realStarted = Date.now();
  const created: Mutant[] = [];
  await pool(sample, options.concurrency, async (m) => {
    await custom
      .createNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: PLURAL, body: m.object })
      .then(() => created.push(m))
      .catch((error) => log(`fuzz: could not create ${m.path} ${m.kind}: ${errorOf(error).message.slice(0, 200)}`));
  });
  log(`fuzz: ${created.length} accepted objects created for real; waiting for the operator's conditions`);
  type Status = {
    observedGeneration?: number;
    conditions?: { type: string; status: string; reason?: string; message?: string }[];
  };
  const outcomeOf = (status: Status | undefined): ReconciledSample["outcome"] | undefined => {
    const conditions = status?.conditions ?? [];
    if (conditions.length === 0) return undefined;
    const ready = conditions.find((c) => c.type === "Ready");
    if (ready?.status === "True") return "Ready";
    const named = conditions.find(
      (c) => c.status !== "Unknown" && c.reason && c.type !== "Ready" && c.status === "True",
    );
    return named ? `${named.type}/${named.reason}` : ready?.reason ? `Ready=False/${ready.reason}` : undefined;
  };
  const results = new Map<number, ReconciledSample>();
  const waitStarted = Date.now();
  const deadline = waitStarted + (options.readyGraceSeconds + 120) * 1000;
  while (results.size < created.length && Date.now() < deadline) {
    const list = (await custom
      .listNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: PLURAL })
      .catch(() => ({ items: [] }))) as { items: { metadata: { name: string }; status?: Status }[] };
    for (const item of list.items) {
      const id = Number(item.metadata.name.replace("fuzz-", ""));
      const m = created.find((c) => c.id === id);
      const outcome = outcomeOf(item.status);
      // Ready needs the pods: wait for it a while, take a named condition otherwise.
      if (!m || !outcome) continue;
      const ready = item.status?.conditions?.find((c) => c.type === "Ready");
      const message = (item.status?.conditions ?? [])
        .map((c) => `${c.type}=${c.status}/${c.reason}: ${c.message ?? ""}`)
        .join(" | ");
      const graceOver = Date.now() - waitStarted > options.readyGraceSeconds * 1000;
      if (outcome !== "Ready" && !graceOver && ready?.reason !== "InvalidSpec") continue;
      results.set(id, { id, path: m.path, kind: m.kind, outcome, message: message.slice(0, 600) });
    }
    if (results.size < created.length) await sleep(2000);
  }
  const samples = [...results.values()];
  const noCondition = created
    .filter((m) => !results.has(m.id))
    .map((m) => ({ id: m.id, path: m.path, kind: m.kind, outcome: "none", message: "" }));
  const cutMessages = samples.filter((s) => s.message.split(" | ").some((part) => looksCut(part)));
  const outcomes: Record<string, number> = {};
  for (const s of samples) outcomes[s.outcome] = (outcomes[s.outcome] ?? 0) + 1;
  const paddedAccepted = samples.filter((s) => s.kind === "padded" && s.outcome === "Ready");
  const realSeconds = (Date.now() - realStarted) / 1000;
  const crashes = options.operatorCrashes();
  const noField = rejections.filter((r) => !r.namesField);
  return {
    generated: options.count,
    seed: options.seed,
    accepted: accepted.length,
    rejected: rejections.length,
    rejectionsNamingNoField: noField.slice(0, 50),
    rejectionsNamingTheMutatedField: rejections.filter((r) => r.namesMutatedField).length,
    byKind,
    real: {
      created: created.length,
      ready: samples.filter((s) => s.outcome === "Ready").length,
      namedCondition: samples.filter((s) => s.outcome !== "Ready").length,
      noCondition,
      cutMessages,
      outcomes,
      paddedAccepted,
    },
    operatorCrashes: crashes,
    dryRunSeconds,
    realSeconds,
    goals: [
      goal("no operator crash", crashes === 0, `${crashes} unexpected operator exits`),
      goal(
        "every rejection names a field",
        noField.length === 0,
        `${rejections.length - noField.length} of ${rejections.length} name a spec./metadata. field`,
      ),
      goal(
        "every accepted object reconciles to Ready or a named condition",
        noCondition.length === 0,
        `${created.length - noCondition.length} of ${created.length} created (ready ${samples.filter((s) => s.outcome === "Ready").length})`,
      ),
      goal(
        "no condition message is cut off",
        cutMessages.length === 0,
        cutMessages.length === 0 ? "none" : `${cutMessages.length}, e.g. ${cutMessages[0]?.message.slice(0, 200)}`,
      ),
    ],
  };
}
