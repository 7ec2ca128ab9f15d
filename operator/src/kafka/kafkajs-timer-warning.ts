// kafkajs 2.2.4 (its last release) arms a timer with a negative delay on every request: its RequestQueue
// starts with throttledUntil = -1 and scheduleCheckPendingRequests passes `throttledUntil - Date.now()` to
// setTimeout. Node clamps the delay to 1 ms, which is what kafkajs means, and prints a
// TimeoutNegativeWarning once per process that nobody running Lagpilot can act on. This drops that one
// warning, recognised by the kafkajs frame that raised it; every other warning reaches Node's own printer
// (and any other listener) as before.

export function isKafkajsTimerWarning(warning: Error): boolean {
  return (
    warning.name === "TimeoutNegativeWarning" &&
    /RequestQueue\.scheduleCheckPendingRequests \(.*kafkajs[\\/]src[\\/]network[\\/]requestQueue/.test(
      warning.stack ?? "",
    )
  );
}

let muted = false;

/** Wraps the process's warning listeners so they skip kafkajs's timer warning; safe to call more than once. */
export function muteKafkajsTimerWarning(): void {
  if (muted) return;
  muted = true;
  const listeners = process.listeners("warning");
  process.removeAllListeners("warning");
  for (const listener of listeners) {
    process.on("warning", (warning) => {
      if (!isKafkajsTimerWarning(warning)) listener(warning);
    });
  }
}
