// Which KafkaConsumerGroups of a namespace are Ready, kept by a watch: bench:operator waits on it instead of
// listing every group twice a second, a load on the apiserver (and on the bench) that grew with the groups and
// slowed the very thing measured.
import type * as k8s from "@kubernetes/client-node";
import { API_VERSION, KIND, PLURAL } from "../../operator/src/api/group.ts";
import { WatchSource } from "../../operator/src/controller/watch-source.ts";

interface GroupStatus {
  status?: { conditions?: { type: string; status: string }[] };
}

export const isReady = (group: GroupStatus) =>
  group.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false;

export class ReadyGroups {
  readonly #source: WatchSource;
  readonly #ready = new Set<string>();

  constructor(kubeConfig: k8s.KubeConfig, namespace: string) {
    this.#source = new WatchSource({
      kubeConfig,
      apiVersion: API_VERSION,
      kind: KIND,
      plural: PLURAL,
      namespace,
      onEvent: (type, object) => {
        const name = object.metadata?.name ?? "";
        if (type !== "DELETED" && isReady(object as GroupStatus)) this.#ready.add(name);
        else this.#ready.delete(name);
      },
    });
  }

  get ready(): number {
    return this.#ready.size;
  }

  async start(): Promise<void> {
    this.#source.start();
    await this.#source.synced;
  }

  stop(): void {
    this.#source.stop();
  }
}
