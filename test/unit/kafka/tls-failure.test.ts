// A failed TLS connection is told by the setting to fix: the error chains both client libraries produce (the
// shapes seen against the local stack's TLS listeners) are read the same by the operator and the runtime, and
// each names its own field.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  explainTlsFailure as explainForRuntime,
  tlsFailureOf as runtimeTlsFailureOf,
} from "../../../consumer-runtime/src/client/tls-failure.ts";
import type { KafkaSpec } from "../../../operator/src/api/spec-kafka.ts";
import { tlsFailureOf as operatorTlsFailureOf } from "../../../operator/src/kafka/tls-failure.ts";
import {
  explainTlsFailure as explainForOperator,
  tlsFailureMessage,
} from "../../../operator/src/reconcile/kafka-connection.ts";

const tlsError = (code: string) => Object.assign(new Error(`tls: ${code}`), { code });

interface ClassifyCase {
  name: string;
  error: unknown;
  expected: ReturnType<typeof operatorTlsFailureOf>;
}

const classifyCases: ClassifyCase[] = [
  {
    name: "kafkajs: the Node error as cause of a retries-exceeded error",
    error: Object.assign(new Error("Connection error: unable to verify the first certificate"), {
      cause: tlsError("UNABLE_TO_VERIFY_LEAF_SIGNATURE"),
    }),
    expected: "untrusted",
  },
  {
    name: "kafkajs: the Node error as originalError",
    error: Object.assign(new Error("retries exceeded"), { originalError: tlsError("SELF_SIGNED_CERT_IN_CHAIN") }),
    expected: "untrusted",
  },
  {
    name: "@platformatic/kafka: inside an aggregate of network errors",
    error: new AggregateError(
      [new Error("Connection to 127.0.0.1:9093 failed.", { cause: tlsError("UNABLE_TO_VERIFY_LEAF_SIGNATURE") })],
      "metadata failed 6 times.",
    ),
    expected: "untrusted",
  },
  {
    name: "a certificate for another name",
    error: { cause: tlsError("ERR_TLS_CERT_ALTNAME_INVALID") },
    expected: "hostname",
  },
  { name: "an expired certificate", error: tlsError("CERT_HAS_EXPIRED"), expected: "expired" },
  {
    name: "a mutual-TLS listener refusing a client without certificate (TLS 1.3 alert)",
    error: { cause: tlsError("ERR_SSL_SSL/TLS_ALERT_BAD_CERTIFICATE") },
    expected: "client-certificate-refused",
  },
  {
    name: "a broker that does not know the client certificate's CA",
    error: tlsError("ERR_SSL_TLSV1_ALERT_UNKNOWN_CA"),
    expected: "client-certificate-refused",
  },
  { name: "a refused connection is no TLS failure", error: tlsError("ECONNREFUSED"), expected: undefined },
  {
    name: "a broker's protocol error is no TLS failure",
    error: new Error("UNKNOWN_TOPIC_OR_PARTITION"),
    expected: undefined,
  },
  { name: "not an error at all", error: "timeout", expected: undefined },
];

describe("a TLS failure is recognised in each client library's error chain", () => {
  for (const c of classifyCases) {
    it(c.name, () => {
      assert.equal(operatorTlsFailureOf(c.error), c.expected, "operator");
      assert.equal(runtimeTlsFailureOf(c.error), c.expected, "consumer runtime");
    });
  }
});

interface ExplainCase {
  name: string;
  failure: NonNullable<ReturnType<typeof operatorTlsFailureOf>>;
  tls: NonNullable<KafkaSpec["tls"]>;
  operator: RegExp;
  runtime: RegExp;
}

const caSecret = { name: "broker-ca", key: "root.pem" };
const clientCertSecret = { name: "orders-cert", certKey: "tls.crt", keyKey: "tls.key" };

const explainCases: ExplainCase[] = [
  {
    name: "a CA that did not sign the broker's certificate",
    failure: "untrusted",
    tls: { enabled: true, insecureSkipVerify: false, caSecret },
    operator: /^spec\.kafka\.tls\.caSecret: .* Secret shop\/broker-ca key "root\.pem".*insecureSkipVerify/,
    runtime: /^kafka\.tls\.caFile: .* \/etc\/lagpilot\/kafka-ca\/root\.pem.*insecureSkipVerify/,
  },
  {
    name: "no CA set and the system's CAs do not trust the broker",
    failure: "untrusted",
    tls: { enabled: true, insecureSkipVerify: false },
    operator: /^spec\.kafka\.tls\.caSecret is not set/,
    runtime: /^kafka\.tls\.caFile is not set/,
  },
  {
    name: "a certificate refused by a mutual-TLS listener",
    failure: "client-certificate-refused",
    tls: { enabled: true, insecureSkipVerify: false, caSecret, clientCertSecret },
    operator: /^spec\.kafka\.tls\.clientCertSecret: .* Secret shop\/orders-cert key "tls\.crt"/,
    runtime: /^kafka\.tls\.certFile: .* \/etc\/lagpilot\/kafka-client-cert\/tls\.crt/,
  },
  {
    name: "no client certificate for a mutual-TLS listener",
    failure: "client-certificate-refused",
    tls: { enabled: true, insecureSkipVerify: false, caSecret },
    operator: /^spec\.kafka\.tls\.clientCertSecret is not set and the broker requires a client certificate/,
    runtime: /^kafka\.tls\.certFile is not set and the broker requires a client certificate/,
  },
  {
    name: "a broker certificate for another address",
    failure: "hostname",
    tls: { enabled: true, insecureSkipVerify: false, caSecret },
    operator: /^spec\.kafka\.bootstrapServers: the broker's certificate does not name the address/,
    runtime: /^kafka\.bootstrapServers: the broker's certificate does not name the address/,
  },
];

describe("a TLS failure names the setting to fix", () => {
  for (const c of explainCases) {
    it(c.name, () => {
      assert.match(tlsFailureMessage(c.failure, c.tls, "shop"), c.operator);
      const runtimeMessage = explainForRuntime(c.failure, {
        caFile: c.tls.caSecret ? `/etc/lagpilot/kafka-ca/${c.tls.caSecret.key}` : undefined,
        certFile: c.tls.clientCertSecret
          ? `/etc/lagpilot/kafka-client-cert/${c.tls.clientCertSecret.certKey}`
          : undefined,
        insecureSkipVerify: c.tls.insecureSkipVerify,
      });
      assert.match(runtimeMessage, c.runtime);
    });
  }
});

describe("the operator explains only TLS failures of a group that uses TLS", () => {
  const refused = { cause: tlsError("UNABLE_TO_VERIFY_LEAF_SIGNATURE") };
  const withTls: KafkaSpec = {
    bootstrapServers: ["kafka:9093"],
    tls: { enabled: true, insecureSkipVerify: false, caSecret },
  };
  it("a TLS failure with TLS on", () => {
    assert.match(explainForOperator(refused, withTls, "shop") ?? "", /^spec\.kafka\.tls\.caSecret: /);
  });
  it("TLS switched off", () => {
    const off: KafkaSpec = { bootstrapServers: ["kafka:9093"], tls: { enabled: false, insecureSkipVerify: false } };
    assert.equal(explainForOperator(refused, off, "shop"), undefined);
  });
  it("another failure", () => {
    assert.equal(explainForOperator(tlsError("ECONNREFUSED"), withTls, "shop"), undefined);
  });
});
