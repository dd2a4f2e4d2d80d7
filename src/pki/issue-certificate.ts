import { createHash, generateKeyPairSync, type KeyObject, randomBytes, sign } from "node:crypto";
import * as der from "./der.js";
import type { CertPlan } from "./pki-plan.js";
import { encodeServerAltNames, serverHosts } from "./server-alt-names.js";

/** ECDSA P-256 with SHA-256: fast to generate, accepted by OpenSSL, nginx, Apache and Node. */
const CURVE = "prime256v1";

const OID = {
  ecdsaWithSha256: "1.2.840.10045.4.3.2",
  basicConstraints: "2.5.29.19",
  keyUsage: "2.5.29.15",
  extKeyUsage: "2.5.29.37",
  subjectAltName: "2.5.29.17",
  subjectKeyIdentifier: "2.5.29.14",
  authorityKeyIdentifier: "2.5.29.35",
  serverAuth: "1.3.6.1.5.5.7.3.1",
  clientAuth: "1.3.6.1.5.5.7.3.2",
} as const;

/** Subject attribute types a plan may use. */
const ATTRIBUTE_OIDS: Readonly<Record<string, string>> = {
  CN: "2.5.4.3",
  C: "2.5.4.6",
  L: "2.5.4.7",
  ST: "2.5.4.8",
  O: "2.5.4.10",
  OU: "2.5.4.11",
};

/** KeyUsage bit numbers (RFC 5280 4.2.1.3). */
const KEY_USAGE = { digitalSignature: 0, keyCertSign: 5, cRLSign: 6 } as const;

/** The signature algorithm; ECDSA takes no parameters (RFC 5758 3.2). */
const SIGNATURE_ALGORITHM = der.sequence(der.oid(OID.ecdsaWithSha256));

export interface KeyPair {
  privateKey: KeyObject;
  publicKey: KeyObject;
}

export interface IssuedCertificate {
  /** The certificate, DER. */
  der: Buffer;
  /** Its subject Name, DER: the issuer field of the certificates it signs. */
  subject: Buffer;
  notAfter: Date;
  keys: KeyPair;
  /** Its subject key identifier, the authority key identifier of what it signs. */
  keyId: Buffer;
}

export function generateKeyPair(): KeyPair {
  return generateKeyPairSync("ec", { namedCurve: CURVE });
}

/** Issues the certificate `plan` describes, signed by `issuer` (or by itself when omitted). */
export function issueCertificate(
  plan: CertPlan,
  keys: KeyPair,
  now: Date,
  issuer?: IssuedCertificate,
): IssuedCertificate {
  const subject = encodeName(plan.subject);
  const signerKeys = issuer?.keys ?? keys;
  const { notBefore, notAfter } = plan.validity(now);
  const publicKeyInfo = keys.publicKey.export({ type: "spki", format: "der" });
  const keyId = keyIdentifier(publicKeyInfo);
  const extensions = [
    ...roleExtensions(plan),
    extension(OID.subjectKeyIdentifier, false, der.octetString(keyId)),
    extension(
      OID.authorityKeyIdentifier,
      false,
      // keyIdentifier [0] IMPLICIT OCTET STRING
      der.sequence(der.implicitPrimitive(0, issuer?.keyId ?? keyId)),
    ),
  ];
  const tbs = der.sequence(
    der.explicit(0, der.smallInteger(2)), // version v3
    der.unsignedInteger(randomSerialNumber()),
    SIGNATURE_ALGORITHM,
    issuer?.subject ?? subject,
    der.sequence(der.time(notBefore), der.time(notAfter)),
    subject,
    publicKeyInfo,
    der.explicit(3, der.sequence(...extensions)),
  );
  // ECDSA-Sig-Value in DER, as X.509 carries it.
  const signature = sign("sha256", tbs, signerKeys.privateKey);
  const certificate = der.sequence(tbs, SIGNATURE_ALGORITHM, der.bitString(signature));
  return { der: certificate, subject, notAfter: wholeSeconds(notAfter), keys, keyId };
}

function roleExtensions(plan: CertPlan): Buffer[] {
  if (plan.role === "root-ca" || plan.role === "intermediate-ca") {
    // An intermediate may sign leaves only (pathlen 0); a root is unconstrained, like Netdata's.
    const pathLength = plan.role === "intermediate-ca" ? [der.smallInteger(0)] : [];
    return [
      extension(OID.basicConstraints, true, der.sequence(der.boolean(true), ...pathLength)),
      extension(OID.keyUsage, true, der.namedBits([KEY_USAGE.keyCertSign, KEY_USAGE.cRLSign])),
    ];
  }
  const extensions = [
    // cA FALSE is the default, so DER leaves it out.
    extension(OID.basicConstraints, true, der.sequence()),
    // ECDSA keys sign the handshake; they never encipher keys.
    extension(OID.keyUsage, true, der.namedBits([KEY_USAGE.digitalSignature])),
    extension(OID.extKeyUsage, false, der.sequence(der.oid(OID[plan.eku ?? "clientAuth"]))),
  ];
  if (plan.role === "server") {
    extensions.push(
      extension(OID.subjectAltName, false, encodeServerAltNames(plan.hosts ?? serverHosts())),
    );
  }
  return extensions;
}

/** Extension ::= SEQUENCE { extnID, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING } */
function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return der.sequence(
    der.oid(id),
    ...(critical ? [der.boolean(true)] : []),
    der.octetString(value),
  );
}

/** Name ::= SEQUENCE OF RelativeDistinguishedName (SET OF AttributeTypeAndValue). */
function encodeName(rdns: CertPlan["subject"]): Buffer {
  return der.sequence(
    ...rdns.map((rdn) =>
      der.set(
        ...Object.entries(rdn).flatMap(([type, values]) => {
          const id = ATTRIBUTE_OIDS[type];
          if (!id) throw new Error(`unsupported subject attribute ${JSON.stringify(type)}`);
          return values.map((value) => der.sequence(der.oid(id), der.directoryString(value)));
        }),
      ),
    ),
  );
}

/** RFC 5280 4.2.1.2 method (1): SHA-1 of the subjectPublicKey BIT STRING's bytes. */
function keyIdentifier(spki: Buffer): Buffer {
  // A P-256 SubjectPublicKeyInfo ends with the 65-byte uncompressed point.
  return createHash("sha1")
    .update(spki.subarray(spki.length - 65))
    .digest();
}

/** 128 random bits, positive and without a leading zero byte (RFC 5280 4.1.2.2). */
function randomSerialNumber(): Buffer {
  const bytes = randomBytes(16);
  bytes[0] = ((bytes[0] ?? 0) & 0x7f) | 0x40;
  return bytes;
}

/** The certificate holds whole seconds. */
function wholeSeconds(date: Date): Date {
  return new Date(Math.floor(date.getTime() / 1000) * 1000);
}

/** The certificate as PEM. */
export const certificatePem = (certificate: IssuedCertificate): string =>
  der.pem("CERTIFICATE", certificate.der);

/** The private key as PKCS#8 PEM ("BEGIN PRIVATE KEY"). */
export function privateKeyPem(keys: KeyPair): string {
  return keys.privateKey.export({ type: "pkcs8", format: "pem" }).toString();
}
