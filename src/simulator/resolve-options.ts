import { createPrivateKey, X509Certificate } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { rootCertificates } from "node:tls";
import { PKI_NAMES, type PkiName, pkiPaths } from "../pki/pki-names.js";
import { type AuthConfig, checkAuthConfig } from "../protocol/auth.js";
import { CRC_DEADLINE_MS } from "../protocol/crc.js";

/**
 * How long a delivery may take before Netdata gives up on it. Netdata does not document its
 * delivery timeout; the only documented deadline is the CRC answer's 5 s, taken as the bound.
 */
export const DELIVERY_BUDGET_MS = CRC_DEADLINE_MS;

import type { Connection, Identity } from "./http-client.js";
import type { PayloadFormat } from "./payloads/payload-factory.js";
import { proxyIdentityFor, virtualIdentity } from "./proxy-identity.js";
import { randomSeed } from "./random.js";
import type { PayloadSelection, VerifyOptions, VerifyProfile } from "./types.js";

/** Default deadline of each request: Netdata's CRC limit, and a sane bound for a notification. */
export const DEFAULT_TIMEOUT_MS = 5000;
const MAX_TIMEOUT_MS = 600_000;

/** Options that can never work: `verify` reports them as a usage error (exit 2). */
export class VerifyOptionsError extends Error {
  override name = "VerifyOptionsError";
}

/** The client certificates of a dev PKI: `client` plays Netdata, the others drive negative checks. */
export const PKI_CLIENT_NAMES = PKI_NAMES.filter(
  (name): name is Extract<PkiName, `client${string}`> => name.startsWith("client"),
);
export type PkiClientName = (typeof PKI_CLIENT_NAMES)[number];

export interface ResolvedVerifyOptions {
  url: URL;
  profile: VerifyProfile;
  payloads: PayloadSelection;
  formats: PayloadFormat[];
  auth: AuthConfig;
  /** The credentials (or `--auth none`) were given, not left out. */
  authDeclared: boolean;
  challengeSecret: string | null;
  connection: Connection;
  /** The identity presented as Netdata Cloud, or null (then mTLS receivers cannot be reached). */
  netdata: Identity | null;
  pki: Record<PkiClientName, Identity> | null;
  pkiDir: string | null;
  timeoutMs: number;
  crcDeadlineMs: number;
  seed: number;
  allowHttp: boolean;
  insecure: boolean;
  /** Extra headers added to every request (`--header`), in order. */
  headers: Array<[name: string, value: string]>;
  /** Identities are played as the headers of a TLS proxy (`--proxy-headers`). */
  proxyHeaders: boolean;
  proxyVerifyHeader: string;
  proxyDnHeader: string;
  observeLog: string | null;
  observeCommand: string | null;
}

/** The header names `serve --behind-proxy` reads by default. */
export const DEFAULT_PROXY_VERIFY_HEADER = "X-Client-Verify";
export const DEFAULT_PROXY_DN_HEADER = "X-Client-DN";
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Validates options once and loads every file, so checks never fail on configuration. */
export function resolveVerifyOptions(options: VerifyOptions): ResolvedVerifyOptions {
  const url = parseTargetUrl(options.url);
  const proxyHeaders = options.proxyHeaders ?? false;
  if (proxyHeaders && url.protocol !== "http:") {
    throw new VerifyOptionsError(
      `--proxy-headers: expected the http:// URL of the app behind the proxy, got ${url.protocol}//. Verify the proxy's https URL without --proxy-headers.`,
    );
  }
  let pki = options.pkiDir === undefined ? null : loadPki(options.pkiDir);
  let override = loadOverrideIdentity(options.clientCert, options.clientKey);
  if (proxyHeaders) {
    pki = asProxyIdentities(pki);
    override = override && { ...override, proxy: proxyIdentityFor("client", override.cert) };
  }
  const auth = options.auth ?? { scheme: "none" };
  const authVerdict = checkAuthConfig(auth);
  if (!authVerdict.ok) throw new VerifyOptionsError(`auth: ${authVerdict.problem}`);
  const payloads = options.payloads ?? "all";
  const insecure = options.insecure ?? false;
  const serverCa =
    options.serverCa === undefined
      ? pkiServerTrust(options.pkiDir)
      : readPem(options.serverCa, "server CA");
  return {
    url,
    profile: options.profile ?? "all",
    payloads,
    formats: payloads === "all" ? ["flat", "nested"] : [payloads],
    auth,
    authDeclared: options.auth !== undefined,
    challengeSecret: options.challengeSecret ?? null,
    connection: { url, insecure, ...(serverCa !== undefined ? { serverCa } : {}) },
    netdata: override ?? pki?.client ?? null,
    pki,
    pkiDir: options.pkiDir ?? null,
    timeoutMs: positiveMs("timeoutMs", options.timeoutMs ?? DEFAULT_TIMEOUT_MS),
    crcDeadlineMs: positiveMs("crcDeadlineMs", options.crcDeadlineMs ?? CRC_DEADLINE_MS),
    seed: checkSeed(options.seed ?? randomSeed()),
    allowHttp: (options.allowHttp ?? false) || proxyHeaders,
    insecure,
    headers: (options.headers ?? []).map(([name, value]) => checkHeader(name, value)),
    proxyHeaders,
    proxyVerifyHeader: headerName(
      "--proxy-verify-header",
      options.proxyVerifyHeader ?? DEFAULT_PROXY_VERIFY_HEADER,
    ),
    proxyDnHeader: headerName(
      "--proxy-dn-header",
      options.proxyDnHeader ?? DEFAULT_PROXY_DN_HEADER,
    ),
    observeLog: options.observeLog ?? null,
    observeCommand: nonEmpty("--observe-command", options.observeCommand),
  };
}

