import { isLoopbackHost as isLoopbackAddress } from "../receiver/trusted-proxy.js";
import { OptionError } from "../validate/option-error.js";
import { token68Problem } from "../validate/token68.js";

/** The console shows test tokens and client details: loopback unless told otherwise. */
export const ADMIN_DEFAULT_HOST = "127.0.0.1";
/** Shortest admin token accepted: it guards test tokens and client details on the network. */
export const ADMIN_TOKEN_MIN_LENGTH = 16;
/** The user name of the console's Basic credential (the password is the admin token). */
export const ADMIN_BASIC_USER = "admin";

export interface AdminListenOptions {
  /** Default 127.0.0.1. Any other than a loopback address needs `token`. */
  host?: string;
  /** 0 picks a free port. */
  port: number;
  /**
   * Required beyond loopback: requests must carry `Authorization: Bearer TOKEN` (Prometheus,
   * Netdata's collector) or Basic `admin:TOKEN` (a browser). /healthz and /readyz stay open.
   */
  token?: string;
}

export interface ResolvedAdminListen {
  host: string;
  port: number;
  token: string | undefined;
  loopback: boolean;
}

const CALLER = "startAdminServer";

/**
 * Validates where the console listens. Binding beyond loopback without a token is refused:
 * the page shows the test token anyone could paste into their own Netdata space.
 */
export function resolveAdminListen(options: AdminListenOptions): ResolvedAdminListen {
  const { port, token } = options;
  const host = options.host ?? ADMIN_DEFAULT_HOST;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new OptionError(
      CALLER,
      "port",
      `expected 0-65535, got ${JSON.stringify(port)}. Pass a number.`,
    );
  }
  if (typeof host !== "string" || host === "") {
    throw new OptionError(
      CALLER,
      "host",
      `expected an address such as "127.0.0.1", got ${JSON.stringify(host)}`,
    );
  }
  if (token !== undefined) {
    const problem = typeof token === "string" ? token68Problem(token) : "it is not a string";
    if (problem) {
      throw new OptionError(CALLER, "token", `the admin token is not a token68: ${problem}`);
    }
    if (token.length < ADMIN_TOKEN_MIN_LENGTH) {
      throw new OptionError(
        CALLER,
        "token",
        `the admin token is ${token.length} characters; use at least ${ADMIN_TOKEN_MIN_LENGTH} (for example the output of: openssl rand -hex 16)`,
      );
    }
  }
  const loopback = isLoopbackHost(host);
  if (!loopback && token === undefined) {
    throw new OptionError(
      CALLER,
      "host",
      `${JSON.stringify(host)} is not a loopback address, and the console shows test tokens and client certificates: give an admin token, or bind ${ADMIN_DEFAULT_HOST}`,
    );
  }
  return { host, port, token, loopback };
}

/** True for localhost, 127.0.0.0/8, ::1 and 127.x written as IPv4-mapped IPv6. */
export function isLoopbackHost(host: string): boolean {
  // Host headers arrive in any case; the address rule is the receiver's one.
  return isLoopbackAddress(host.toLowerCase());
}
