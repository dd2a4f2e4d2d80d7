import { type AuthConfig, validateAuthConfig } from "../protocol/auth.js";
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
 * The one reading of auth settings, for `serve` (the scheme Netdata was configured with;
 * default none, and credentials without a scheme are a mistake) and for `verify`/`send`
 * (`inferScheme`: the scheme follows from the credentials given). The result passes the
 * same `validateAuthConfig` the receiver and the simulator apply to a library caller's
 * `auth` option.
 */
export function checkAuthSettings(
  settings: AuthSettings,
  options: { inferScheme: boolean },
): Verdict<AuthConfig> {
  const { basicUser: user, basicPassword: password, bearerToken: token } = settings;
  const inferred = token !== undefined ? "bearer" : user !== undefined ? "basic" : "none";
  let scheme: string = options.inferScheme ? inferred : "none";
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
    if (!user || !password) {
      return {
        ok: false,
        problem: `--auth basic needs --basic-user and a password: ${PASSWORD_SOURCES}`,
      };
    }
    config = { scheme, username: user, password };
  } else if (scheme === "none") {
    if (!options.inferScheme && (token || password || user)) {
      return {
        ok: false,
        problem: "credentials were given but --auth is none. Add --auth bearer or --auth basic",
      };
    }
    config = { scheme };
  } else {
    return {
      ok: false,
      problem: `--auth: expected none, basic or bearer, got ${JSON.stringify(scheme)}`,
    };
  }
  try {
    validateAuthConfig(config);
  } catch (error) {
    return {
      ok: false,
      problem: (error as Error).message.replace(/^\[netdata-webhook-kit\] /, ""),
    };
  }
  return { ok: true, value: config };
}
