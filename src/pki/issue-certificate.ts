import { randomBytes, webcrypto } from "node:crypto";
import { x509 } from "./_x509.js";
import type { CertPlan } from "./pki-plan.js";

const { subtle } = webcrypto;

export type KeyPair = webcrypto.CryptoKeyPair;

/** ECDSA P-256 with SHA-256: fast to generate, accepted by OpenSSL, nginx, Apache and Node. */
const KEY_ALGORITHM = { name: "ECDSA", namedCurve: "P-256" } as const;
const SIGNING_ALGORITHM = { name: "ECDSA", hash: "SHA-256" } as const;

export interface IssuedCertificate {
  cert: x509.X509Certificate;
  keys: KeyPair;
}

export async function generateKeyPair(): Promise<KeyPair> {
  return subtle.generateKey(KEY_ALGORITHM, true, ["sign", "verify"]);
}

/** Issues the certificate `plan` describes, signed by `issuer` (or by itself when omitted). */
export async function issueCertificate(
  plan: CertPlan,
  keys: KeyPair,
  now: Date,
  issuer?: IssuedCertificate,
): Promise<x509.X509Certificate> {
  const subject = new x509.Name(plan.subject);
  const signerKeys = issuer?.keys ?? keys;
  return x509.X509CertificateGenerator.create({
    serialNumber: randomSerialNumber(),
    subject,
    issuer: issuer ? issuer.cert.subjectName : subject,
    ...plan.validity(now),
    publicKey: keys.publicKey,
    signingKey: signerKeys.privateKey,
    signingAlgorithm: SIGNING_ALGORITHM,
    extensions: [
      ...roleExtensions(plan),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(signerKeys.publicKey),
    ],
  });
}

function roleExtensions(plan: CertPlan): x509.Extension[] {
  const { KeyUsageFlags } = x509;
  if (plan.role === "root-ca" || plan.role === "intermediate-ca") {
    // An intermediate may sign leaves only (pathlen 0); a root is unconstrained, like Netdata's.
    const pathLength = plan.role === "intermediate-ca" ? 0 : undefined;
    return [
      new x509.BasicConstraintsExtension(true, pathLength, true),
      new x509.KeyUsagesExtension(KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign, true),
    ];
  }
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    // ECDSA keys sign the handshake; they never encipher keys.
    new x509.KeyUsagesExtension(KeyUsageFlags.digitalSignature, true),
    new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage[plan.eku ?? "clientAuth"]]),
  ];
  if (plan.role === "server") {
    extensions.push(
      new x509.SubjectAlternativeNameExtension([
        { type: "dns", value: "localhost" },
        { type: "ip", value: "127.0.0.1" },
        { type: "ip", value: "::1" },
      ]),
    );
  }
  return extensions;
}

/** 128 random bits, positive and without a leading zero byte (RFC 5280 4.1.2.2). */
function randomSerialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = ((bytes[0] ?? 0) & 0x7f) | 0x40;
  return bytes.toString("hex");
}

/** The private key as PKCS#8 PEM ("BEGIN PRIVATE KEY"). */
export async function privateKeyPem(keys: KeyPair): Promise<string> {
  const der = await subtle.exportKey("pkcs8", keys.privateKey);
  return x509.PemConverter.encode(der, "PRIVATE KEY");
}
