// Which part of the TLS setup a failed Kafka connection points at, read from the Node TLS error codes anywhere in
// the error's chain (kafkajs wraps them in `cause` or `originalError`, @platformatic/kafka in `cause` and
// `errors`). The consumer runtime reads its own errors the same way (consumer-runtime/src/client/tls-failure.ts);
// the images ship one package each, hence one copy each. reconcile/kafka-connection.ts names the spec field.

export type TlsFailure = "untrusted" | "hostname" | "expired" | "client-certificate-refused";

const byCode: Record<string, TlsFailure> = {
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: "untrusted",
  UNABLE_TO_GET_ISSUER_CERT: "untrusted",
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: "untrusted",
  SELF_SIGNED_CERT_IN_CHAIN: "untrusted",
  DEPTH_ZERO_SELF_SIGNED_CERT: "untrusted",
  CERT_SIGNATURE_FAILURE: "untrusted",
  CERT_UNTRUSTED: "untrusted",
  ERR_TLS_CERT_ALTNAME_INVALID: "hostname",
  CERT_HAS_EXPIRED: "expired",
  CERT_NOT_YET_VALID: "expired",
};

/** TLS alerts a broker sends when it does not accept the client's certificate (or got none). */
const refusedAlert =
  /ALERT_(BAD_CERTIFICATE|CERTIFICATE_REQUIRED|UNKNOWN_CA|CERTIFICATE_UNKNOWN|UNSUPPORTED_CERTIFICATE|CERTIFICATE_EXPIRED|CERTIFICATE_REVOKED)$/;

export function tlsFailureOf(error: unknown, depth = 0): TlsFailure | undefined {
  if (depth > 6 || typeof error !== "object" || error === null) return undefined;
  const { code, cause, originalError, errors } = error as {
    code?: unknown;
    cause?: unknown;
    originalError?: unknown;
    errors?: unknown;
  };
  if (typeof code === "string") {
    if (byCode[code]) return byCode[code];
    if (code.startsWith("ERR_SSL_") && refusedAlert.test(code)) return "client-certificate-refused";
  }
  for (const inner of [cause, originalError, ...(Array.isArray(errors) ? errors : [])]) {
    const found = tlsFailureOf(inner, depth + 1);
    if (found) return found;
  }
  return undefined;
}
