import { resolve } from "node:path";
import { UsageError } from "./_command.js";
import { readFlagFile } from "./_file-problem.js";

// One environment configures both sides: the receiver (`serve`) and the sender (`verify`,
// `send`, `crc`) read the same variables.
export const CHALLENGE_SECRET_ENV = "NETDATA_CHALLENGE_SECRET";
export const BEARER_TOKEN_ENV = "NETDATA_BEARER_TOKEN";
export const BASIC_PASSWORD_ENV = "NETDATA_BASIC_PASSWORD";
/** The admin console's token (`serve --admin-port`); read by the receiver only. */
export const ADMIN_TOKEN_ENV = "NETDATA_WEBHOOK_ADMIN_TOKEN";

/**
 * Reads a secret from `--NAME`, `--NAME-file` or the environment variable, in that order.
 * Giving both the flag and the file is a mistake worth reporting. The value is never echoed:
 * errors name the flag and at most the length.
 */
export function readSecret(
  values: Record<string, unknown>,
  name: string,
  envVar: string,
  io: { env: NodeJS.ProcessEnv; cwd: string },
): string | undefined {
  const direct = values[name];
  const file = values[`${name}-file`];
  if (typeof direct === "string" && typeof file === "string") {
    throw new UsageError(`--${name} and --${name}-file were both given. Pass only one of them.`);
  }
  if (typeof direct === "string") {
    return nonEmpty(
      direct,
      `--${name}: the value is empty: "". Give a non-empty secret, preferably with --${name}-file FILE.`,
    );
  }
  if (typeof file === "string") {
    const text = readFlagFile(
      `--${name}-file`,
      file,
      `Create it (for example: openssl rand -hex 32 > ${file}) or give the right path.`,
      resolve(io.cwd, file),
    );
    // A trailing newline from `echo secret > file` is not part of the secret.
    return nonEmpty(
      text.replace(/\r?\n$/, ""),
      `--${name}-file: the file is empty: ${file}. Write the secret into it (for example: openssl rand -hex 32 > ${file}).`,
    );
  }
  const fromEnv = io.env[envVar];
  if (fromEnv !== undefined) {
    return nonEmpty(
      fromEnv,
      `${envVar}: the environment variable is empty. Set it to the secret, or unset it.`,
    );
  }
  return undefined;
}

function nonEmpty(value: string, problem: string): string {
  if (value.length === 0) throw new UsageError(problem);
  return value;
}

/** The option specs for one secret: `--NAME` and `--NAME-file`. */
export function secretOptions<N extends string>(
  name: N,
  envVar: string,
  what: string,
): Record<N | `${N}-file`, { type: "string"; description: string }> {
  return {
    [name]: { type: "string", description: `${what} (or env ${envVar}; prefer the -file form)` },
    [`${name}-file`]: { type: "string", description: `read ${what} from this file` },
  } as Record<N | `${N}-file`, { type: "string"; description: string }>;
}
