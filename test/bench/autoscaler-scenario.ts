// Loading and checking scenario files for the autoscaler benchmark.
import { readFileSync } from "node:fs";
import { protocolNamed, type Scenario } from "./autoscaler-sim.ts";

/**
 * KEDA's lagThreshold for a scenario unless the file sets one: the records one replica consumes in
 * half the lag target. A KEDA user translating "at most T seconds behind" into records per replica
 * has to pick something like it; at a full T the group would sit at the target by construction.
 */
export function kedaThreshold(scenario: Scenario): number {
  const given = scenario.keda?.lagThreshold;
  if (typeof given === "number" && given > 0) return given;
  return Math.round((scenario.capacityPerReplica * scenario.target.lagMaxSeconds) / 2);
}

export function loadScenario(path: string): Scenario {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new Error(`scenario ${path}: cannot read it as JSON (${(error as Error).message})`);
  }
  const problems = checkScenario(parsed);
  if (problems.length > 0) throw new Error(`scenario ${path}: ${problems.join("; ")}`);
  return parsed as Scenario;
}

export function checkScenario(value: unknown): string[] {
  const problems: string[] = [];
  if (typeof value !== "object" || value === null) return ["must be a JSON object"];
  const s = value as Record<string, unknown>;
  const positive = (field: string, v: unknown) => {
    if (typeof v !== "number" || !(v > 0)) problems.push(`${field} must be a number > 0`);
  };
  if (typeof s.name !== "string" || s.name === "") problems.push("name must be a non-empty string");
  positive("durationSeconds", s.durationSeconds);
  positive("partitions", s.partitions);
  positive("capacityPerReplica", s.capacityPerReplica);
  if (typeof s.initialReplicas !== "number" || s.initialReplicas < 0) problems.push("initialReplicas must be >= 0");
  const target = s.target as Record<string, unknown> | undefined;
  if (typeof target !== "object" || target === null)
    problems.push("target {lagMaxSeconds, minReplicas, maxReplicas} is required");
  else {
    positive("target.lagMaxSeconds", target.lagMaxSeconds);
    positive("target.maxReplicas", target.maxReplicas);
    if (typeof target.minReplicas !== "number" || target.minReplicas < 0)
      problems.push("target.minReplicas must be >= 0");
  }
  const arrival = s.arrival as Record<string, unknown> | undefined;
  if (arrival?.kind === "points") {
    if (!Array.isArray(arrival.points) || arrival.points.length === 0)
      problems.push("arrival.points must be a non-empty array");
    if (arrival.interpolate !== "step" && arrival.interpolate !== "linear") {
      problems.push('arrival.interpolate must be "step" or "linear"');
    }
  } else if (arrival?.kind === "sine") {
    positive("arrival.periodSeconds", arrival.periodSeconds);
  } else if (arrival?.kind === "walk") {
    positive("arrival.everySeconds", arrival.everySeconds);
    if (typeof arrival.min !== "number" || typeof arrival.max !== "number" || arrival.min > arrival.max) {
      problems.push("arrival.min and arrival.max must be numbers with min <= max");
    }
  } else {
    problems.push('arrival.kind must be "points", "sine" or "walk"');
  }
  if (s.topics !== undefined) {
    const topics = s.topics as { name?: unknown; partitions?: unknown; share?: unknown }[];
    if (!Array.isArray(topics) || topics.length === 0) problems.push("topics must be a non-empty array");
    else {
      topics.forEach((topic, i) => {
        if (typeof topic.name !== "string" || topic.name === "") problems.push(`topics[${i}].name must be a string`);
        positive(`topics[${i}].partitions`, topic.partitions);
        positive(`topics[${i}].share`, topic.share);
      });
      const total = topics.reduce(
        (sum, topic) => sum + (typeof topic.partitions === "number" ? topic.partitions : 0),
        0,
      );
      if (total !== s.partitions) problems.push(`partitions must be the sum of the topics' partitions (${total})`);
    }
  }
  const protocol = (s.group as Record<string, unknown> | undefined)?.protocol;
  if (protocol !== undefined && protocolNamed(protocol) === undefined) {
    problems.push('group.protocol must be "classic" or "consumer" (older files: "eager" or "incremental")');
  }
  return problems;
}
