// The operator as a process of this machine, watching one namespace of the local stack, without leader
// election: what integration tests that need the real operator but not its chart start.
import { type ManagedProcess, startNodeProcess } from "./processes.ts";
import { stackEnv } from "./stack-env.ts";

/** Starts the operator for `namespace`; `extra` adds or overrides environment settings (LOG_LEVEL, ...). */
export function startLocalOperator(namespace: string, extra: NodeJS.ProcessEnv = {}): ManagedProcess {
  return startNodeProcess("operator/src/main.ts", {
    KUBECONFIG: stackEnv().kubeconfig,
    WATCH_NAMESPACES: namespace,
    METRICS_PORT: "0",
    LEADER_ELECTION: "false",
    POD_NAMESPACE: namespace,
    ...extra,
  });
}
