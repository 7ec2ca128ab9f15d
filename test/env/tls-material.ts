// Certificates for the stack's TLS listeners, made with openssl at stack start: a CA, the broker's certificate
// (for every address clients dial) and a client certificate for mutual TLS. EC P-256 keys: instant to make, and
// PKCS#8 PEM, which Kafka's PEM key store reads (ssl.keystore.type=PEM) as Node's TLS does.
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** PEM files: the CA certificate, and one certificate and key per party. */
export interface TlsFiles {
  caFile: string;
  certFile: string;
  keyFile: string;
}

export interface StackTls {
  /** The CA that signed the broker's and the client's certificates. */
  caFile: string;
  /** The broker's key followed by its certificate: one file, as Kafka's PEM key store wants it. */
  brokerKeystoreFile: string;
  /** A client certificate and key signed by the same CA, for the mutual-TLS listener. */
  client: { certFile: string; keyFile: string };
}

const days = "30";
const keyArgs = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];

function run(openssl: string, args: string[]) {
  try {
    execFileSync(openssl, args, { stdio: ["ignore", "ignore", "pipe"], timeout: 30_000 });
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString() ?? "";
    throw new Error(`openssl ${args[0]} failed: ${stderr || (error as Error).message}`);
  }
}

/** A self-signed CA certificate and its key in `dir`, named `name`.crt and `name`.key. */
export function makeCa(openssl: string, dir: string, name: string, subject: string): TlsFiles {
  mkdirSync(dir, { recursive: true });
  const certFile = join(dir, `${name}.crt`);
  const keyFile = join(dir, `${name}.key`);
  run(openssl, ["req", "-x509", ...keyArgs, "-keyout", keyFile, "-out", certFile, "-days", days, "-subj", subject]);
  return { caFile: certFile, certFile, keyFile };
}

/** A leaf certificate signed by `ca`: for a server (with the given IP and DNS names) or a client. */
export function makeLeaf(
  openssl: string,
  ca: TlsFiles,
  dir: string,
  name: string,
  leaf: { subject: string; usage: "serverAuth" | "clientAuth"; ips?: string[]; dns?: string[] },
): TlsFiles {
  const certFile = join(dir, `${name}.crt`);
  const keyFile = join(dir, `${name}.key`);
  const csrFile = join(dir, `${name}.csr`);
  const extFile = join(dir, `${name}.ext`);
  const names = [...(leaf.ips ?? []).map((ip) => `IP:${ip}`), ...(leaf.dns ?? []).map((dns) => `DNS:${dns}`)];
  writeFileSync(
    extFile,
    [
      "basicConstraints=critical,CA:FALSE",
      "keyUsage=critical,digitalSignature,keyAgreement",
      `extendedKeyUsage=${leaf.usage}`,
      ...(names.length > 0 ? [`subjectAltName=${names.join(",")}`] : []),
      "",
    ].join("\n"),
  );
  run(openssl, ["req", "-new", ...keyArgs, "-keyout", keyFile, "-out", csrFile, "-subj", leaf.subject]);
  run(openssl, [
    "x509",
    "-req",
    "-in",
    csrFile,
    "-CA",
    ca.certFile,
    "-CAkey",
    ca.keyFile,
    "-CAcreateserial",
    "-out",
    certFile,
    "-days",
    days,
    "-extfile",
    extFile,
  ]);
  return { caFile: ca.certFile, certFile, keyFile };
}

/** Everything the stack's TLS listeners and their tests need, under `dir`. */
export function makeStackTls(openssl: string, dir: string, brokerIps: string[]): StackTls {
  const ca = makeCa(openssl, dir, "ca", "/CN=lagpilot-local-ca");
  const broker = makeLeaf(openssl, ca, dir, "broker", {
    subject: "/CN=lagpilot-kafka",
    usage: "serverAuth",
    ips: brokerIps,
    dns: ["localhost"],
  });
  const client = makeLeaf(openssl, ca, dir, "client", { subject: "/CN=lagpilot-client", usage: "clientAuth" });
  const brokerKeystoreFile = join(dir, "broker-keystore.pem");
  writeFileSync(brokerKeystoreFile, readFileSync(broker.keyFile, "utf8") + readFileSync(broker.certFile, "utf8"), {
    mode: 0o600,
  });
  return { caFile: ca.certFile, brokerKeystoreFile, client: { certFile: client.certFile, keyFile: client.keyFile } };
}
