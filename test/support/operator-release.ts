// The operator as users run it: the chart installed with Helm, its Pod on the node from the operator image,
// managing the given namespaces only. For tests and the demo that need an operator but test something else.
import { join } from "node:path";
import { repoRoot } from "./processes.ts";
import { runTool } from "./stack-env.ts";

export interface OperatorRelease {
  release: string;
  namespace: string;
  /** The operator Pods' log lines, oldest first. */
  logs(): Promise<string>;
  uninstall(): Promise<void>;
}

/**
 * Installs the chart as `release` into `namespace` (which must exist), watching `watchNamespaces`, with one
 * replica (a small machine), and waits until the operator is Ready.
 */
export async function installOperator(
  release: string,
  namespace: string,
  watchNamespaces: string[],
): Promise<OperatorRelease> {
  await runTool("helm", [
    "install",
    release,
    join(repoRoot, "charts", "lagpilot"),
    "-n",
    namespace,
    "--set",
    `watchNamespaces={${watchNamespaces.join(",")}}`,
    "--set",
    "replicaCount=1",
    // Its only cluster-scoped objects: left out, so releases in several namespaces at once never collide.
    "--set",
    "rbac.aggregateToDefaultRoles=false",
  ]);
  // The chart's full name: the release's, with "-lagpilot" added unless it has it.
  const deployment = `deployment/${release.includes("lagpilot") ? release : `${release}-lagpilot`}`;
  const handle: OperatorRelease = {
    release,
    namespace,
    logs: () => runTool("kubectl", ["-n", namespace, "logs", deployment, "--tail=-1"]),
    uninstall: async () => {
      await runTool("helm", ["uninstall", release, "-n", namespace, "--ignore-not-found"]);
    },
  };
  try {
    await runTool("kubectl", ["-n", namespace, "rollout", "status", deployment, "--timeout=180s"]);
  } catch (error) {
    await handle.uninstall().catch(() => {});
    throw error;
  }
  return handle;
}
