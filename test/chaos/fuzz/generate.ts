// KafkaConsumerGroups generated from valid ones, mutated one field at a time. Pure and seeded: the same seed
// gives the same objects. The fields come from the CRD's own schema (every property, also those the base
// objects leave out), so a new field in the API is fuzzed without touching this file.

export interface SchemaNode {
  type?: string;
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  pattern?: string;
}

export interface FieldPath {
  /** Dotted path from the object's root, arrays as [0], e.g. spec.topics[0]. */
  path: string;
  node: SchemaNode;
}

export const mutationKinds = [
  "wrong-type",
  "below-minimum",
  "above-maximum",
  "fraction",
  "huge-string",
  "too-long",
  "unicode",
  "padded",
  "empty",
  "unknown-field",
  "removed",
  "outside-enum",
  "in-range",
] as const;
export type MutationKind = (typeof mutationKinds)[number];

export interface Mutant {
  id: number;
  base: string;
  path: string;
  kind: MutationKind;
  object: Record<string, unknown>;
}

/** Every field of the schema under `root`, arrays entered through their first item. */
export function fieldPaths(node: SchemaNode, root = "spec"): FieldPath[] {
  const out: FieldPath[] = [{ path: root, node }];
  for (const [name, child] of Object.entries(node.properties ?? {})) out.push(...fieldPaths(child, `${root}.${name}`));
  if (node.items) out.push(...fieldPaths(node.items, `${root}[0]`));
  return out;
}

