// kafkajs 2.2.4 (its last release) arms a timer with a negative delay on every request: its RequestQueue
// starts with throttledUntil = -1 and scheduleCheckPendingRequests passes `throttledUntil - Date.now()` to
// setTimeout. Node clamps the delay to 1 ms, which is what kafkajs means, and raises a
// TimeoutNegativeWarning nobody running a consumer can act on. This recognises that one warning by the
// kafkajs frame that raised it, so the log keeps every other warning. (The runtime's image carries only
// consumer-runtime/, so the operator keeps its own copy of this rule beside its kafkajs client.)

export function isKafkajsTimerWarning(warning: Error): boolean {
  return (
    warning.name === "TimeoutNegativeWarning" &&
    /RequestQueue\.scheduleCheckPendingRequests \(.*kafkajs[\\/]src[\\/]network[\\/]requestQueue/.test(
      warning.stack ?? "",
    )
  );
}
