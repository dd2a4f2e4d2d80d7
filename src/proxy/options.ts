import { isAbsolute, resolve } from "node:path";
import { BUNDLED_NETDATA_CA_PATH } from "../package-facts.js";
import { DEFAULT_EXPECTED_CNS } from "../protocol/client-identity.js";
import { checkExpectedCns } from "../validate/expected-cns.js";
import { checkPort } from "../validate/port.js";
import { checkUpstreamUrl, DEFAULT_UPSTREAM } from "../validate/upstream-url.js";
import { checkWebhookPath, DEFAULT_WEBHOOK_PATH } from "../validate/webhook-path.js";
import { DEFAULT_LISTEN, DEFAULT_VERIFY_DEPTH } from "./policy.js";

/** The Netdata Root CA shipped in the package (certs/netdata-ca.pem), as an absolute path. */
export const NETDATA_ROOT_CA_PATH = BUNDLED_NETDATA_CA_PATH;

/** What a caller (or the `proxy` command) gives; everything but the server's identity has a default. */
export interface ProxyOptionsInput {
  serverName: string;
  /** The proxy's own certificate (full chain) and key, as clients see them. */
  cert: string;
  key: string;
  /**
   * Origin of the receiver in behind-proxy mode, or of several receivers sharing one
   * PostgreSQL inbox: the proxy fails over to the next on a connection error.
   */
  upstream?: string | readonly string[];
  /** A port, or ADDRESS:PORT (`127.0.0.1:8443`, `[::1]:8443`). */
  listen?: string;
  path?: string;
  /** CA that issues the client certificate; default the Netdata Root CA. */
  clientCa?: string;
  /** Where --client-ca came from, when the caller chose it (a line in the generated header). */
  clientCaOrigin?: string;
  expectedCns?: readonly string[];
  verifyDepth?: number | string;
  /** Base for relative file paths; default `process.cwd()`. */
  cwd?: string;
}

/** Validated options: file paths absolute, defaults filled in. */
export interface ProxyOptions {
  serverName: string;
  certPath: string;
  keyPath: string;
  /** One or more receiver origins, in the order given. */
  upstreams: readonly string[];
  listen: { address: string | null; port: number };
  path: string;
  clientCaPath: string;
  clientCaOrigin?: string;
  expectedCns: readonly string[];
  verifyDepth: number;
}

/** A bad option value; `option` is the CLI flag it came from. */
export class ProxyOptionError extends TypeError {
  override name = "ProxyOptionError";
  constructor(
    readonly option: string,
    readonly detail: string,
  ) {
    super(`[netdata-webhook-kit] proxy ${option}: ${detail}`);
  }
}

/** Names and CNs go into configs unquoted and into regexes: letters, digits, `.`, `-` only. */
const HOST_NAME =
  /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*$/;
/** `"`, `\`, `$`, `%`, `;`, `#` and control characters mean something inside a config value. */
const SAFE_FILE_PATH = /^[\w./@+,:~ -]+$/;
const MAX_VERIFY_DEPTH = 10;

/** Checks every option once and fills in the defaults; throws ProxyOptionError. */
export function resolveProxyOptions(input: ProxyOptionsInput): ProxyOptions {
  const cwd = input.cwd ?? process.cwd();
  return {
    serverName: checkServerName(input.serverName),
    certPath: checkFilePath("--tls-cert", input.cert, cwd),
    keyPath: checkFilePath("--tls-key", input.key, cwd),
    upstreams: checkUpstreams(input.upstream ?? DEFAULT_UPSTREAM),
    listen: checkListen(input.listen ?? DEFAULT_LISTEN),
    path: checkPath(input.path ?? DEFAULT_WEBHOOK_PATH),
    clientCaPath: checkFilePath("--client-ca", input.clientCa ?? NETDATA_ROOT_CA_PATH, cwd),
    expectedCns: checkCns(input.expectedCns ?? DEFAULT_EXPECTED_CNS),
    verifyDepth: checkVerifyDepth(input.verifyDepth ?? DEFAULT_VERIFY_DEPTH),
    ...(input.clientCaOrigin !== undefined && { clientCaOrigin: input.clientCaOrigin }),
  };
}

