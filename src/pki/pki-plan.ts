import type { PkiName } from "./pki-names.js";

const DAY_IN_MS = 24 * 60 * 60 * 1000;
/** CAs: long enough that a dev PKI never outlives its roots. */
export const CA_VALIDITY_IN_DAYS = 3650;
/** Leaves: mkcert's choice, and within the 825 days macOS accepts for private TLS certs. */
export const LEAF_VALIDITY_IN_DAYS = 825;
/** Certificates start a little in the past so a peer whose clock lags still accepts them. */
export const CLOCK_SKEW_IN_MS = 60 * 60 * 1000;
/** CAs start earlier still, so the expired leaf's whole life lies inside its issuer's. */
export const CA_BACKDATE_IN_DAYS = 7;
/** Beyond every valid leaf's end, so the PKI is replaced before this one becomes valid. */
export const NOT_YET_VALID_STARTS_IN_DAYS = 5 * 365;

export const EXPECTED_CLIENT_CN = "app.netdata.cloud";
const TEST_ORG = "netdata-webhook-kit (TEST ONLY)";

export type CertRole = "root-ca" | "intermediate-ca" | "server" | "client";

/** One certificate to issue: data only, rendered by `issueCertificate`. */
export interface CertPlan {
  name: PkiName;
  role: CertRole;
  /** Relative distinguished names in order; each object is one RDN, e.g. `{ CN: ["x"] }`. */
  subject: Array<Record<string, string[]>>;
  /** The issuing CA, or "self" for a root. */
  issuer: PkiName | "self";
  /** Extended key usage of a leaf. */
  eku?: "serverAuth" | "clientAuth";
  validity: (now: Date) => { notBefore: Date; notAfter: Date };
  /** The .pem also holds the issuer's certificate (leaf first), as a TLS client sends it. */
  withIssuerInPem?: boolean;
  /** A server's subjectAltName entries (DNS names and IP addresses); default localhost, 127.0.0.1, ::1. */
  hosts?: readonly string[];
}

const days = (now: Date, n: number): Date => new Date(now.getTime() + n * DAY_IN_MS);
const caValidity = (now: Date) => ({
  notBefore: days(now, -CA_BACKDATE_IN_DAYS),
  notAfter: days(now, CA_VALIDITY_IN_DAYS - CA_BACKDATE_IN_DAYS),
});
const leafValidity = (now: Date) => ({
  notBefore: new Date(now.getTime() - CLOCK_SKEW_IN_MS),
  notAfter: days(now, LEAF_VALIDITY_IN_DAYS),
});
const cn = (...names: string[]) => names.map((name) => ({ CN: [name] }));
const client = (name: PkiName, subject: CertPlan["subject"], issuer: PkiName = "ca"): CertPlan => ({
  name,
  role: "client",
  subject,
  issuer,
  eku: "clientAuth",
  validity: leafValidity,
});

/** The development PKI: the good certificates and one bad client per way a check can fail. */
export const PKI_PLAN: readonly CertPlan[] = [
  {
    name: "ca",
    role: "root-ca",
    // Imitates the Netdata Root CA, and says on its face that it is a test CA.
    subject: [{ O: [TEST_ORG] }, { CN: ["netdata-webhook-kit TEST Root CA"] }],
    issuer: "self",
    validity: caValidity,
  },
  {
    name: "intermediate",
    role: "intermediate-ca",
    subject: [{ O: [TEST_ORG] }, { CN: ["netdata-webhook-kit TEST Intermediate CA"] }],
    issuer: "ca",
    validity: caValidity,
  },
  {
    name: "server",
    role: "server",
    subject: cn("localhost"),
    issuer: "ca",
    eku: "serverAuth",
    validity: leafValidity,
  },
  client("client", cn(EXPECTED_CLIENT_CN)),
  {
    ...client("client-via-intermediate", cn(EXPECTED_CLIENT_CN), "intermediate"),
    withIssuerInPem: true,
  },
  client("client-wrong-cn", cn("evil.example")),
  // Passes an unanchored match such as nginx's `$ssl_client_s_dn ~ "CN=app.netdata.cloud"`.
  client("client-lookalike-cn", cn(`${EXPECTED_CLIENT_CN}.evil.example`)),
  // The wanted CN comes last: Go's `Subject.CommonName` and "last CN wins" parsers report it,
  // the RFC 2253 DN starts with it, and Node's `subject.CN` is the array of both.
  client("client-two-cn", cn("evil.example", EXPECTED_CLIENT_CN)),
  {
    ...client("client-expired", cn(EXPECTED_CLIENT_CN)),
    validity: (now) => ({ notBefore: days(now, -CA_BACKDATE_IN_DAYS), notAfter: days(now, -1) }),
  },
  {
    ...client("client-not-yet-valid", cn(EXPECTED_CLIENT_CN)),
    validity: (now) => ({
      notBefore: days(now, NOT_YET_VALID_STARTS_IN_DAYS),
      notAfter: days(now, NOT_YET_VALID_STARTS_IN_DAYS + LEAF_VALIDITY_IN_DAYS),
    }),
  },
  { ...client("client-server-eku", cn(EXPECTED_CLIENT_CN)), eku: "serverAuth" },
  {
    name: "rogue-ca",
    role: "root-ca",
    subject: [{ O: ["rogue (TEST ONLY)"] }, { CN: ["netdata-webhook-kit TEST Rogue Root CA"] }],
    issuer: "self",
    validity: caValidity,
  },
  client("client-untrusted", cn(EXPECTED_CLIENT_CN), "rogue-ca"),
];
