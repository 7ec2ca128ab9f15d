// Reports an object that failed validation, as a reconcile would: Ready=False/InvalidSpec through the one
// status writer, and one Warning Event through the one recorder. Nothing is written when the status already
// says exactly this.
import type { ReportedObject } from "../api/invalid-report.ts";
import { planInvalidSpecReport } from "../api/invalid-report.ts";
import type { Executor } from "./execute.ts";

export interface ReportOutcome {
  statusWritten: boolean;
  eventCreated: boolean;
}

export async function reportInvalidSpec(
  execute: Pick<Executor, "writeStatus" | "recordEvents">,
  object: ReportedObject,
  message: string,
  now: Date,
  plural?: string,
): Promise<ReportOutcome> {
  const report = planInvalidSpecReport(object, message, now);
  if (!report.statusPatch) return { statusWritten: false, eventCreated: false };
  const { apiVersion, kind } = object;
  const { name, namespace, uid } = object.metadata;
  const status = { ...object.status, ...report.statusPatch.status };
  const written = await execute.writeStatus(
    { apiVersion, kind, namespace, name, ...(plural ? { plural } : {}) },
    status,
  );
  if (!written || !report.event) return { statusWritten: written, eventCreated: false };
  await execute.recordEvents({ apiVersion, kind, namespace, name, uid: uid ?? "" }, [
    { type: "Warning", reason: report.event.reason, message: report.event.message },
  ]);
  return { statusWritten: true, eventCreated: true };
}
