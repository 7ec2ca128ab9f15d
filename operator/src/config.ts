// The operator's own settings, from environment variables; a bad value stops start-up with a message
// naming the variable.
import { hostname } from "node:os";
import { z } from "zod";
import { RUNTIME_IMAGE } from "./images.ts";

const booleanString = z
  .enum(["true", "false"], { message: "must be true or false" })
  .transform((value) => value === "true");

export const operatorConfigSchema = z.object({
  WATCH_NAMESPACES: z
    .string()
    .default("")
    .transform((value) =>
      value
        .split(",")
        .map((ns) => ns.trim())
        .filter(Boolean),
    )
    .describe("Comma-separated namespaces to watch; empty watches all namespaces."),
  LEADER_ELECTION: booleanString.default(true),
  LEADER_ELECTION_NAMESPACE: z.string().min(1).optional(),
  LEASE_NAME: z.string().min(1).max(253).default("lagpilot-operator-leader"),
  LEASE_DURATION_SECONDS: z.coerce.number().int().min(2).max(300).default(15),
  POD_NAMESPACE: z.string().min(1).default("default"),
  POD_NAME: z.string().min(1).default(hostname()),
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  RUNTIME_IMAGE: z.string().min(1).default(RUNTIME_IMAGE),
  RECONCILE_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(16),
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error"]).default("info"),
});

export type OperatorConfig = z.infer<typeof operatorConfigSchema>;

export function loadOperatorConfig(env: NodeJS.ProcessEnv = process.env): OperatorConfig {
  const result = operatorConfigSchema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
    throw new Error(`invalid operator configuration: ${problems.join("; ")}`);
  }
  return result.data;
}
