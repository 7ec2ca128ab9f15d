// A long step's progress on the terminal: one line when it starts, one every `everyMs` while it runs (a
// build of thousands of packages would flood the terminal line by line), one when it ends; a failure names
// the step, what it was doing, why it failed and what to do.
import { progressLine, type StepSnapshot } from "./progress-line.ts";

type Log = (line: string) => void;

export class StepFailed extends Error {}

export interface StepProgress {
  /** What the step does now, and how far it is, if it can count. */
  set(activity: string, done?: number, total?: number, unit?: string): void;
}

export interface StepOptions {
  step: string;
  usualMs?: number;
  /** What to do when the step fails, e.g. "check that the Go module proxy is reachable". */
  fix: string;
  /** How often a progress line is printed; 15 s by default. */
  everyMs?: number;
  now?: () => number;
  /** Calls `tick` every `everyMs` until the returned stop is called; setInterval unless a test drives it. */
  schedule?: (tick: () => void, everyMs: number) => () => void;
}

function everyInterval(tick: () => void, everyMs: number): () => void {
  const timer = setInterval(tick, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}

export async function withProgress<T>(
  log: Log,
  options: StepOptions,
  work: (progress: StepProgress) => Promise<T>,
): Promise<T> {
  const now = options.now ?? Date.now;
  const started = now();
  let current: Omit<StepSnapshot, "elapsedMs"> = { step: options.step, activity: "starting", usualMs: options.usualMs };
  const snapshot = (): StepSnapshot => ({ ...current, elapsedMs: now() - started });
  const stop = (options.schedule ?? everyInterval)(() => log(progressLine(snapshot())), options.everyMs ?? 15_000);
  try {
    return await work({
      set: (activity, done, total, unit) => {
        current = { ...current, activity, done, total, unit };
      },
    });
  } catch (error) {
    const { activity, done, total } = snapshot();
    const where = done === undefined ? activity : `${activity}, ${done}${total ? ` of ${total}` : ""} done`;
    throw new StepFailed(
      `step '${options.step}' failed while ${where}: ${(error as Error).message}\n` +
        `What to do: ${options.fix} Finished steps stay cached; rerun and provisioning resumes with this step.`,
    );
  } finally {
    stop();
  }
}
