import { type AuthConfig, checkAuthConfig } from "../protocol/auth.js";
import { DEFAULT_EXPECTED_CNS } from "../protocol/client-identity.js";
import type { Notification } from "../protocol/notification-types.js";
import { checkExpectedCns } from "../validate/expected-cns.js";
import { refuseUnknownOptions } from "../validate/known-options.js";
import { OptionError } from "../validate/option-error.js";
import { checkWebhookPath, DEFAULT_WEBHOOK_PATH } from "../validate/webhook-path.js";
import { BODY_LIMIT_BYTES, HAND_OVER_DEADLINE_MS } from "./limits.js";
import { type Logger, toLogger } from "./log.js";
import type { ReceiverEvents } from "./receiver-events.js";
import type { InsertResult, NotificationWriter } from "./store-types.js";
import {
  DEFAULT_TRUSTED_PROXIES,
  parseTrustedProxies,
  type TrustedProxies,
} from "./trusted-proxy.js";

/**
 * Where the receiver learns who the client is:
 * - "tls": the request's own TLS socket (direct mode; needs `requestCert`),
 * - "proxy-headers": headers set by a TLS-terminating proxy (behind-proxy mode),
 * - "none": not checked here; only when something in front already verified the client.
 */
export type ClientIdentitySource = "tls" | "proxy-headers" | "none";

export { DEFAULT_WEBHOOK_PATH };
export const DEFAULT_DB_PATH = "./netdata-webhooks.db";
export const DEFAULT_PROXY_VERIFY_HEADER = "X-Client-Verify";
export const DEFAULT_PROXY_DN_HEADER = "X-Client-DN";

export interface ProxyHeaderNames {
  /** Header that carries the proxy's verification result; must be exactly `SUCCESS`. */
  verify?: string;
  /** Header that carries the verified client subject DN (RFC 2253). */
  dn?: string;
}

export interface TestNotificationInfo {
  id: number;
  token: string;
  duplicate: boolean;
}

/** The options every form of the receiver shares: what Netdata is checked against. */
export interface NetdataWebhookOptions {
  /**
   * Where notifications are kept: any object whose `insert` resolves once the notification is
   * durable (openStore(path) from netdata-webhook-kit/sqlite, or your own).
   */
  store: NotificationWriter;
  /** Authorization scheme Netdata was configured with. Default `{ scheme: "none" }`. */
  auth?: AuthConfig;
  /** Secret for the legacy `GET ?crc_token=` challenge; without it the challenge gets 404. */
  challengeSecret?: string;
  /** Default "tls". */
  clientIdentity?: ClientIdentitySource;
  /** Allowed client certificate CNs, matched exactly. Default ["app.netdata.cloud"]. */
  expectedCns?: readonly string[];
  proxyHeaders?: ProxyHeaderNames;
  /**
   * With "proxy-headers": the peer addresses (`ADDR` or `ADDR/PREFIX`) whose headers are
   * believed; a request from any other peer gets 403. Default: the loopback addresses.
   */
  trustedProxies?: readonly string[];
  /** Largest body accepted, in bytes; larger gets 413. Default 256 KiB. */
  bodyLimitBytes?: number;
  /** A Logger, a function receiving JSON lines, or nothing for stdout. */
  logger?: Logger | ((line: string) => void);
  /** Called for each test notification, after it is stored. */
  onTestNotification?: (info: TestNotificationInfo) => void;
  /**
   * Your own handling of each new notification (not of redeliveries): called after it is
   * committed to the store. Netdata gets its 200 when it finishes or when
   * `handOverDeadlineMs` has passed, whichever comes first; past the deadline it goes on and
   * the receiver logs that it overran. A throw or rejection is logged and the answer is still
   * 200, since the notification is safe in the inbox.
   */
  onNotification?: (notification: Notification, stored: InsertResult) => void | Promise<void>;
  /** How long the 200 waits for `onNotification`, in ms. Default 3000. */
  handOverDeadlineMs?: number;
  /** Told of every acceptance and refusal, with the connection (the admin console uses it). */
  events?: ReceiverEvents;
}

