// What the fault injectors talk to: "a consumer", "the operator", "a part of the stack". Scenarios use only
// these interfaces; test/chaos/local-*.ts implement them with local processes (consumers run by the pod
// runner, operators as processes), test/chaos/pod-consumers.ts with consumer containers in Pods on the local
// stack's node. Moving a scenario to real Pods means another implementation, not a new scenario.

export interface ConsumerReplica {
  namespace: string;
  pod: string;
}

export interface ConsumerFleet {
  /** One line for the report: what a consumer is here (a process, a container in a Pod). */
  readonly runsAs: string;
  /** Replicas whose consumer is running now. */
  running(namespace: string, group: string): Promise<ConsumerReplica[]>;
  /** SIGKILL of the consumer's process; it comes back as restartPolicy Always brings a container back. */
  killProcess(replica: ConsumerReplica): Promise<void>;
  /** Deletes the Pod with grace period 0; its ReplicaSet makes a new one. */
  deletePod(replica: ConsumerReplica): Promise<void>;
  /** Stops anything the fleet itself started (restarted processes). */
  close(): Promise<void>;
}

export interface OperatorReplica {
  readonly name: string;
  alive(): boolean;
  /** Reconciles finished by this replica so far (its lagpilot_reconcile_total), or undefined when unreachable. */
  reconciles(): Promise<number | undefined>;
  /** Epoch ms of its last "started leading" log line, if any. */
  startedLeadingAt(): number | undefined;
  signal(signal: NodeJS.Signals): void;
  /** Resolves when the process has exited. */
  exited(): Promise<void>;
  /** Starts it again (as a Deployment would replace a killed Pod); resolves when its watches synced. */
  restart(): Promise<void>;
  /** Its log lines so far. */
  lines(): readonly string[];
}

export interface OperatorFleet {
  readonly runsAs: string;
  readonly replicas: readonly OperatorReplica[];
  /** The Lease's holder, or undefined when none holds it. */
  leaseHolder(): Promise<string | undefined>;
  /** Exits nobody asked for: crashes. */
  unexpectedExits(): number;
  stop(): Promise<void>;
}

export interface StackPart {
  readonly name: string;
  signal(signal: NodeJS.Signals): void;
  /** Waits for the process to exit (after a kill). */
  exited(timeoutMs: number): Promise<boolean>;
  /** Starts it again with the same command line, data and ports. */
  restart(): Promise<void>;
}
