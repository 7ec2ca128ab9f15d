// `npm run test:mutation [scaling|lag|reconcile|api|processing ...]`: StrykerJS mutates one directory at a time
// and runs the unit tests that cover each mutant (node --test files, read as TAP). A surviving mutant is a
// change of the logic no test notices. One mutant at a time (concurrency 1): the run is CPU-heavy.
// Prints a table of scores and writes the survivors to test/bench/results/mutation-<target>.json.
import { mkdirSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { Stryker } from "@stryker-mutator/core";
import { repoRoot } from "../env/layout.ts";

interface Target {
  /** Files mutated (globs; "!" excludes). */
  mutate: string[];
  /** Unit tests run against the mutants. */
  tests: string[];
}

/** I/O modules (reads, writes, the process) are left to the integration tests; pure logic is mutated. */
const targets: Record<string, Target> = {
  scaling: { mutate: ["operator/src/scaling/**/*.ts"], tests: ["test/unit/scaling/*.test.ts"] },
  lag: { mutate: ["operator/src/lag/**/*.ts"], tests: ["test/unit/lag/*.test.ts"] },
  reconcile: {
    mutate: [
      "operator/src/reconcile/**/*.ts",
      "!operator/src/reconcile/observe.ts",
      "!operator/src/reconcile/execute.ts",
      "!operator/src/reconcile/reconciler.ts",
      "!operator/src/reconcile/events.ts",
      "!operator/src/reconcile/kafka-connection.ts",
      "!operator/src/reconcile/report-invalid.ts",
    ],
    tests: ["test/unit/reconcile/*.test.ts", "test/unit/scaling/spec-mapping.test.ts"],
  },
  api: {
    mutate: ["operator/src/api/**/*.ts", "!operator/src/api/generate.ts", "!operator/src/api/generated-files.ts"],
    tests: ["test/unit/api/*.test.ts"],
  },
  processing: { mutate: ["consumer-runtime/src/processing/**/*.ts"], tests: ["test/unit/runtime/*.test.ts"] },
};

interface Score {
  target: string;
  mutants: number;
  killed: number;
  survived: number;
  noCoverage: number;
  timeout: number;
  errors: number;
  score: number;
  minutes: number;
}

async function mutate(name: string, target: Target): Promise<Score> {
  const started = Date.now();
  const options: ConstructorParameters<typeof Stryker>[0] = {
    testRunner: "tap",
    plugins: ["@stryker-mutator/tap-runner"],
    tap: { testFiles: target.tests, forceBail: true },
    mutate: target.mutate,
    coverageAnalysis: "perTest",
    concurrency: 1,
    timeoutMS: 10_000,
    reporters: ["progress"],
    tempDirName: ".lagpilot/stryker-tmp",
    incremental: true,
    incrementalFile: `.lagpilot/stryker/${name}.json`,
    cleanTempDir: "always",
    // Only what the unit tests load goes into the sandbox (not the local stack's state, not the charts); the API
    // tests compare the generated CRD, examples and reference in crds/ and docs/.
    ignorePatterns: [
      "/*",
      "!/operator",
      "!/consumer-runtime",
      "!/test",
      "!/crds",
      "!/docs",
      "/test/env",
      "!/test/env/layout.ts",
      "!/package.json",
      "!/tsconfig.json",
    ],
  };
  const results = await new Stryker(options).runMutationTest();
  const count = (...statuses: string[]) => results.filter((r) => statuses.includes(r.status)).length;
  const killed = count("Killed");
  const timeout = count("Timeout");
  const survived = count("Survived");
  const noCoverage = count("NoCoverage");
  const detected = killed + timeout;
  const survivors = results
    .filter((r) => r.status === "Survived" || r.status === "NoCoverage")
    .map((r) => ({
      file: relative(repoRoot, r.fileName),
      line: r.location.start.line,
      mutator: r.mutatorName,
      replacement: r.replacement,
      status: r.status,
    }));
  const dir = join(repoRoot, "test", "bench", "results");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `mutation-${name}.json`), `${JSON.stringify({ target: name, survivors }, null, 2)}\n`);
  return {
    target: name,
    mutants: results.length,
    killed,
    survived,
    noCoverage,
    timeout,
    errors: count("CompileError", "RuntimeError"),
    score: Math.round((1000 * detected) / Math.max(1, detected + survived + noCoverage)) / 10,
    minutes: Math.round((Date.now() - started) / 6000) / 10,
  };
}

async function main() {
  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((name) => !(name in targets));
  if (unknown.length > 0)
    throw new Error(`unknown target(s) ${unknown.join(", ")}; known: ${Object.keys(targets).join(", ")}`);
  const scores: Score[] = [];
  for (const name of wanted.length > 0 ? wanted : Object.keys(targets)) {
    scores.push(await mutate(name, targets[name] as Target));
  }
  console.log("\n| target | mutants | killed | timeout | survived | no coverage | errors | score % | minutes |");
  console.log("|---|---|---|---|---|---|---|---|---|");
  for (const s of scores) {
    console.log(
      `| ${s.target} | ${s.mutants} | ${s.killed} | ${s.timeout} | ${s.survived} | ${s.noCoverage} | ${s.errors} | ${s.score} | ${s.minutes} |`,
    );
  }
  console.log("\nsurvivors: test/bench/results/mutation-<target>.json");
  if (scores.some((s) => s.score < 80)) process.exitCode = 1;
}

main().catch((error: Error) => {
  console.error(`test:mutation failed: ${error.message}`);
  process.exit(1);
});
