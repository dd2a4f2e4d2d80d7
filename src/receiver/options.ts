import { type AuthConfig, checkAuthConfig } from "../protocol/auth.js";
import { DEFAULT_EXPECTED_CNS } from "../protocol/client-identity.js";
import type { Notification } from "../protocol/notification-types.js";
import { checkExpectedCns } from "../validate/expected-cns.js";
import { OptionError } from "../validate/option-error.js";
import { checkWebhookPath, DEFAULT_WEBHOOK_PATH } from "../validate/webhook-path.js";
import { BODY_LIMIT_BYTES, HAND_OVER_DEADLINE_MS } from "./limits.js";
import type { Logger } from "./log.js";
import { AUTH_OPTION_NAMES, refuseUnknownOptions } from "./option-names.js";
import type { ReceiverEvents } from "./receiver-events.js";
import type { InsertResult, NotificationStore, NotificationWriter } from "./store-types.js";
import {
  DEFAULT_TRUSTED_PROXIES,
  parseTrustedProxies,
  type TrustedProxies,
} from "./trusted-proxy.js";

/**
 * Where the middleware learns who the client is:
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

export interface ReceiverAppOptions extends Omit<NetdataWebhookOptions, "store"> {
  /** "direct" (TLS with client certificates, the default) or "behind-proxy". */
  mode?: "direct" | "behind-proxy";
  /** Default /webhooks/netdata. */
  path?: string;
  /** An open store; otherwise `db` is opened. */
  store?: NotificationStore;
  /** SQLite file opened when no `store` is given. Default ./netdata-webhooks.db. */
  db?: string;
}

export interface ResolvedWebhookOptions {
  store: NotificationWriter;
  auth: AuthConfig;
  challengeSecret: string | undefined;
  identity: {
    source: ClientIdentitySource;
    expectedCns: readonly string[];
    verifyHeader: string;
    dnHeader: string;
    trustedProxies: TrustedProxies;
  };
  bodyLimitBytes: number;
  onTestNotification: ((info: TestNotificationInfo) => void) | undefined;
  onNotification: NetdataWebhookOptions["onNotification"];
  handOverDeadlineMs: number;
  events: ReceiverEvents | undefined;
  /** Every configured secret, for log redaction. */
  secrets: string[];
}

/** Validates the middleware options once, when the middleware is created. */
export function resolveWebhookOptions(
  options: NetdataWebhookOptions,
  caller: string,
): ResolvedWebhookOptions {
  if (typeof options?.store?.insert !== "function") {
    throw new OptionError(
      caller,
      "store",
      "expected an object with an insert(notification, key, meta) method that resolves once the notification is durable (openStore(path) returns one)",
    );
  }
  return { ...resolveWebhookSettings(options, caller), store: options.store };
}

/** Everything but the store, so a bad option fails before any database file is created. */
export function resolveWebhookSettings(
  options: Omit<NetdataWebhookOptions, "store">,
  caller: string,
): Omit<ResolvedWebhookOptions, "store"> {
  const fail = (option: string, detail: string): never => {
    throw new OptionError(caller, option, detail);
  };
  if (typeof options !== "object" || options === null) fail("options", "expected an object");
  if (options.auth !== undefined) {
    // null, a string or a mistyped key would otherwise read as "no auth".
    refuseUnknownOptions(options.auth, AUTH_OPTION_NAMES, caller, "auth");
  }
  const auth = options.auth ?? { scheme: "none" };
  const authVerdict = checkAuthConfig(auth);
  if (!authVerdict.ok) fail("auth", authVerdict.problem);
  const { challengeSecret } = options;
  if (challengeSecret !== undefined && (typeof challengeSecret !== "string" || !challengeSecret)) {
    fail(
      "challengeSecret",
      "expected a non-empty string, or leave it out to disable the challenge",
    );
  }
  const source = options.clientIdentity ?? "tls";
  if (!["tls", "proxy-headers", "none"].includes(source)) {
    fail(
      "clientIdentity",
      `expected "tls", "proxy-headers" or "none", got ${JSON.stringify(source)}`,
    );
  }
  const cns = checkExpectedCns(options.expectedCns ?? DEFAULT_EXPECTED_CNS);
  if (!cns.ok) fail("expectedCns", cns.problem);
  const expectedCns = (cns as Extract<typeof cns, { ok: true }>).value;
  const bodyLimitBytes = options.bodyLimitBytes ?? BODY_LIMIT_BYTES;
  if (!Number.isSafeInteger(bodyLimitBytes) || bodyLimitBytes < 1) {
    fail("bodyLimitBytes", `expected a positive integer, got ${JSON.stringify(bodyLimitBytes)}`);
  }
  if (
    options.onTestNotification !== undefined &&
    typeof options.onTestNotification !== "function"
  ) {
    fail("onTestNotification", "expected a function");
  }
  if (options.onNotification !== undefined && typeof options.onNotification !== "function") {
    fail("onNotification", "expected a function");
  }
  const handOverDeadlineMs = options.handOverDeadlineMs ?? HAND_OVER_DEADLINE_MS;
  if (!Number.isSafeInteger(handOverDeadlineMs) || handOverDeadlineMs < 0) {
    fail(
      "handOverDeadlineMs",
      `expected a whole number of milliseconds (0 or more), got ${JSON.stringify(handOverDeadlineMs)}`,
    );
  }
  const proxyHeaders = options.proxyHeaders ?? {};
  const trusted = parseTrustedProxies(options.trustedProxies ?? DEFAULT_TRUSTED_PROXIES);
  if (!trusted.ok) {
    fail("trustedProxies", `${JSON.stringify(trusted.value)}: ${trusted.reason}`);
  }
  return {
    auth,
    challengeSecret,
    identity: {
      source,
      expectedCns,
      verifyHeader: headerName(
        proxyHeaders.verify ?? DEFAULT_PROXY_VERIFY_HEADER,
        "proxyHeaders.verify",
        fail,
      ),
      dnHeader: headerName(proxyHeaders.dn ?? DEFAULT_PROXY_DN_HEADER, "proxyHeaders.dn", fail),
      trustedProxies: (trusted as Extract<typeof trusted, { ok: true }>).trusted,
    },
    bodyLimitBytes,
    onTestNotification: options.onTestNotification,
    onNotification: options.onNotification,
    handOverDeadlineMs,
    events: options.events,
    secrets: secretsOf(auth, challengeSecret),
  };
}

/** The webhook path, by the rule the proxy configs and the command line share. */
export function resolveWebhookPath(path: string | undefined, caller: string): string {
  const verdict = checkWebhookPath(path ?? DEFAULT_WEBHOOK_PATH);
  if (!verdict.ok) throw new OptionError(caller, "path", verdict.problem);
  return verdict.value;
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

function headerName(name: unknown, option: string, fail: (o: string, d: string) => never): string {
  if (typeof name !== "string" || !/^[A-Za-z0-9-]+$/.test(name)) {
    fail(option, `expected a header name such as "X-Client-Verify", got ${JSON.stringify(name)}`);
  }
  return name as string;
}
