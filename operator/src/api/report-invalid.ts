// Writes an InvalidSpec report to the apiserver: status through the status subresource, then the Event.
import * as k8s from "@kubernetes/client-node";
import { isNotFound } from "../kube-errors.ts";
import { PLURAL } from "./group.ts";
import { type InvalidSpecReport, planInvalidSpecReport, type ReportedObject } from "./invalid-report.ts";

export interface ReportOutcome {
  statusWritten: boolean;
  eventCreated: boolean;
}

export interface ReportOptions {
  /** Resource plural of the object's kind; KafkaConsumerGroup's by default. */
  plural?: string;
  /** Who reports (e.g. the operator Pod's name), recorded in the Event. */
  instance?: string;
}

export async function reportInvalidSpec(
  kubeConfig: k8s.KubeConfig,
  object: ReportedObject,
  message: string,
  now: Date,
  options: ReportOptions = {},
): Promise<ReportOutcome> {
  const report = planInvalidSpecReport(object, message, now, options.instance);
  return writeReport(kubeConfig, object, report, options.plural ?? PLURAL);
}

async function writeReport(
  kubeConfig: k8s.KubeConfig,
  object: ReportedObject,
  report: InvalidSpecReport,
  plural: string,
): Promise<ReportOutcome> {
  const outcome: ReportOutcome = { statusWritten: false, eventCreated: false };
  if (report.statusPatch) {
    const [group, version] = splitApiVersion(object.apiVersion);
    const custom = kubeConfig.makeApiClient(k8s.CustomObjectsApi);
    try {
      await custom.patchNamespacedCustomObjectStatus(
        {
          group,
          version,
          namespace: object.metadata.namespace,
          plural,
          name: object.metadata.name,
          body: report.statusPatch,
        },
        k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch),
      );
      outcome.statusWritten = true;
    } catch (error) {
      // Deleted meanwhile: nothing left to report on.
      if (isNotFound(error)) return outcome;
      throw error;
    }
  }
  if (report.event) {
    const core = kubeConfig.makeApiClient(k8s.CoreV1Api);
    // The client serializes times from Date objects.
    const body: k8s.CoreV1Event = {
      ...report.event,
      firstTimestamp: new Date(report.event.firstTimestamp),
      lastTimestamp: new Date(report.event.lastTimestamp),
    };
    await core.createNamespacedEvent({ namespace: object.metadata.namespace, body });
    outcome.eventCreated = true;
  }
  return outcome;
}

function splitApiVersion(apiVersion: string): [string, string] {
  const slash = apiVersion.indexOf("/");
  if (slash === -1) throw new Error(`${apiVersion}: not a custom resource apiVersion (group/version)`);
  return [apiVersion.slice(0, slash), apiVersion.slice(slash + 1)];
}
