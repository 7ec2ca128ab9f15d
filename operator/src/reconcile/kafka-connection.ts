// Resolves spec.kafka into a connection for the operator's own admin client, reading the referenced
// Secrets. A missing Secret or key is a user error with a message that names it.
import * as k8s from "@kubernetes/client-node";
import { type KafkaSpec, saslUsernameSource } from "../api/spec-kafka.ts";
import type { KafkaConnection } from "../kafka/connection.ts";
import { type TlsFailure, tlsFailureOf } from "../kafka/tls-failure.ts";
import { isNotFound } from "../kube-errors.ts";

export class SecretMissingError extends Error {}

export type SecretReader = (namespace: string, name: string) => Promise<Record<string, string> | undefined>;

export function createSecretReader(kubeConfig: k8s.KubeConfig): SecretReader {
  const core = kubeConfig.makeApiClient(k8s.CoreV1Api);
  return async (namespace, name) => {
    try {
      const secret = await core.readNamespacedSecret({ name, namespace });
      return Object.fromEntries(
        Object.entries(secret.data ?? {}).map(([key, value]) => [key, Buffer.from(value, "base64").toString("utf8")]),
      );
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  };
}

async function secretValue(read: SecretReader, namespace: string, name: string, key: string, field: string) {
  const data = await read(namespace, name);
  if (!data)
    throw new SecretMissingError(`${field}: Secret ${namespace}/${name} does not exist; create it or fix the name`);
  const value = data[key];
  if (value === undefined) {
    throw new SecretMissingError(`${field}: Secret ${namespace}/${name} has no key "${key}"; add it or fix the key`);
  }
  return value;
}

export async function resolveKafkaConnection(
  kafka: KafkaSpec,
  namespace: string,
  read: SecretReader,
): Promise<KafkaConnection> {
  const connection: KafkaConnection = { bootstrapServers: kafka.bootstrapServers, clientId: "lagpilot-operator" };
  if (kafka.tls?.enabled) {
    const { caSecret, clientCertSecret, insecureSkipVerify } = kafka.tls;
    connection.tls = { insecureSkipVerify };
    if (caSecret) {
      connection.tls.ca = await secretValue(read, namespace, caSecret.name, caSecret.key, "spec.kafka.tls.caSecret");
    }
    if (clientCertSecret) {
      const field = "spec.kafka.tls.clientCertSecret";
      connection.tls.cert = await secretValue(read, namespace, clientCertSecret.name, clientCertSecret.certKey, field);
      connection.tls.key = await secretValue(read, namespace, clientCertSecret.name, clientCertSecret.keyKey, field);
    }
  }
  if (kafka.sasl) {
    const { name, passwordKey } = kafka.sasl.credentialsSecret;
    const field = "spec.kafka.sasl.credentialsSecret";
    const username = saslUsernameSource(kafka.sasl.credentialsSecret);
    connection.sasl = {
      mechanism: kafka.sasl.mechanism,
      username: "value" in username ? username.value : await secretValue(read, namespace, name, username.key, field),
      password: await secretValue(read, namespace, name, passwordKey, field),
    };
  }
  return connection;
}

/**
 * A failed connection whose cause is TLS, told in spec.kafka.tls's field names with what to change; undefined
 * for any other failure (the caller reports it as unreachable).
 */
export function explainTlsFailure(error: unknown, kafka: KafkaSpec, namespace: string): string | undefined {
  const tls = kafka.tls?.enabled ? kafka.tls : undefined;
  const failure = tls ? tlsFailureOf(error) : undefined;
  return tls && failure ? tlsFailureMessage(failure, tls, namespace) : undefined;
}

type TlsSpec = NonNullable<KafkaSpec["tls"]>;

/** What to change for each kind of TLS failure, naming the field and the Secret it reads. */
export function tlsFailureMessage(failure: TlsFailure, tls: TlsSpec, namespace: string): string {
  const skip = "or, for tests only, set spec.kafka.tls.insecureSkipVerify";
  const { caSecret, clientCertSecret } = tls;
  switch (failure) {
    case "untrusted":
      return caSecret
        ? `spec.kafka.tls.caSecret: the broker's certificate is not signed by the CA in Secret ${namespace}/${caSecret.name} key "${caSecret.key}"; put the CA that signed the brokers' certificates there, ${skip}`
        : `spec.kafka.tls.caSecret is not set and the system's trusted CAs did not sign the broker's certificate; set caSecret to a Secret holding the CA that did, ${skip}`;
    case "hostname":
      return `spec.kafka.bootstrapServers: the broker's certificate does not name the address dialled; use an address the certificate names, ${skip}`;
    case "expired":
      return `spec.kafka.tls: the broker's certificate has expired or is not valid yet; renew it on the broker, ${skip}`;
    case "client-certificate-refused":
      return clientCertSecret
        ? `spec.kafka.tls.clientCertSecret: the broker refused the client certificate in Secret ${namespace}/${clientCertSecret.name} key "${clientCertSecret.certKey}"; use one signed by a CA the broker trusts`
        : "spec.kafka.tls.clientCertSecret is not set and the broker requires a client certificate (mutual TLS); set it to a Secret holding the certificate and key";
  }
}
