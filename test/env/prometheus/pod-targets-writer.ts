// A process of the local stack: watches every Pod through the local apiserver and keeps the Prometheus
// file_sd files of the operator's and the consumers' Pods current (see pod-targets.ts).
// Usage: node pod-targets-writer.ts KUBECONFIG TARGETS_DIR
import { renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as k8s from "@kubernetes/client-node";
import { WatchSource } from "../../../operator/src/controller/watch-source.ts";
import { type PodLike, podTargets, type ScrapeJob } from "./pod-targets.ts";

const [kubeconfig, targetsDir] = process.argv.slice(2);
if (!kubeconfig || !targetsDir) {
  process.stderr.write("usage: pod-targets-writer.ts KUBECONFIG TARGETS_DIR\n");
  process.exit(2);
}

const kubeConfig = new k8s.KubeConfig();
kubeConfig.loadFromFile(kubeconfig);
const pods = new Map<string, PodLike>();
const key = (pod: PodLike) => `${pod.metadata?.namespace}/${pod.metadata?.name}`;
const jobs: ScrapeJob[] = ["lagpilot-operator", "lagpilot-consumers"];
const written = new Map<ScrapeJob, string>();

function writeTargets() {
  for (const job of jobs) {
    const text = JSON.stringify(podTargets([...pods.values()], job), null, 1);
    if (written.get(job) === text) continue;
    // Renamed into place: Prometheus never reads half a file.
    const file = join(targetsDir as string, `${job}-pods.json`);
    writeFileSync(`${file}.tmp`, text);
    renameSync(`${file}.tmp`, file);
    written.set(job, text);
  }
}

const source = new WatchSource({
  kubeConfig,
  apiVersion: "v1",
  kind: "Pod",
  plural: "pods",
  onList: (items) => {
    pods.clear();
    for (const pod of items as PodLike[]) pods.set(key(pod), pod);
    writeTargets();
  },
  onEvent: (type, object) => {
    const pod = object as PodLike;
    if (type === "DELETED") pods.delete(key(pod));
    else pods.set(key(pod), pod);
    writeTargets();
  },
  onRestart: (reason) => process.stderr.write(`pod watch restarted: ${reason}\n`),
});
source.start();
process.once("SIGTERM", () => {
  source.stop();
  process.exit(0);
});
