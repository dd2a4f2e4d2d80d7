import { type AuthConfig, checkAuthConfig } from "../protocol/auth.js";
import { checkEnumValue } from "./enum-value.js";
import type { Verdict } from "./verdict.js";

const AUTH_SCHEMES = ["none", "basic", "bearer"] as const;

/** The auth settings as a command line or an environment gives them, secrets already read. */
export interface AuthSettings {
  scheme?: string | undefined;
  basicUser?: string | undefined;
  basicPassword?: string | undefined;
  bearerToken?: string | undefined;
}

const TOKEN_SOURCES = "--bearer-token-file FILE, --bearer-token T or NETDATA_BEARER_TOKEN";
const PASSWORD_SOURCES = "--basic-password-file FILE, --basic-password P or NETDATA_BASIC_PASSWORD";

/**
 * The one reading of auth settings, for `serve` (`side: "receiver"`, the scheme Netdata was
 * configured with) and for `verify`/`send` (`side: "sender"`). Without `--auth`, both take
 * the scheme from the credentials given: a bearer token -> bearer, a Basic user (or, on the
 * receiver, a Basic password) -> basic, none -> none; a token and a Basic user together are
 * refused, naming both. An explicit `--auth none` with credentials is a mistake on the
 * receiver (it would accept anything) and sends nothing on the sender. The result passes the
 * same `checkAuthConfig` the receiver and the simulator apply to a library caller's
 * `auth` option.
 */
export function checkAuthSettings(
  settings: AuthSettings,
  options: { side: "receiver" | "sender" },
): Verdict<AuthConfig> {
  const { basicUser: user, basicPassword: password, bearerToken: token } = settings;
  const receiver = options.side === "receiver";
  const basicGiven = user !== undefined || (receiver && password !== undefined);
  if (settings.scheme === undefined && token !== undefined && basicGiven) {
    return {
      ok: false,
      problem: `credentials of two schemes were given: a bearer token and ${user !== undefined ? "--basic-user" : "a Basic password"}. Pass --auth bearer or --auth basic to choose, or leave out one of them`,
    };
  }
  let scheme: string = token !== undefined ? "bearer" : basicGiven ? "basic" : "none";
  if (settings.scheme !== undefined) {
    const named = checkEnumValue(settings.scheme, AUTH_SCHEMES, { noun: "scheme" });
    if (!named.ok) return { ok: false, problem: `--auth: ${named.problem.replace(/\.$/, "")}` };
    scheme = named.value;
  }
  let config: AuthConfig;
  if (scheme === "bearer") {
    if (!token) return { ok: false, problem: `--auth bearer needs a token: ${TOKEN_SOURCES}` };
    config = { scheme, token };
  } else if (scheme === "basic") {
    if (!user || !password) return { ok: false, problem: basicIncomplete(settings) };
    config = { scheme, username: user, password };
  } else if (scheme === "none") {
    if (settings.scheme !== undefined && (token || password || user)) {
      const effect = receiver
        ? "none means the receiver accepts requests without them"
        : "none sends no Authorization header";
      return {
        ok: false,
        problem: `--auth none: credentials were given too (${givenCredentials(settings)}), and ${effect}. Leave out --auth (the credentials choose the scheme), or pass --auth bearer or --auth basic`,
      };
    }
    config = { scheme };
  } else {
    return {
      ok: false,
      problem: `--auth: expected none, basic or bearer, got ${JSON.stringify(scheme)}`,
    };
  }
  const checked = checkAuthConfig(config);
  return checked.ok ? checked : { ok: false, problem: `auth: ${checked.problem}` };
}

/** What is missing for Basic auth, said with what was given (and without --auth, not naming it). */
function basicIncomplete(settings: AuthSettings): string {
  const { basicUser: user, basicPassword: password, bearerToken: token } = settings;
  const missing = [...(user ? [] : ["--basic-user"]), ...(password ? [] : ["password"])];
  const give = `Give ${[...(user ? [] : ["--basic-user"]), ...(password ? [] : [`a password (${PASSWORD_SOURCES})`])].join(" and ")}`;
  if (settings.scheme === undefined) {
    const [given, leaveOut] = user
      ? ["--basic-user", "--basic-user"]
      : ["a Basic password", "the password"];
    return `Basic credentials are incomplete: ${given} was given, but no ${missing.join(" and no ")}. ${give}, or leave out ${leaveOut}`;
  }
  const tokenNote = token
    ? "; a bearer token was given, which --auth basic does not use (pass --auth bearer to use it)"
    : "";
  return `--auth basic needs --basic-user and a password: no ${missing.join(" and no ")} given${tokenNote}. ${give}`;
}

/** The kinds of credentials given, never their values. */
function givenCredentials(settings: AuthSettings): string {
  const given = [
    ...(settings.bearerToken ? ["a bearer token"] : []),
    ...(settings.basicUser ? ["--basic-user"] : []),
    ...(settings.basicPassword ? ["a Basic password"] : []),
  ];
  return given.join(", ");
}
