// The consumer-runtime's config file, rendered from the spec. Secrets are mounted as files and only their
// paths appear here, so the ConfigMap never holds a credential.
import { type CredentialsSecret, saslUsernameSource } from "../../api/spec-kafka.ts";
import type { RenderContext } from "./context.ts";

export const SECRET_MOUNTS = {
  sasl: "/etc/lagpilot/kafka/sasl",
  ca: "/etc/lagpilot/kafka/ca",
  clientCert: "/etc/lagpilot/kafka/client",
} as const;

/** Time the runtime keeps for itself out of the Pod's grace period, to commit and leave the group. */
const SHUTDOWN_MARGIN_SECONDS = 5;

export function terminationGraceSeconds(context: RenderContext): number {
  return context.spec.template?.terminationGracePeriodSeconds ?? 30;
}

export function renderRuntimeConfig(context: RenderContext): Record<string, unknown> {
  const { spec, resolved, group } = context;
  const tls = spec.kafka.tls?.enabled ? spec.kafka.tls : undefined;
  const handler = spec.processing.handler;
  const builtin = handler.builtin
    ? Object.fromEntries(Object.entries(handler.builtin).filter(([, value]) => value !== undefined))
    : undefined;
  return {
    groupId: resolved.groupId,
    topics: spec.topics,
    startFrom: spec.startFrom,
    tier: resolved.tier,
    batch: resolved.batch,
    consumer: resolved.consumer,
    processing: {
      handler: {
        ...(builtin ? { builtin } : {}),
        ...(handler.module ? { module: { path: handler.module.path, timeoutMs: resolved.moduleTimeoutMs } } : {}),
        ...(handler.http ? { http: handler.http } : {}),
      },
      concurrency: spec.processing.concurrency,
      ordering: spec.processing.ordering,
      commit: resolved.commit,
      retries: spec.processing.retries,
      ...(spec.processing.deadLetter ? { deadLetter: { topic: spec.processing.deadLetter.topic } } : {}),
    },
    kafka: {
      bootstrapServers: spec.kafka.bootstrapServers,
      clientId: `lagpilot-${group.namespace}-${group.name}`,
      ...(tls
        ? {
            tls: {
              ...(tls.caSecret ? { caFile: `${SECRET_MOUNTS.ca}/${tls.caSecret.key}` } : {}),
              ...(tls.clientCertSecret
                ? {
                    certFile: `${SECRET_MOUNTS.clientCert}/${tls.clientCertSecret.certKey}`,
                    keyFile: `${SECRET_MOUNTS.clientCert}/${tls.clientCertSecret.keyKey}`,
                  }
                : {}),
              insecureSkipVerify: tls.insecureSkipVerify,
            },
          }
        : {}),
      ...(spec.kafka.sasl
        ? {
            sasl: {
              mechanism: spec.kafka.sasl.mechanism,
              ...saslUsername(spec.kafka.sasl.credentialsSecret),
              passwordFile: `${SECRET_MOUNTS.sasl}/${spec.kafka.sasl.credentialsSecret.passwordKey}`,
            },
          }
        : {}),
    },
    server: { port: 8080 },
    shutdown: { gracePeriodMs: Math.max(1, terminationGraceSeconds(context) - SHUTDOWN_MARGIN_SECONDS) * 1000 },
  };
}

/** A username written in the spec goes into the config as is (it is no secret); else the mounted key's file. */
function saslUsername(secret: CredentialsSecret): { username: string } | { usernameFile: string } {
  const source = saslUsernameSource(secret);
  return "value" in source ? { username: source.value } : { usernameFile: `${SECRET_MOUNTS.sasl}/${source.key}` };
}
