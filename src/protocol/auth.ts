import { createHash, timingSafeEqual } from "node:crypto";
import { OptionError } from "../validate/option-error.js";
import { token68Problem } from "../validate/token68.js";
import type { Verdict } from "../validate/verdict.js";

export type AuthConfig =
  | { scheme: "none" }
  | { scheme: "basic"; username: string; password: string }
  | { scheme: "bearer"; token: string };

export type AuthResult = { ok: true } | { ok: false; status: 400 | 401; reason: string };

/** Longest Authorization value we look at; real ones are well under 1 KiB. */
export const AUTHORIZATION_MAX_LENGTH = 4096;

const STRICT_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const TOKEN68 = /^[A-Za-z0-9\-._~+/]+=*$/;

/**
 * Builds the Authorization check for one configuration. `authorizationValues` are all the
 * Authorization header values the request carried (Node keeps only the first in
 * `req.headers`; pass `headerValues(req.rawHeaders, "authorization")`).
 * Credentials are compared as SHA-256 digests with `timingSafeEqual`, so neither the
 * content nor the length of the secret leaks through timing.
 */
export function createAuthVerifier(
  config: AuthConfig,
): (authorizationValues: readonly string[]) => AuthResult {
  const checked = checkAuthConfig(config);
  if (!checked.ok) throw new OptionError("createAuthVerifier", "auth", checked.problem);
  if (config.scheme === "none") return () => ({ ok: true });
  const expected =
    config.scheme === "bearer"
      ? digest(config.token)
      : digest(`${config.username}:${config.password}`);
  const scheme = config.scheme;
  return (values) => {
    const parsed = parseAuthorization(values);
    if (!parsed.ok) return parsed;
    if (parsed.scheme !== scheme) {
      return deny(`expected ${scheme === "basic" ? "Basic" : "Bearer"} credentials`);
    }
    return timingSafeEqual(digest(parsed.credentials), expected)
      ? { ok: true }
      : deny("credentials do not match");
  };
}

type ParsedAuthorization =
  | { ok: true; scheme: "basic" | "bearer"; credentials: string }
  | { ok: false; status: 400 | 401; reason: string };

/**
 * Parses Basic and Bearer (scheme case-insensitive per RFC 9110). Basic credentials come back
 * as `user:password` (a password may contain ':'); base64 must be canonical, since Node's
 * decoder silently skips characters it does not understand.
 */
export function parseAuthorization(values: readonly string[]): ParsedAuthorization {
  if (values.length === 0) return deny("Authorization header is missing");
  if (values.length > 1) return malformed("more than one Authorization header");
  const value = values[0] ?? "";
  if (value.length > AUTHORIZATION_MAX_LENGTH) return malformed("Authorization header is too long");
  const match = /^([A-Za-z]+) +(\S+)$/.exec(value.trim());
  if (!match) return malformed("Authorization header must be '<scheme> <credentials>'");
  const scheme = (match[1] ?? "").toLowerCase();
  const credentials = match[2] ?? "";
  if (scheme === "bearer") {
    if (!TOKEN68.test(credentials)) return malformed("Bearer token has characters outside token68");
    return { ok: true, scheme, credentials };
  }
  if (scheme === "basic") {
    if (!STRICT_BASE64.test(credentials))
      return malformed("Basic credentials are not valid base64");
    const decoded = Buffer.from(credentials, "base64").toString("utf8");
    if (!decoded.includes(":")) return malformed("Basic credentials must be 'user:password'");
    return { ok: true, scheme, credentials: decoded };
  }
  return deny(`unsupported Authorization scheme "${match[1]}"`);
}

/** All values of one header, from Node's `rawHeaders` (name/value pairs). */
export function headerValues(rawHeaders: readonly string[], name: string): string[] {
  const wanted = name.toLowerCase();
  const values: string[] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const header = rawHeaders[i] ?? "";
    // The length first: most names differ in it, and then need no lower-cased copy.
    if (header.length === wanted.length && header.toLowerCase() === wanted) {
      values.push(rawHeaders[i + 1] ?? "");
    }
  }
  return values;
}

/** The WWW-Authenticate challenge for a 401, or undefined when auth is off. */
export function wwwAuthenticateHeader(config: AuthConfig): string | undefined {
  if (config.scheme === "basic") return 'Basic realm="netdata-webhook", charset="UTF-8"';
  if (config.scheme === "bearer") return 'Bearer realm="netdata-webhook"';
  return undefined;
}

/** The Authorization value a sender (Netdata, or our simulator) puts on each request. */
export function authorizationHeaderFor(config: AuthConfig): string | undefined {
  if (config.scheme === "basic") {
    return `Basic ${Buffer.from(`${config.username}:${config.password}`, "utf8").toString("base64")}`;
  }
  if (config.scheme === "bearer") return `Bearer ${config.token}`;
  return undefined;
}

/**
 * Whether an AuthConfig is usable: a bearer token that is non-empty token68, a Basic user
 * without ':' and a non-empty password, or none. The problem names the part, never its value.
 */
export function checkAuthConfig(config: AuthConfig): Verdict<AuthConfig> {
  const fail = (problem: string): Verdict<AuthConfig> => ({ ok: false, problem });
  if (typeof config !== "object" || config === null) return fail("expected { scheme: ... }");
  if (config.scheme === "bearer") {
    if (typeof config.token !== "string") return fail("bearer token must be a string");
    const problem = token68Problem(config.token);
    if (problem)
      return fail(`bearer token (${config.token.length} chars) is not a token68: ${problem}`);
  } else if (config.scheme === "basic") {
    if (typeof config.username !== "string" || !config.username) return fail("basic user is empty");
    if (config.username.includes(":")) return fail("basic user must not contain ':'");
    if (typeof config.password !== "string" || !config.password)
      return fail("basic password is empty");
  } else if (config.scheme !== "none") {
    return fail(
      `unknown scheme ${JSON.stringify((config as { scheme: unknown }).scheme)}; use none, basic or bearer`,
    );
  }
  return { ok: true, value: config };
}

function digest(text: string): Buffer {
  return createHash("sha256").update(text, "utf8").digest();
}

function deny(reason: string): { ok: false; status: 401; reason: string } {
  return { ok: false, status: 401, reason };
}

function malformed(reason: string): { ok: false; status: 400; reason: string } {
  return { ok: false, status: 400, reason };
}
