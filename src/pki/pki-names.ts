import { join } from "node:path";

/** Where `certs` and `serve --dev` put the development PKI, relative to the working directory. */
export const DEFAULT_PKI_DIR = "certs/dev";

/**
 * Every certificate of the development PKI, issuers before what they sign. Each NAME is
 * written as NAME.pem (certificate, 0644) and NAME.key (PKCS#8 private key, 0600).
 */
export const PKI_NAMES = [
  "ca",
  "intermediate",
  "server",
  "client",
  "client-via-intermediate",
  "client-wrong-cn",
  "client-lookalike-cn",
  "client-two-cn",
  "client-expired",
  "client-not-yet-valid",
  "client-server-eku",
  "rogue-ca",
  "client-untrusted",
] as const;

export type PkiName = (typeof PKI_NAMES)[number];

/** The certificate authorities: their files decide whether a partial PKI may be regenerated. */
export const PKI_CA_NAMES: readonly PkiName[] = ["ca", "intermediate", "rogue-ca"];

export interface PkiFilePaths {
  cert: string;
  key: string;
}

/** The paths of every certificate and key of a PKI directory (nothing is read). */
export function pkiPaths(dir: string): Record<PkiName, PkiFilePaths> {
  const entries = PKI_NAMES.map((name) => [
    name,
    { cert: join(dir, `${name}.pem`), key: join(dir, `${name}.key`) },
  ]);
  return Object.fromEntries(entries) as Record<PkiName, PkiFilePaths>;
}