/** The options as command-line flags, defaults included: what a generated header records. */
export function proxyOptionFlags(options: ProxyOptions): Array<[flag: string, value: string]> {
  return [
    ["--server-name", options.serverName],
    ["--tls-cert", options.certPath],
    ["--tls-key", options.keyPath],
    ...options.upstreams.map((origin): [string, string] => ["--upstream", origin]),
    ["--listen", listenSpec(options.listen)],
    ["--path", options.path],
    ["--client-ca", options.clientCaPath],
    ...options.expectedCns.map((cn): [string, string] => ["--expected-cn", cn]),
    ["--verify-depth", String(options.verifyDepth)],
  ];
}

/** `443` or `127.0.0.1:8443` / `[::1]:8443`, as both nginx and Apache spell it. */
export function listenSpec(listen: ProxyOptions["listen"]): string {
  return listen.address === null ? String(listen.port) : `${listen.address}:${listen.port}`;
}

function checkServerName(value: string): string {
  if (typeof value !== "string" || value.length > 253 || !HOST_NAME.test(value)) {
    throw new ProxyOptionError(
      "--server-name",
      `expected the host name clients use (hooks.example.com), got ${JSON.stringify(value)}.`,
    );
  }
  return value;
}

function checkFilePath(option: string, value: string, cwd: string): string {
  if (typeof value !== "string" || value.length === 0) {
    throw new ProxyOptionError(option, "expected a file path, got nothing.");
  }
  const absolute = isAbsolute(value) ? value : resolve(cwd, value);
  if (!SAFE_FILE_PATH.test(absolute)) {
    throw new ProxyOptionError(
      option,
      `the path ${JSON.stringify(absolute)} has a character the config cannot hold safely (only letters, digits, space and ./@+,:~_- are allowed). Link the file from a plain path.`,
    );
  }
  return absolute;
}

function checkUpstreams(value: string | readonly string[]): readonly string[] {
  const values = typeof value === "string" ? [value] : value;
  if (values.length === 0) {
    throw new ProxyOptionError("--upstream", "expected at least one receiver origin, got none.");
  }
  const origins: string[] = [];
  for (const one of values) {
    const verdict = checkUpstreamUrl(one);
    if (!verdict.ok) throw new ProxyOptionError("--upstream", `${verdict.problem}.`);
    if (origins.includes(verdict.value)) {
      throw new ProxyOptionError(
        "--upstream",
        `${verdict.value} is given twice. Give each receiver once.`,
      );
    }
    origins.push(verdict.value);
  }
  return origins;
}

function checkListen(value: string): ProxyOptions["listen"] {
  const match = /^(?:(\d{1,3}(?:\.\d{1,3}){3}|\[[0-9A-Fa-f:.]+\]):)?(\d{1,5})$/.exec(value);
  const port = checkPort(match?.[2], { allowZero: false });
  // A port out of range is said as everywhere else (`serve --port`).
  if (match && !port.ok) throw new ProxyOptionError("--listen", port.problem);
  if (!match || !port.ok) {
    throw new ProxyOptionError(
      "--listen",
      `expected a port (443) or ADDRESS:PORT (127.0.0.1:8443, [::1]:8443), got ${JSON.stringify(value)}.`,
    );
  }
  return { address: match[1] ?? null, port: port.value };
}

function checkPath(value: string): string {
  const verdict = checkWebhookPath(value);
  if (!verdict.ok) throw new ProxyOptionError("--path", `${verdict.problem}.`);
  return verdict.value;
}

function checkCns(values: readonly string[]): readonly string[] {
  const verdict = checkExpectedCns(values);
  if (!verdict.ok) throw new ProxyOptionError("--expected-cn", `${verdict.problem}.`);
  return verdict.value;
}

function checkVerifyDepth(value: number | string): number {
  const depth =
    typeof value === "number" ? value : /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isInteger(depth) || depth < 1 || depth > MAX_VERIFY_DEPTH) {
    throw new ProxyOptionError(
      "--verify-depth",
      `expected an integer 1-${MAX_VERIFY_DEPTH}, got ${JSON.stringify(value)}. Pass 2 to accept a chain with one intermediate CA.`,
    );
  }
  return depth;
}
