import { didYouMean } from "../did-you-mean.js";
import { OptionError } from "../validate/option-error.js";
import type { NetdataEndpointOptions } from "./adapters/endpoint-options.js";
import type { NetdataWebhookOptions, ReceiverAppOptions } from "./options.js";
import type { ReceiverOptions } from "./server-options.js";

/**
 * The option names each entry point knows. An unknown name is refused rather than ignored:
 * a mistyped `auth` would otherwise leave the receiver open to anyone Netdata-shaped.
 * `satisfies` and the checks below keep each list equal to its interface's keys.
 */
const WEBHOOK = [
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
const ENDPOINT = [...WEBHOOK, "path"] as const satisfies readonly (keyof NetdataEndpointOptions)[];
const APP = [
  ...WEBHOOK,
  "mode",
  "path",
  "db",
] as const satisfies readonly (keyof ReceiverAppOptions)[];
const SERVER = [
  ...APP,
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

/** Compiles only when `List` names every key of `T`. */
type Covers<T, List extends readonly string[]> = [Exclude<keyof T, List[number]>] extends [never]
  ? true
  : false;
const covered: [
  Covers<NetdataWebhookOptions, typeof WEBHOOK>,
  Covers<NetdataEndpointOptions, typeof ENDPOINT>,
  Covers<ReceiverAppOptions, typeof APP>,
  Covers<ReceiverOptions, typeof SERVER>,
] = [true, true, true, true];
void covered;

export const OPTION_NAMES = {
  webhook: WEBHOOK,
  endpoint: ENDPOINT,
  app: APP,
  server: SERVER,
} as const satisfies Record<string, readonly string[]>;

/**
 * Throws the misuse TypeError for the first option name `known` does not hold, with the
 * closest known name when it looks like a typo. Non-objects are left to the callers' checks.
 */
export function refuseUnknownOptions(
  options: unknown,
  known: readonly string[],
  caller: string,
  /** Where `options` sits, for a nested object: `auth` gives `auth.tokn`. */
  within?: string,
): void {
  if (options === undefined && within === undefined) return;
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw new OptionError(
      caller,
      within ?? "options",
      `expected an object, got ${options === null ? "null" : Array.isArray(options) ? "an array" : typeof options}`,
    );
  }
  for (const name of Object.keys(options)) {
    if (known.includes(name)) continue;
    const guess = didYouMean(name, known);
    throw new OptionError(
      caller,
      within === undefined ? name : `${within}.${name}`,
      `unknown option${guess ? `; did you mean ${JSON.stringify(guess)}?` : "."} Known options: ${known.join(", ")}.`,
    );
  }
}

/** The keys an `auth` object may have, whatever its scheme. */
export const AUTH_OPTION_NAMES = ["scheme", "token", "username", "password"] as const;