/** mulberry32: a small, fast, seeded generator; enough for picking fields and values. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const unicodeSamples = [
  "ñandú-ü",
  "订单-处理",
  "🚀🔥",
  "\u202eevil\u202c",
  "a\u200bb",
  "e\u0301\u0301\u0301",
  "nul\u0000byte",
  "line\nbreak",
  "\ud83d",
  "ｆｕｌｌｗｉｄｔｈ",
];

function pick<T>(random: () => number, list: readonly T[]): T {
  return list[Math.floor(random() * list.length)] as T;
}

function kindsFor(node: SchemaNode): MutationKind[] {
  const kinds: MutationKind[] = ["wrong-type", "removed", "unknown-field"];
  const type = node.type;
  if (type === "integer" || type === "number") {
    kinds.push("in-range", "huge-string");
    if (node.minimum !== undefined) kinds.push("below-minimum");
    if (node.maximum !== undefined) kinds.push("above-maximum");
    if (type === "integer") kinds.push("fraction");
  }
  if (type === "string") {
    kinds.push("huge-string", "unicode", "padded", "empty");
    if (node.maxLength !== undefined) kinds.push("too-long");
    if (node.enum) kinds.push("outside-enum", "in-range");
  }
  if (type === "array") kinds.push("empty", "huge-string");
  if (type === "object") kinds.push("empty");
  if (type === "boolean") kinds.push("in-range");
  return kinds;
}

function wrongTypeValue(random: () => number, type: string | undefined): unknown {
  const candidates: [string, unknown][] = [
    ["string", "not-a-number"],
    ["integer", 42],
    ["number", 4.2],
    ["boolean", true],
    ["object", { a: 1 }],
    ["array", [1, "two"]],
    ["null", null],
  ];
  return pick(
    random,
    candidates.filter(([t]) => t !== type && !(type === "number" && t === "integer")),
  )[1];
}

function valueFor(random: () => number, kind: MutationKind, node: SchemaNode): unknown {
  switch (kind) {
    case "wrong-type":
      return wrongTypeValue(random, node.type);
    case "below-minimum":
      return (node.minimum ?? 0) - 1 - Math.floor(random() * 3);
    case "above-maximum":
      return pick(random, [(node.maximum ?? 0) + 1, (node.maximum ?? 0) * 10 + 7, 1e300]);
    case "fraction":
      return Math.max(node.minimum ?? 0, 1) + 0.5;
    case "huge-string":
      return "x".repeat(pick(random, [70_000, 300_000]));
    case "too-long":
      return "a".repeat((node.maxLength ?? 0) + 1);
    case "unicode":
      return pick(random, unicodeSamples);
    case "padded":
      return ` ${pick(random, ["value", "orders", "registry.example.com/app:1.0", "earliest"])} `;
    case "empty":
      return node.type === "array" ? [] : node.type === "object" ? {} : "";
    case "outside-enum":
      return pick(random, ["Unknown", "", "STANDARD", "buffered "]);
    case "in-range": {
      if (node.enum) return pick(random, node.enum);
      if (node.type === "boolean") return random() < 0.5;
      const low = node.minimum ?? 0;
      const high = Math.min(node.maximum ?? low + 1000, low + 1_000_000);
      const value = low + random() * (high - low);
      return node.type === "integer" ? Math.floor(value) : Math.round(value * 100) / 100;
    }
    default:
      return undefined;
  }
}

type Container = Record<string, unknown> | unknown[];

/** Splits "spec.a[0].b" into ["spec", "a", 0, "b"]. */
export function splitPath(path: string): (string | number)[] {
  const parts: (string | number)[] = [];
  for (const segment of path.split(".")) {
    const match = /^([^[]+)((\[\d+\])*)$/.exec(segment);
    if (!match) throw new Error(`bad path segment ${segment}`);
    parts.push(match[1] as string);
    for (const index of (match[2] ?? "").matchAll(/\[(\d+)\]/g)) parts.push(Number(index[1]));
  }
  return parts;
}

/** Sets (or deletes, with undefined) the value at `path`, creating the objects and arrays on the way. */
export function setAt(object: Record<string, unknown>, path: string, value: unknown): void {
  const parts = splitPath(path);
  let current: Container = object;
  for (let i = 0; i < parts.length - 1; i++) {
    const key = parts[i] as string | number;
    const nextIsIndex = typeof parts[i + 1] === "number";
    const existing = (current as Record<string | number, unknown>)[key];
    if (existing === null || typeof existing !== "object") {
      (current as Record<string | number, unknown>)[key] = nextIsIndex ? [] : {};
    }
    current = (current as Record<string | number, unknown>)[key] as Container;
  }
  const last = parts[parts.length - 1] as string | number;
  if (value === undefined) {
    if (Array.isArray(current) && typeof last === "number") current.splice(last, 1);
    else delete (current as Record<string | number, unknown>)[last];
  } else {
    (current as Record<string | number, unknown>)[last] = value;
  }
}

export interface GenerateOptions {
  seed: number;
  count: number;
  /** Valid KafkaConsumerGroups by name. */
  bases: Record<string, Record<string, unknown>>;
  spec: SchemaNode;
  /** metadata.name of each mutant. */
  nameOf: (id: number) => string;
}

export function* generateMutants(options: GenerateOptions): Generator<Mutant> {
  const random = seededRandom(options.seed);
  const paths = fieldPaths(options.spec).filter((f) => f.path !== "spec");
  const baseNames = Object.keys(options.bases);
  for (let id = 0; id < options.count; id++) {
    const base = pick(random, baseNames);
    const field = pick(random, paths);
    const kind = pick(random, kindsFor(field.node));
    const object = structuredClone(options.bases[base] as Record<string, unknown>);
    (object.metadata as Record<string, unknown>) = { name: options.nameOf(id) };
    if (kind === "unknown-field") {
      const target = field.node.type === "object" ? field.path : field.path.replace(/(\.[^.[]+|\[\d+\])$/, "");
      setAt(
        object,
        `${target || "spec"}.${pick(random, ["unknownField", "replicaCount", "Tier", "extra_setting"])}`,
        1,
      );
    } else {
      setAt(object, field.path, kind === "removed" ? undefined : valueFor(random, kind, field.node));
    }
    yield { id, base, path: field.path, kind, object };
  }
}
