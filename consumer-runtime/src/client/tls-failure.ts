// Which part of the TLS setup a failed connection points at, read from the Node TLS error codes anywhere in the
// error's chain (kafkajs wraps them in `cause` or `originalError`, @platformatic/kafka in `cause` and `errors`),
// and a message that names the runtime's setting to fix. Pure: the caller logs or rethrows.

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

export interface TlsFiles {
  caFile?: string;
  certFile?: string;
  insecureSkipVerify: boolean;
}

/** What to fix, in the config's own field names. */
export function explainTlsFailure(failure: TlsFailure, tls: TlsFiles): string {
  const skip = "or, for tests only, set kafka.tls.insecureSkipVerify";
  switch (failure) {
    case "untrusted":
      return tls.caFile
        ? `kafka.tls.caFile: the broker's certificate is not signed by the CA in ${tls.caFile}; mount the CA that signed the brokers' certificates, ${skip}`
        : `kafka.tls.caFile is not set and the system's trusted CAs did not sign the broker's certificate; set kafka.tls.caFile to the CA that did, ${skip}`;
    case "hostname":
      return `kafka.bootstrapServers: the broker's certificate does not name the address dialled; use an address the certificate names, ${skip}`;
    case "expired":
      return `the broker's certificate has expired or is not valid yet; renew it on the broker, ${skip}`;
    case "client-certificate-refused":
      return tls.certFile
        ? `kafka.tls.certFile: the broker refused the client certificate in ${tls.certFile}; use one signed by a CA the broker trusts`
        : "kafka.tls.certFile is not set and the broker requires a client certificate (mutual TLS); set kafka.tls.certFile and kafka.tls.keyFile";
  }
}
