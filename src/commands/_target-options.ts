import { resolve } from "node:path";
import type { AuthConfig } from "../protocol/auth.js";
import {
  DEFAULT_PROXY_DN_HEADER,
  DEFAULT_PROXY_VERIFY_HEADER,
  VerifyOptionsError,
} from "../simulator/resolve-options.js";
import type { VerifyOptions } from "../simulator/types.js";
import { checkAuthSettings } from "../validate/auth-settings.js";
import { type CommandContext, UsageError } from "./_command.js";
import { enumOption } from "./_enum-option.js";
import { BASIC_PASSWORD_ENV, BEARER_TOKEN_ENV, readSecret, secretOptions } from "./_secrets.js";
import { checkTargetMaterial } from "./_target-material.js";

// The flags that say how to reach a receiver as Netdata does, and the small parsers that
// `verify`, `send` and `demo` share.

/** How to reach a receiver as Netdata does: shared by `verify` and `send`. */
export const TARGET_OPTIONS = {
  auth: {
    type: "string",
    description:
      "Authorization scheme to send: none, basic or bearer (default: inferred from the credentials given)",
  },
  ...secretOptions("bearer-token", BEARER_TOKEN_ENV, "the bearer token"),
  "basic-user": { type: "string", description: "the Basic auth user name" },
  ...secretOptions("basic-password", BASIC_PASSWORD_ENV, "the Basic auth password"),
  pki: {
    type: "string",
    description: "a folder written by 'certs': its client certificate is presented as Netdata",
  },
  "client-cert": {
    type: "string",
    description: "present this client certificate (PEM, leaf first) instead",
  },
  "client-key": { type: "string", description: "the key of --client-cert" },
  "server-ca": {
    type: "string",
    description:
      "PEM file of the CA that issued the server certificate (default: Node's public roots, plus the test CA of --pki)",
  },
  insecure: {
    type: "boolean",
    description: "do not verify the server certificate (reported as a warning)",
  },
  "allow-http": {
    type: "boolean",
    description:
      "allow an http:// URL (a receiver behind a TLS proxy on loopback); skips TLS checks",
  },
  "timeout-ms": {
    type: "string",
    description: "deadline of each request in milliseconds",
    default: "5000",
  },
  header: {
    type: "string",
    multiple: true,
    description:
      'add "Name: value" to every request (as Netdata\'s extra headers; values of names with auth/token/key/secret are shown as their length)',
  },
} as const;

/**
 * Playing the TLS proxy in front of a plain-HTTP app (`serve --behind-proxy`): shared by
 * `verify` and `send`, turned into VerifyOptions by `proxyFromValues`.
 */
export const PROXY_HEADER_OPTIONS = {
  "proxy-headers": {
    type: "boolean",
    description:
      "the URL is the plain-HTTP app behind a TLS proxy: play each client certificate as the headers the proxy forwards (verdict + subject DN)",
  },
  "proxy-verify-header": {
    type: "string",
    description: "with --proxy-headers: the verification header, as 'serve --proxy-verify-header'",
    default: DEFAULT_PROXY_VERIFY_HEADER,
  },
  "proxy-dn-header": {
    type: "string",
    description: "with --proxy-headers: the subject DN header, as 'serve --proxy-dn-header'",
    default: DEFAULT_PROXY_DN_HEADER,
  },
} as const;

export function proxyFromValues(values: {
  "proxy-headers"?: boolean | undefined;
  "proxy-verify-header"?: string | undefined;
  "proxy-dn-header"?: string | undefined;
}): Pick<VerifyOptions, "proxyHeaders" | "proxyVerifyHeader" | "proxyDnHeader"> {
  if (values["proxy-headers"] !== true) return {};
  return {
    proxyHeaders: true,
    ...(values["proxy-verify-header"] !== undefined
      ? { proxyVerifyHeader: values["proxy-verify-header"] }
      : {}),
    ...(values["proxy-dn-header"] !== undefined
      ? { proxyDnHeader: values["proxy-dn-header"] }
      : {}),
  };
}

