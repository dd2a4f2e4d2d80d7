import { readFileSync } from "node:fs";
import { isPostgresUrl } from "../store/postgres/database-url.js";
import { refuseUnknownOptions } from "../validate/known-options.js";
import { OptionError } from "../validate/option-error.js";
import { checkPort } from "../validate/port.js";
import {
  CONNECTIONS_CHECKING_INTERVAL_MS,
  HANDSHAKE_LOG_INTERVAL_MS,
  HEADERS_TIMEOUT_MS,
  KEEP_ALIVE_TIMEOUT_MS,
  MAX_CONNECTIONS,
  MAX_HEADER_SIZE_BYTES,
  MAX_PENDING_HANDSHAKES_PER_ADDRESS,
  REQUEST_TIMEOUT_MS,
  SHUTDOWN_GRACE_MS,
  TLS_HANDSHAKE_TIMEOUT_MS,
} from "./limits.js";
import {
  type Covers,
  checkStore,
  DEFAULT_DB_PATH,
  ENDPOINT_OPTION_NAMES,
  type NetdataEndpointOptions,
  type ResolvedEndpointOptions,
  resolveEndpointOptions,
} from "./options.js";
import type { NotificationStore } from "./store-types.js";

/** Each value is PEM text or the path of a PEM file. */
export interface TlsMaterial {
  /** Server certificate (chain). */
  cert: string;
  /** Server private key. */
  key: string;
  /** CA(s) trusted for client certificates: the Netdata Root CA in production. */
  ca: string | readonly string[];
}

export interface ReceiverTimeouts {
  handshakeMs: number;
  /** How often failed handshakes are logged, as a count per address. */
  handshakeLogIntervalMs: number;
  headersMs: number;
  requestMs: number;
  keepAliveMs: number;
  connectionsCheckingIntervalMs: number;
  shutdownGraceMs: number;
}

export const DEFAULT_RECEIVER_PORT = 8443;
/** The port `proxy nginx|apache` forwards to by default (`--upstream http://127.0.0.1:8080`). */
export const BEHIND_PROXY_DEFAULT_PORT = 8080;
/** Behind a proxy the receiver speaks plain HTTP: keep it off the network unless told. */
export const BEHIND_PROXY_DEFAULT_HOST = "127.0.0.1";

export interface ReceiverOptions extends Omit<NetdataEndpointOptions, "store"> {
  /** "direct" (TLS with client certificates, the default) or "behind-proxy". */
  mode?: "direct" | "behind-proxy";
  /** An open store, which stays the caller's to close; otherwise `db` is opened (SQLite). */
  store?: NotificationStore;
  /** SQLite file opened when no `store` is given, and closed by close(). Default ./netdata-webhooks.db. */
  db?: string;
  /** Direct mode: all interfaces; behind-proxy: 127.0.0.1. */
  host?: string;
  /** Default 8443 (8080 behind a proxy); 0 picks a free port. */
  port?: number;
  /** Required in direct mode. */
  tls?: TlsMaterial;
  /** Overrides of the limits in limits.ts (tests shorten them). */
  timeouts?: Partial<ReceiverTimeouts>;
  maxHeaderSizeBytes?: number;
  maxConnections?: number;
  /** Direct mode: unfinished TLS handshakes one address may hold at once. Default 64. */
  maxPendingHandshakesPerAddress?: number;
  /** Direct mode: unfinished TLS handshakes all addresses may hold at once. Default: half of maxConnections. */
  maxPendingHandshakes?: number;
  /** Open connections one address may hold. Default: half of maxConnections. */
  maxConnectionsPerAddress?: number;
}

export interface ResolvedServerOptions {
  mode: "direct" | "behind-proxy";
  host: string | undefined;
  port: number;
  tls: { cert: string; key: string; ca: string[] } | undefined;
  timeouts: ReceiverTimeouts;
  maxHeaderSizeBytes: number;
  maxConnections: number;
  maxPendingHandshakesPerAddress: number;
  maxPendingHandshakes: number;
  maxConnectionsPerAddress: number;
}

const CALLER = "startReceiver";

export const RECEIVER_OPTION_NAMES = [
  ...ENDPOINT_OPTION_NAMES,
  "mode",
  "db",
  "host",
  "port",
  "tls",
  "timeouts",
  "maxHeaderSizeBytes",
  "maxConnections",
  "maxPendingHandshakesPerAddress",
  "maxPendingHandshakes",
  "maxConnectionsPerAddress",
] as const satisfies readonly (keyof ReceiverOptions)[];
const covered: Covers<ReceiverOptions, typeof RECEIVER_OPTION_NAMES> = true;
void covered;

/** startReceiver's options after their one check. */
export interface ResolvedReceiverOptions {
  endpoint: ResolvedEndpointOptions;
  listen: ResolvedServerOptions;
  /** The store to use, or the SQLite file to open when none was given. */
  store: { given: NotificationStore } | { db: string };
}

