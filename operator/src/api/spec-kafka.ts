// spec.kafka: where the cluster is and how to authenticate. Credentials are only ever referenced, never inlined.
import { z } from "zod";
import { objectName, secretKey } from "./fields.ts";
import { withRules } from "./rules.ts";

export const saslMechanisms = ["plain", "scram-sha-256", "scram-sha-512"] as const;

/**
 * host:port, the host a DNS name or an IPv4 address. IPv6 literals are refused: the consumer's Kafka client splits
 * an address at its first colon, so `[fd00::10]:9092` would crash-loop the Pods instead of connecting.
 */
const bootstrapServer = withRules(
  z
    .string()
    .min(3)
    .max(255)
    .regex(/^[-a-zA-Z0-9._]+:[0-9]{1,5}$/, "expected host:port, e.g. kafka-0.kafka:9092"),
  [
    {
      cel: "!self.startsWith('[')",
      message:
        "kafka.bootstrapServers takes no IPv6 address: use a DNS name that resolves to the broker, e.g. kafka-0.kafka:9092",
      holds: (server) => !server.startsWith("["),
    },
    {
      // Guarded by the pattern's shape so a malformed entry gets the pattern's message, not a CEL error.
      cel: "!self.matches('^[^:]+:[0-9]{1,5}$') || (int(self.split(':')[1]) >= 1 && int(self.split(':')[1]) <= 65535)",
      message: "kafka.bootstrapServers: a port is from 1 to 65535, e.g. kafka-0.kafka:9092",
      holds: (server) => !/^[^:]+:[0-9]{1,5}$/.test(server) || validPort(Number(server.split(":")[1])),
    },
  ],
);

function validPort(port: number): boolean {
  return port >= 1 && port <= 65_535;
}

const caSecret = z
  .strictObject({
    name: objectName().describe("Name of the Secret, in the KafkaConsumerGroup's namespace."),
    key: secretKey().default("ca.crt").describe("Key of the PEM-encoded CA certificate(s) in the Secret."),
  })
  .describe("Secret holding the CA that signed the brokers' certificates. Without it the system trust store is used.");

const clientCertSecret = z
  .strictObject({
    name: objectName().describe("Name of the Secret, in the KafkaConsumerGroup's namespace."),
    certKey: secretKey().default("tls.crt").describe("Key of the PEM-encoded client certificate in the Secret."),
    keyKey: secretKey().default("tls.key").describe("Key of the PEM-encoded private key in the Secret."),
  })
  .describe("Secret holding a client certificate and key for mutual TLS (a kubernetes.io/tls Secret fits as is).");

const tls = withRules(
  z
    .strictObject({
      enabled: z.boolean().default(true).describe("Connect with TLS. Set false to keep the settings but turn TLS off."),
      caSecret: caSecret.optional(),
      clientCertSecret: clientCertSecret.optional(),
      insecureSkipVerify: z
        .boolean()
        .default(false)
        .describe("Accept any broker certificate. For tests only: it removes the protection TLS gives."),
    })
    .describe("TLS to the brokers."),
  [
    {
      cel: "self.enabled || (!has(self.caSecret) && !has(self.clientCertSecret))",
      message:
        "kafka.tls.enabled is false but Secrets are set: set enabled to true, or remove caSecret and clientCertSecret",
      field: ["enabled"],
      holds: (t) => t.enabled || (t.caSecret === undefined && t.clientCertSecret === undefined),
    },
  ],
);

const credentialsSecret = withRules(
  z
    .strictObject({
      name: objectName().describe("Name of the Secret, in the KafkaConsumerGroup's namespace."),
      username: z
        .string()
        .min(1)
        .max(256)
        .regex(/^\S+$/, "a username without whitespace")
        .optional()
        .describe(
          "The username itself, for Secrets that hold only the password: a Strimzi KafkaUser's Secret (keys " +
            "password and sasl.jaas.config) fits with username set to the KafkaUser's name. A username is not a " +
            "secret; the password always comes from the Secret.",
        ),
      usernameKey: secretKey()
        .optional()
        .describe("Key of the username in the Secret, when username is not set. Default: username."),
      passwordKey: secretKey().default("password").describe("Key of the password in the Secret."),
    })
    .describe(
      "Secret holding the password, and the username or the key it is under. No password is written in the spec.",
    ),
  [
    {
      cel: "!has(self.username) || !has(self.usernameKey)",
      message:
        "kafka.sasl.credentialsSecret: set username (the name itself) or usernameKey (its key in the Secret), not both",
      field: ["usernameKey"],
      reason: "FieldValueForbidden",
      holds: (c) => c.username === undefined || c.usernameKey === undefined,
    },
  ],
);

export type CredentialsSecret = z.output<typeof credentialsSecret>;

/** Where the SASL username comes from: written in the spec, or a key of the Secret (default "username"). */
export function saslUsernameSource(secret: CredentialsSecret): { value: string } | { key: string } {
  return secret.username !== undefined ? { value: secret.username } : { key: secret.usernameKey ?? "username" };
}

const sasl = z
  .strictObject({
    mechanism: z.enum(saslMechanisms).describe("SASL mechanism: plain, scram-sha-256 or scram-sha-512."),
    credentialsSecret,
  })
  .describe("SASL authentication. Combine with tls, except on a private network.");

export const kafkaSpec = z
  .strictObject({
    bootstrapServers: z
      .array(bootstrapServer)
      .min(1)
      .max(50)
      .refine((items) => new Set(items).size === items.length, { message: "entries must be unique" })
      .meta({ "x-kubernetes-list-type": "set" })
      .describe(
        "Brokers to contact first, as host:port (a DNS name or IPv4 address; port 1-65535). One is enough; more " +
          "survive a broker being down.",
      ),
    tls: tls.optional(),
    sasl: sasl.optional(),
  })
  .describe("The Kafka cluster and how to connect to it.");

export type KafkaSpec = z.output<typeof kafkaSpec>;