type TargetValues = Partial<
  Record<keyof typeof TARGET_OPTIONS, string | string[] | boolean | undefined>
>;
type Io = Pick<CommandContext<Record<string, never>>, "env" | "cwd">;

/**
 * The part of VerifyOptions that the shared target flags decide (paths resolved against cwd),
 * once their TLS files have been checked (`command` names the warnings).
 */
export function targetFromValues(
  values: TargetValues,
  io: Io & Pick<CommandContext<Record<string, never>>, "stderr">,
  command: string,
): Omit<VerifyOptions, "url"> {
  checkTargetMaterial(values, io, command);
  const path = (name: keyof TargetValues) => {
    const value = values[name];
    return typeof value === "string" ? { [camel(name)]: resolve(io.cwd, value) } : {};
  };
  const pkiDir = typeof values.pki === "string" ? { pkiDir: resolve(io.cwd, values.pki) } : {};
  const auth = authFromValues(values, io);
  return {
    // Left out when neither --auth nor credentials were given: not the same as --auth none.
    ...(values.auth !== undefined || auth.scheme !== "none" ? { auth } : {}),
    ...pkiDir,
    ...path("client-cert"),
    ...path("client-key"),
    ...path("server-ca"),
    insecure: values.insecure === true,
    allowHttp: values["allow-http"] === true,
    timeoutMs: wholeNumber("--timeout-ms", values["timeout-ms"], 1, 600_000) ?? 5000,
    headers: parseHeaders(values.header),
  };
}

/** `--header "Name: value"`, repeatable. */
export function parseHeaders(values: unknown): Array<[string, string]> {
  const list = Array.isArray(values) ? (values as string[]) : [];
  return list.map((text) => {
    const match = /^\s*([^:\s]+)\s*:\s?(.*)$/s.exec(text);
    if (!match?.[1]) {
      throw new UsageError(
        `--header: expected "Name: value", got ${JSON.stringify(text)}. Example: --header "X-Api-Key: 1234".`,
      );
    }
    return [match[1], (match[2] ?? "").trim()];
  });
}

function camel(flag: string): string {
  return flag.replace(/-(\w)/g, (_, c: string) => c.toUpperCase());
}

function authFromValues(values: TargetValues, io: Io): AuthConfig {
  const token = readSecret(values, "bearer-token", BEARER_TOKEN_ENV, io);
  const password = readSecret(values, "basic-password", BASIC_PASSWORD_ENV, io);
  const user = typeof values["basic-user"] === "string" ? values["basic-user"] : undefined;
  const verdict = checkAuthSettings(
    {
      scheme: typeof values.auth === "string" ? values.auth : undefined,
      basicUser: user,
      basicPassword: password,
      bearerToken: token,
    },
    { side: "sender" },
  );
  if (!verdict.ok) throw new UsageError(`${verdict.problem}.`);
  return verdict.value;
}

/** An optional whole number flag, range-checked: `--count: out of range: 0. Pass a whole number from 1 to 1000000.` */
export function wholeNumber(
  flag: string,
  value: unknown,
  min: number,
  max: number,
): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  const fix = `Pass a whole number from ${min} to ${max}.`;
  if (typeof value !== "string" || !/^\d+$/.test(value)) {
    throw new UsageError(`${flag}: not a whole number: ${JSON.stringify(value)}. ${fix}`);
  }
  if (n < min || n > max) throw new UsageError(`${flag}: out of range: ${value}. ${fix}`);
  return n;
}

/** Runs `fn`, turning a VerifyOptionsError (bad file, bad option) into a usage error (exit 2). */
export async function asUsageErrors<T>(fn: () => Promise<T> | T): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof VerifyOptionsError) throw new UsageError(error.message);
    throw error;
  }
}

export function oneOf<T extends string>(
  flag: string,
  value: string | undefined,
  allowed: readonly T[],
  fallback: T,
  options: { noun?: string; meaning?: string } = {},
): T {
  if (value === undefined) return fallback;
  return enumOption(flag, value, allowed, options);
}
