// Runs a command without blocking the event loop, so progress lines keep coming while it works. Its output
// is handed over line by line and shown only when it fails (the last lines), so progress stays readable.
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  onLine?: (line: string, stream: "stdout" | "stderr") => void;
}

const TAIL_LINES = 40;

export function runCommand(command: string, args: string[], options: RunOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const stdout: string[] = [];
    const tail: string[] = [];
    const keep = (line: string, stream: "stdout" | "stderr") => {
      if (stream === "stdout") stdout.push(line);
      tail.push(line);
      if (tail.length > TAIL_LINES) tail.shift();
      options.onLine?.(line, stream);
    };
    createInterface({ input: child.stdout }).on("line", (line) => keep(line, "stdout"));
    createInterface({ input: child.stderr }).on("line", (line) => keep(line, "stderr"));
    child.on("error", (error) => reject(new Error(`could not run '${command}': ${error.message}`)));
    child.on("close", (code, signal) => {
      if (code === 0) return resolve(stdout.join("\n"));
      const how = signal ? `was stopped by ${signal}` : `exited with code ${code}`;
      reject(new Error(`'${command} ${args.join(" ")}' ${how}:\n${tail.join("\n")}`));
    });
  });
}