/** The one check of startReceiver's options: every name, the endpoint's, then the listener's. */
export function resolveReceiverOptions(options: ReceiverOptions): ResolvedReceiverOptions {
  refuseUnknownOptions(options, RECEIVER_OPTION_NAMES, CALLER);
  const mode = options.mode ?? "direct";
  if (mode !== "direct" && mode !== "behind-proxy") {
    throw new OptionError(
      CALLER,
      "mode",
      `expected "direct" or "behind-proxy", got ${JSON.stringify(mode)}`,
    );
  }
  const clientIdentity = mode === "direct" ? "tls" : "proxy-headers";
  const endpoint = resolveEndpointOptions(
    options as NetdataEndpointOptions,
    CALLER,
    RECEIVER_OPTION_NAMES,
    { clientIdentity },
  );
  const store =
    options.store === undefined
      ? { db: dbPath(options.db) }
      : { given: checkStore(options.store, CALLER) as NotificationStore };
  return { endpoint, listen: resolveServerOptions(options), store };
}

function dbPath(db: unknown): string {
  if (db === undefined) return DEFAULT_DB_PATH;
  if (typeof db !== "string" || db === "") {
    throw new OptionError(
      CALLER,
      "db",
      `expected the path of a SQLite file, got ${JSON.stringify(db)}`,
    );
  }
  if (isPostgresUrl(db)) {
    throw new OptionError(
      CALLER,
      "db",
      "is a PostgreSQL URL, and db is a SQLite file",
      "Open it with openPostgresStore(url) from netdata-webhook-kit/postgres and pass it as store",
    );
  }
  return db;
}

/** Validates the listening options once and loads the TLS files. */
export function resolveServerOptions(options: ReceiverOptions): ResolvedServerOptions {
  const mode = options.mode ?? "direct";
  const port =
    options.port ?? (mode === "behind-proxy" ? BEHIND_PROXY_DEFAULT_PORT : DEFAULT_RECEIVER_PORT);
  const portVerdict = checkPort(port, { allowZero: true });
  if (!portVerdict.ok) throw new OptionError(CALLER, "port", portVerdict.problem);
  if (options.host !== undefined && (typeof options.host !== "string" || options.host === "")) {
    throw new OptionError(
      CALLER,
      "host",
      `expected an address such as "127.0.0.1", got ${JSON.stringify(options.host)}`,
    );
  }
  const host = options.host ?? (mode === "behind-proxy" ? BEHIND_PROXY_DEFAULT_HOST : undefined);
  let tls: ResolvedServerOptions["tls"];
  if (mode === "direct") {
    if (!options.tls) {
      throw new OptionError(
        CALLER,
        "tls",
        'direct mode needs { cert, key, ca } (PEM text or file paths); or use mode: "behind-proxy"',
      );
    }
    const ca = [options.tls.ca].flat();
    if (ca.length === 0)
      throw new OptionError(CALLER, "tls.ca", "expected at least one CA certificate");
    tls = {
      cert: loadPem(options.tls.cert, "tls.cert"),
      key: loadPem(options.tls.key, "tls.key"),
      ca: ca.map((value, i) => loadPem(value, `tls.ca[${i}]`)),
    };
  }
  const maxConnections = positive(options.maxConnections ?? MAX_CONNECTIONS, "maxConnections");
  const half = Math.max(1, Math.floor(maxConnections / 2));
  return {
    mode,
    host,
    port,
    tls,
    timeouts: resolveTimeouts(options.timeouts ?? {}),
    maxHeaderSizeBytes: positive(
      options.maxHeaderSizeBytes ?? MAX_HEADER_SIZE_BYTES,
      "maxHeaderSizeBytes",
    ),
    maxConnections,
    maxPendingHandshakesPerAddress: positive(
      options.maxPendingHandshakesPerAddress ?? MAX_PENDING_HANDSHAKES_PER_ADDRESS,
      "maxPendingHandshakesPerAddress",
    ),
    maxPendingHandshakes: positive(options.maxPendingHandshakes ?? half, "maxPendingHandshakes"),
    maxConnectionsPerAddress: positive(
      options.maxConnectionsPerAddress ?? half,
      "maxConnectionsPerAddress",
    ),
  };
}

function resolveTimeouts(overrides: Partial<ReceiverTimeouts>): ReceiverTimeouts {
  const t: ReceiverTimeouts = {
    handshakeMs: TLS_HANDSHAKE_TIMEOUT_MS,
    handshakeLogIntervalMs: HANDSHAKE_LOG_INTERVAL_MS,
    headersMs: HEADERS_TIMEOUT_MS,
    requestMs: REQUEST_TIMEOUT_MS,
    keepAliveMs: KEEP_ALIVE_TIMEOUT_MS,
    connectionsCheckingIntervalMs: CONNECTIONS_CHECKING_INTERVAL_MS,
    shutdownGraceMs: SHUTDOWN_GRACE_MS,
    ...overrides,
  };
  for (const [name, value] of Object.entries(t)) positive(value, `timeouts.${name}`);
  if (t.headersMs > t.requestMs) {
    throw new OptionError(
      CALLER,
      "timeouts.headersMs",
      `(${t.headersMs}) must not exceed timeouts.requestMs (${t.requestMs})`,
    );
  }
  return t;
}

function positive(value: unknown, option: string): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 1) {
    throw new OptionError(
      CALLER,
      option,
      `expected a positive integer, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

/** PEM text as given, or the contents of the file it names. */
function loadPem(value: unknown, option: string): string {
  if (typeof value !== "string" || value.length === 0) {
    throw new OptionError(CALLER, option, "expected PEM text or the path of a PEM file");
  }
  if (value.includes("-----BEGIN ")) return value;
  try {
    return readFileSync(value, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new OptionError(CALLER, option, `failed to read ${JSON.stringify(value)}: ${code}`);
  }
}