/** Every PKI client as the headers a proxy forwards for it (synthetic DNs without a PKI). */
function asProxyIdentities(
  pki: Record<PkiClientName, Identity> | null,
): Record<PkiClientName, Identity> {
  const entries = PKI_CLIENT_NAMES.map((name) => {
    const real = pki?.[name];
    const proxy = proxyIdentityFor(name, real?.cert ?? null);
    return [name, real ? { ...real, proxy } : virtualIdentity(name, proxy)] as const;
  });
  return Object.fromEntries(entries) as Record<PkiClientName, Identity>;
}

function nonEmpty(flag: string, value: string | undefined): string | null {
  if (value === undefined) return null;
  if (value.trim() === "") {
    throw new VerifyOptionsError(
      `${flag}: the command is empty. Give one that prints what the receiver stored, e.g. "netdata-webhook-kit inbox --json".`,
    );
  }
  return value;
}

function headerName(flag: string, name: string): string {
  if (!HEADER_NAME.test(name)) {
    throw new VerifyOptionsError(
      `${flag}: expected a header name such as "X-Client-Verify", got ${JSON.stringify(name)}.`,
    );
  }
  return name;
}

function checkHeader(name: string, value: string): [string, string] {
  headerName("--header", name);
  if (/[\r\n\0]/.test(value)) {
    throw new VerifyOptionsError(
      `--header ${name}: the value contains a line break or NUL. Give one line: --header "Name: value".`,
    );
  }
  return [name, value];
}

function parseTargetUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new VerifyOptionsError(
      `url: ${JSON.stringify(text)} is not a URL. Give the full webhook URL, e.g. https://hooks.example.com/webhooks/netdata.`,
    );
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new VerifyOptionsError(
      `url: expected https://, got ${url.protocol}//. Netdata only calls https URLs.`,
    );
  }
  if (url.username || url.password) {
    throw new VerifyOptionsError(
      "url: credentials in the URL are not sent by Netdata. Use --auth basic.",
    );
  }
  return url;
}

/**
 * With `--pki` and no `--server-ca`, a receiver serving the PKI's own `server` certificate
 * (`serve --dev`) is trusted as well as every public one: Node's bundled roots, plus
 * NODE_EXTRA_CA_CERTS, plus the PKI's test CA. Undefined (Node's default) without a PKI CA.
 */
function pkiServerTrust(pkiDir: string | undefined): string | undefined {
  if (pkiDir === undefined) return undefined;
  const testCa = pkiPaths(pkiDir).ca.cert;
  if (!existsSync(testCa)) return undefined;
  const extra = process.env.NODE_EXTRA_CA_CERTS;
  const extraPem = extra && existsSync(extra) ? [readFileSync(extra, "utf8")] : [];
  return [...rootCertificates, ...extraPem, readPem(testCa, "test CA")].join("\n");
}

function loadPki(dir: string): Record<PkiClientName, Identity> {
  const paths = pkiPaths(dir);
  const entries = PKI_CLIENT_NAMES.map((name) => {
    const hint = `Write the PKI with 'netdata-webhook-kit certs --pki ${dir}'.`;
    return [name, loadIdentity(name, paths[name].cert, paths[name].key, hint)] as const;
  });
  return Object.fromEntries(entries) as Record<PkiClientName, Identity>;
}

function loadOverrideIdentity(cert: string | undefined, key: string | undefined): Identity | null {
  if (cert === undefined && key === undefined) return null;
  if (cert === undefined || key === undefined) {
    throw new VerifyOptionsError(
      "--client-cert and --client-key go together. Pass both, or neither.",
    );
  }
  return loadIdentity(cert, cert, key, "Check the paths given with --client-cert/--client-key.");
}

function loadIdentity(name: string, certPath: string, keyPath: string, hint: string): Identity {
  const cert = readPem(certPath, `certificate of ${name}`, hint);
  const key = readPem(keyPath, `private key of ${name}`, hint);
  try {
    if (!new X509Certificate(cert).checkPrivateKey(createPrivateKey(key))) {
      throw new Error("the key does not belong to the certificate");
    }
  } catch (error) {
    throw new VerifyOptionsError(
      `failed to load ${name} (${certPath}, ${keyPath}): ${(error as Error).message}.`,
    );
  }
  return { name, cert, key };
}

function readPem(path: string, what: string, hint = ""): string {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "unknown error";
    throw new VerifyOptionsError(
      `failed to read the ${what} ${JSON.stringify(path)}: ${code}. ${hint}`.trim(),
    );
  }
}

function positiveMs(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1 || value > MAX_TIMEOUT_MS) {
    throw new VerifyOptionsError(
      `${name}: expected 1-${MAX_TIMEOUT_MS} ms, got ${value}. Pass a whole number of milliseconds.`,
    );
  }
  return value;
}

function checkSeed(seed: number): number {
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new VerifyOptionsError(
      `seed: expected 0-4294967295, got ${seed}. Reuse the seed a report printed.`,
    );
  }
  return seed;
}
