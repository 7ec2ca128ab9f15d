// Turns Lagpilot's Kafka connection settings (credentials already resolved from Secrets) into a kafkajs client.
import { Kafka, type KafkaConfig, logLevel, type SASLOptions } from "kafkajs";
import { muteKafkajsTimerWarning } from "./kafkajs-timer-warning.ts";

export type SaslMechanism = "plain" | "scram-sha-256" | "scram-sha-512";

export interface KafkaConnection {
  bootstrapServers: string[];
  clientId?: string;
  tls?: { ca?: string; cert?: string; key?: string; insecureSkipVerify?: boolean };
  sasl?: { mechanism: SaslMechanism; username: string; password: string };
  connectionTimeoutMs?: number;
  requestTimeoutMs?: number;
}

export function kafkaConfig(connection: KafkaConnection): KafkaConfig {
  const config: KafkaConfig = {
    clientId: connection.clientId ?? "lagpilot",
    brokers: connection.bootstrapServers,
    connectionTimeout: connection.connectionTimeoutMs ?? 3000,
    requestTimeout: connection.requestTimeoutMs ?? 10000,
    // A failed call is reported to the caller, which owns the retry policy (the reconcile loop's backoff).
    retry: { retries: 2, initialRetryTime: 200, maxRetryTime: 2000 },
    logLevel: logLevel.NOTHING,
  };
  if (connection.tls) {
    config.ssl = {
      ca: connection.tls.ca ? [connection.tls.ca] : undefined,
      cert: connection.tls.cert,
      key: connection.tls.key,
      rejectUnauthorized: !connection.tls.insecureSkipVerify,
    };
  }
  if (connection.sasl) {
    const { mechanism, username, password } = connection.sasl;
    config.sasl = { mechanism, username, password } as SASLOptions;
  }
  return config;
}

export function kafkaClient(connection: KafkaConnection): Kafka {
  muteKafkajsTimerWarning();
  return new Kafka(kafkaConfig(connection));
}