/** Options of the adapters that route by path themselves (node:http, fetch, Fastify). */
export interface NetdataEndpointOptions extends NetdataWebhookOptions {
  /** The webhook path; matched exactly. Default /webhooks/netdata. */
  path?: string;
}

/** The client check, resolved: the rules are protocol/client-identity's. */
export interface ClientIdentitySettings {
  source: ClientIdentitySource;
  expectedCns: readonly string[];
  verifyHeader: string;
  dnHeader: string;
  trustedProxies: TrustedProxies;
}

/** NetdataWebhookOptions after their one check, the store aside: what the pipeline is built from. */
export interface ResolvedWebhookOptions {
  auth: AuthConfig;
  challengeSecret: string | undefined;
  identity: ClientIdentitySettings;
  bodyLimitBytes: number;
  onTestNotification: ((info: TestNotificationInfo) => void) | undefined;
  onNotification: NetdataWebhookOptions["onNotification"];
  handOverDeadlineMs: number;
  events: ReceiverEvents | undefined;
  logger: Logger;
}

/** NetdataEndpointOptions after their one check. */
export interface ResolvedEndpointOptions extends ResolvedWebhookOptions {
  path: string;
}

/** `satisfies` keeps each list equal to its interface's keys (see Covers below). */
export const WEBHOOK_OPTION_NAMES = [
  "store",
  "auth",
  "challengeSecret",
  "clientIdentity",
  "expectedCns",
  "proxyHeaders",
  "trustedProxies",
  "bodyLimitBytes",
  "logger",
  "onTestNotification",
  "onNotification",
  "handOverDeadlineMs",
  "events",
] as const satisfies readonly (keyof NetdataWebhookOptions)[];
export const ENDPOINT_OPTION_NAMES = [
  ...WEBHOOK_OPTION_NAMES,
  "path",
] as const satisfies readonly (keyof NetdataEndpointOptions)[];
/** The keys an `auth` object may have, whatever its scheme. */
const AUTH_OPTION_NAMES = ["scheme", "token", "username", "password"];

/** Compiles only when `List` names every key of `T`. */
export type Covers<T, List extends readonly string[]> = [Exclude<keyof T, List[number]>] extends [
  never,
]
  ? true
  : false;
const covered: [
  Covers<NetdataWebhookOptions, typeof WEBHOOK_OPTION_NAMES>,
  Covers<NetdataEndpointOptions, typeof ENDPOINT_OPTION_NAMES>,
] = [true, true];
void covered;

/**
 * The one check of the receiver's options, at each public entry point: refuses a name not
 * in `known`, then judges every concept once. Inner layers take the result and never check
 * again. `defaults.clientIdentity` is the entry point's own default (startReceiver derives it
 * from its mode).
 */
export function resolveWebhookOptions(
  options: NetdataWebhookOptions,
  caller: string,
  known: readonly string[] = WEBHOOK_OPTION_NAMES,
  defaults: { clientIdentity?: ClientIdentitySource } = {},
): ResolvedWebhookOptions {
  refuseUnknownOptions(options, known, caller);
  const fail = (option: string, problem: string): never => {
    throw new OptionError(caller, option, problem);
  };
  const auth = options.auth ?? { scheme: "none" };
  if (options.auth !== undefined)
    refuseUnknownOptions(options.auth, AUTH_OPTION_NAMES, caller, "auth");
  const authVerdict = checkAuthConfig(auth);
  if (!authVerdict.ok) fail("auth", authVerdict.problem);
  const { challengeSecret } = options;
  if (challengeSecret !== undefined && (typeof challengeSecret !== "string" || !challengeSecret)) {
    fail(
      "challengeSecret",
      "expected a non-empty string, or leave it out to disable the challenge",
    );
  }
  const bodyLimitBytes = options.bodyLimitBytes ?? BODY_LIMIT_BYTES;
  if (!Number.isSafeInteger(bodyLimitBytes) || bodyLimitBytes < 1) {
    fail("bodyLimitBytes", `expected a positive integer, got ${JSON.stringify(bodyLimitBytes)}`);
  }
  for (const hook of ["onTestNotification", "onNotification"] as const) {
    if (options[hook] !== undefined && typeof options[hook] !== "function") {
      fail(hook, "expected a function");
    }
  }
  const handOverDeadlineMs = options.handOverDeadlineMs ?? HAND_OVER_DEADLINE_MS;
  if (!Number.isSafeInteger(handOverDeadlineMs) || handOverDeadlineMs < 0) {
    fail(
      "handOverDeadlineMs",
      `expected a whole number of milliseconds (0 or more), got ${JSON.stringify(handOverDeadlineMs)}`,
    );
  }
  return {
    auth,
    challengeSecret,
    identity: resolveIdentity(options, defaults.clientIdentity ?? "tls", fail),
    bodyLimitBytes,
    onTestNotification: options.onTestNotification,
    onNotification: options.onNotification,
    handOverDeadlineMs,
    events: options.events,
    logger: toLogger(options.logger, secretsOf(auth, challengeSecret)),
  };
}

