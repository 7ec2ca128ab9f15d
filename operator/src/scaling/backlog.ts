// Records a partition has waiting that replicas are sized to drain. The lag section has two targets:
// a count (maxMessagesPerPartition) and an age (maxSeconds). While the oldest waiting record is within
// the age target, only the records beyond the count are a backlog. Once it is older, every record
// waiting beyond the commit slack is: a count under the limit is no reason to leave records waiting
// longer than the target allows (a slow handler with a few hundred records queued is minutes behind).
import type { PartitionLagSummary } from "../lag/types.ts";

export function backlogToDrain(p: PartitionLagSummary, lagMaxSeconds: number): number {
  return (p.lagSeconds ?? 0) > lagMaxSeconds ? Math.max(p.backlog, p.waiting) : p.backlog;
}
