// Resolves spec.kafka into a connection for the operator's own admin client, reading the referenced
// Secrets. A missing Secret or key is a user error with a message that names it.
import * as k8s from "@kubernetes/client-node";
import { type KafkaSpec, saslUsernameSource } from "../api/spec-kafka.ts";
import type { KafkaConnection } from "../kafka/connection.ts";
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