/** The `store` option: anything with an `insert` that resolves once the notification is durable. */
export function checkStore(store: unknown, caller: string): NotificationWriter {
  if (typeof (store as NotificationWriter | undefined)?.insert !== "function") {
    throw new OptionError(
      caller,
      "store",
      "expected an object with an insert(notification, key, meta) method that resolves once the notification is durable (openStore(path) from netdata-webhook-kit/sqlite returns one)",
    );
  }
  return store as NotificationWriter;
}

/** resolveWebhookOptions plus the webhook path, for the adapters that route themselves. */
export function resolveEndpointOptions(
  options: NetdataEndpointOptions,
  caller: string,
  known: readonly string[] = ENDPOINT_OPTION_NAMES,
  defaults: { clientIdentity?: ClientIdentitySource } = {},
): ResolvedEndpointOptions {
  const resolved = resolveWebhookOptions(options, caller, known, defaults);
  const path = checkWebhookPath(options.path ?? DEFAULT_WEBHOOK_PATH);
  if (!path.ok) throw new OptionError(caller, "path", path.problem);
  return { ...resolved, path: path.value };
}

/** Every value the logs must never show, including the Basic credential as it travels. */
export function secretsOf(auth: AuthConfig, challengeSecret: string | undefined): string[] {
  const secrets: string[] = [];
  if (auth.scheme === "bearer") secrets.push(auth.token);
  if (auth.scheme === "basic") {
    secrets.push(auth.password);
    secrets.push(Buffer.from(`${auth.username}:${auth.password}`, "utf8").toString("base64"));
  }
  if (challengeSecret) secrets.push(challengeSecret);
  return secrets;
}

function resolveIdentity(
  options: NetdataWebhookOptions,
  fallback: ClientIdentitySource,
  fail: (option: string, problem: string) => never,
): ClientIdentitySettings {
  const source = options.clientIdentity ?? fallback;
  if (!["tls", "proxy-headers", "none"].includes(source)) {
    fail(
      "clientIdentity",
      `expected "tls", "proxy-headers" or "none", got ${JSON.stringify(source)}`,
    );
  }
  const cns = checkExpectedCns(options.expectedCns ?? DEFAULT_EXPECTED_CNS);
  if (!cns.ok) fail("expectedCns", cns.problem);
  const trusted = parseTrustedProxies(options.trustedProxies ?? DEFAULT_TRUSTED_PROXIES);
  if (!trusted.ok) fail("trustedProxies", `${JSON.stringify(trusted.value)}: ${trusted.reason}`);
  const headers = options.proxyHeaders ?? {};
  return {
    source,
    expectedCns: (cns as Extract<typeof cns, { ok: true }>).value,
    verifyHeader: headerName(
      headers.verify ?? DEFAULT_PROXY_VERIFY_HEADER,
      "proxyHeaders.verify",
      fail,
    ),
    dnHeader: headerName(headers.dn ?? DEFAULT_PROXY_DN_HEADER, "proxyHeaders.dn", fail),
    trustedProxies: (trusted as Extract<typeof trusted, { ok: true }>).trusted,
  };
}

function headerName(name: unknown, option: string, fail: (o: string, d: string) => never): string {
  if (typeof name !== "string" || !/^[A-Za-z0-9-]+$/.test(name)) {
    fail(option, `expected a header name such as "X-Client-Verify", got ${JSON.stringify(name)}`);
  }
  return name as string;
}
