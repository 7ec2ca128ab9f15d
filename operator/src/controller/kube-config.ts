// The operator's KubeConfig: every client made from it shares one keep-alive connection pool (client-node
// builds a new agent, hence a new TLS handshake, for every request otherwise) and reports each request's
// verb, so the operator can count what it asks of the apiserver.
import type { Agent } from "node:https";
import * as k8s from "@kubernetes/client-node";
import { type RequestVerb, requestVerb } from "./request-verb.ts";

type AgentFactory = (cluster: k8s.Cluster | null, options: Record<string, unknown>) => Agent;

export class OperatorKubeConfig extends k8s.KubeConfig {
  readonly #onRequest: (verb: RequestVerb) => void;
  #agent: Agent | undefined;

  constructor(onRequest: (verb: RequestVerb) => void = () => {}) {
    super();
    this.#onRequest = onRequest;
    // createAgent is private in the typings; replacing it on the instance keeps every caller on one pool.
    const self = this as unknown as { createAgent: AgentFactory };
    const build = self.createAgent.bind(this);
    self.createAgent = (cluster, options) => {
      this.#agent ??= build(cluster, { ...options, keepAlive: true });
      return this.#agent;
    };
  }

  override async applySecurityAuthentication(context: k8s.RequestContext): Promise<void> {
    this.#onRequest(requestVerb(context.getHttpMethod(), context.getUrl()));
    await super.applySecurityAuthentication(context);
  }

  /** Used by watches (and logs, which the operator does not read). */
  override async applyToFetchOptions(options: Parameters<k8s.KubeConfig["applyToFetchOptions"]>[0]) {
    this.#onRequest("watch");
    return super.applyToFetchOptions(options);
  }
}
