// StackPart for the local stack's processes (kafka, etcd, kube-apiserver, ...): signals by pid, and a restart
// with the exact command line, environment and working directory the process had, read from /proc before the
// fault. The new pid goes into .lagpilot/stack.json so `npm run env:down` still stops it.
import { spawn } from "node:child_process";
import { openSync, readFileSync, readlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { logDir, stackFile } from "../env/layout.ts";
import type { StackPart } from "./targets.ts";

interface StackState {
  processes: { name: string; pid: number }[];
  startedAt: string;
}

interface Launch {
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
}

function readState(): StackState {
  return JSON.parse(readFileSync(stackFile, "utf8")) as StackState;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** How a running process was started, from /proc. */
export function launchOf(pid: number): Launch {
  const argv = readFileSync(`/proc/${pid}/cmdline`, "utf8")
    .split("\0")
    .filter((part, i, all) => part || i < all.length - 1);
  const env: NodeJS.ProcessEnv = {};
  for (const entry of readFileSync(`/proc/${pid}/environ`, "utf8").split("\0")) {
    const eq = entry.indexOf("=");
    if (eq > 0) env[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  const [command, ...args] = argv;
  if (!command) throw new Error(`process ${pid} has no command line`);
  return { command, args, env, cwd: readlinkSync(`/proc/${pid}/cwd`) };
}

export class LocalStackPart implements StackPart {
  readonly name: string;
  #pid: number;
  readonly #launch: Launch;

  constructor(name: string) {
    const entry = readState().processes.find((p) => p.name === name);
    if (!entry || !isAlive(entry.pid))
      throw new Error(`the local stack has no running ${name}; run \`npm run env:up\``);
    this.name = name;
    this.#pid = entry.pid;
    this.#launch = launchOf(entry.pid);
  }

  get pid(): number {
    return this.#pid;
  }

  signal(signal: NodeJS.Signals): void {
    process.kill(this.#pid, signal);
  }

  async exited(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (isAlive(this.#pid) && !isZombie(this.#pid)) {
      if (Date.now() > deadline) return false;
      await sleep(50);
    }
    return true;
  }

  async restart(): Promise<void> {
    const fd = openSync(join(logDir, `${this.name}.log`), "a");
    const { command, args, env, cwd } = this.#launch;
    const child = spawn(command, args, { detached: true, stdio: ["ignore", fd, fd], env, cwd });
    child.unref();
    if (child.pid === undefined) throw new Error(`could not restart ${this.name}`);
    this.#pid = child.pid;
    const state = readState();
    state.processes = state.processes.map((p) => (p.name === this.name ? { name: p.name, pid: this.#pid } : p));
    writeFileSync(stackFile, JSON.stringify(state, null, 2));
  }
}

/** A killed child of a process that is gone stays a zombie until reaped; it is dead all the same. */
function isZombie(pid: number): boolean {
  try {
    return /^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return true;
  }
}
