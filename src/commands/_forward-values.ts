import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { UsageError } from "./_command.js";
import { fileProblem } from "./_file-problem.js";
import { checkCaFile } from "./_tls-material.js";

// The values of serve's --forward-* flags: headers (with secrets from files or the
// environment), durations and counts. Errors name the flag and never echo a secret.

const UNIT_MS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};
/** Header names whose values are secrets even when written on the command line. */
export const SECRET_HEADER = /authorization|cookie|token|key|secret|password|signature/i;

/** "Name: value", where {env:VAR} and {file:PATH} in the value are replaced. */
export function parseHeader(
  text: string,
  io: { env: NodeJS.ProcessEnv; cwd: string },
  secrets: string[],
): [string, string] {
  const colon = text.indexOf(":");
  const name = colon > 0 ? text.slice(0, colon).trim() : "";
  if (!/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(name)) {
    throw new UsageError(
      `--forward-header: expected "Name: value", got a value without a valid header name before ":". Example: --forward-header "Authorization: Bearer {file:/run/secrets/token}".`,
      { option: "--forward-header" },
    );
  }
  let fromSecretSource = false;
  const value = text
    .slice(colon + 1)
    .trim()
    .replace(/\{(env|file):([^}]+)\}/g, (_, source: string, ref: string) => {
      fromSecretSource = true;
      return source === "env" ? fromEnv(name, ref, io.env) : fromFile(name, ref, io.cwd);
    });
  if (/[\r\n\0]/.test(value))
    throw new UsageError(
      `--forward-header ${name}: the value holds a line break or NUL. Remove it.`,
      { option: "--forward-header" },
    );
  if (fromSecretSource || SECRET_HEADER.test(name)) secrets.push(value);
  return [name, value];
}

function fromEnv(header: string, variable: string, env: NodeJS.ProcessEnv): string {
  const value = env[variable];
  if (value === undefined || value === "") {
    throw new UsageError(
      `--forward-header ${header}: environment variable ${variable} is not set or empty. Set it, or use {file:PATH}.`,
      { option: "--forward-header" },
    );
  }
  return value;
}

function fromFile(header: string, path: string, cwd: string): string {
  try {
    return readFileSync(resolve(cwd, path), "utf8").replace(/\r?\n$/, "");
  } catch (error) {
    throw fileProblem(`--forward-header ${header}`, path, error);
  }
}

/**
 * The PEM certificates of --forward-ca FILE, refused when it holds none. No warning for
 * certificates that are not CAs: the usual file here is a sink's own self-signed certificate.
 */
export function readCaFile(path: string, cwd: string): string {
  const absolute = resolve(cwd, path);
  checkCaFile({
    flag: "--forward-ca",
    path: absolute,
    fix: "Give the PEM certificate of the CA (or the self-signed certificate) of the sink's server.",
  });
  return readFileSync(absolute, "utf8");
}

/** A duration with its unit: 500ms, 10s, 5m, 2h, 1d. */
export function duration(flag: string, value: string): number {
  const match = /^(\d+)(ms|s|m|h|d)$/i.exec(value);
  const ms = match ? Number(match[1]) * (UNIT_MS[(match[2] ?? "ms").toLowerCase()] ?? 0) : 0;
  if (!match || ms < 1 || !Number.isSafeInteger(ms)) {
    throw new UsageError(
      `${flag}: expected a duration such as 500ms, 10s, 5m, 24h, got ${JSON.stringify(value)}.`,
      { option: flag },
    );
  }
  return ms;
}

export function wholeNumber(flag: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max) {
    throw new UsageError(
      `${flag}: expected ${min}-${max}, got ${JSON.stringify(value)}. Pass a whole number.`,
      { option: flag },
    );
  }
  return n;
}
