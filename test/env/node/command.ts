// Runs the system tools the node is made of (ip, iptables, mount); failures name the command and its output.
import { spawnSync } from "node:child_process";

export class CommandError extends Error {}

export function runCommand(command: string, args: string[]): string {
  const result = spawnSync(command, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  if (result.error) throw new CommandError(`'${command}' could not run: ${result.error.message}`);
  if (result.status !== 0) {
    throw new CommandError(`'${command} ${args.join(" ")}' failed (${result.status}): ${result.stderr.trim()}`);
  }
  return result.stdout;
}

/** For teardown: the thing may already be gone, which is what we wanted. */
export function tryCommand(command: string, args: string[]): boolean {
  const result = spawnSync(command, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  return result.status === 0;
}

/** `command args` run inside a network namespace (and only that: the mount namespace stays the machine's). */
export function inNetns(netns: string, command: string, args: string[]): [string, string[]] {
  return ["nsenter", [`--net=/var/run/netns/${netns}`, "--", command, ...args]];
}
