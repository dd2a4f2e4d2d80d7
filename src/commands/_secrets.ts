import { resolve } from "node:path";
import { TOKEN68_CHARACTERS, token68Problem } from "../validate/token68.js";
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
  const secret = readSecretFrom(values, name, envVar, io);
  if (secret && name === "bearer-token") checkBearerToken(secret, name, envVar);
  return secret?.value;
}

/** Where a secret came from: the flag, the file flag (with its path) or the environment. */
type SecretSource =
  | { value: string; from: "flag" }
  | { value: string; from: "file"; path: string }
  | { value: string; from: "env" };

/**
 * A bearer token must be a token68 to fit in an Authorization header: anything else is
 * refused here, naming where it came from and the first character that does not belong.
 */
function checkBearerToken(secret: SecretSource, name: string, envVar: string): void {
  const problem = token68Problem(secret.value);
  if (problem === undefined) return;
  const what = `the bearer token (${secret.value.length} characters) is not a token68: ${problem}`;
  const allowed = `A token may hold only ${TOKEN68_CHARACTERS}`;
  if (secret.from === "file") {
    const newline = /newline|carriage return|whitespace/.test(problem)
      ? "; only one trailing newline is removed"
      : "";
    throw new UsageError(
      `--${name}-file: ${what}${newline}: ${secret.path}. ${allowed} (for example: openssl rand -hex 32 > ${secret.path}).`,
      { option: `--${name}-file` },
    );
  }
  const where = secret.from === "flag" ? `--${name}` : envVar;
  throw new UsageError(`${where}: ${what}. ${allowed} (for example: openssl rand -hex 32).`, {
    option: `--${name}`,
  });
}

function readSecretFrom(
  values: Record<string, unknown>,
  name: string,
  envVar: string,
  io: { env: NodeJS.ProcessEnv; cwd: string },
): SecretSource | undefined {
  const direct = values[name];
  const file = values[`${name}-file`];
  if (typeof direct === "string" && typeof file === "string") {
    throw new UsageError(`--${name} and --${name}-file were both given. Pass only one of them.`, {
      option: `--${name}`,
    });
  }
  if (typeof direct === "string") {
    const value = nonEmpty(
      direct,
      `--${name}: the value is empty: "". Give a non-empty secret, preferably with --${name}-file FILE.`,
      `--${name}`,
    );
    return { value, from: "flag" };
  }
  if (typeof file === "string") {
    const text = readFlagFile(
      `--${name}-file`,
      file,
      `Create it (for example: openssl rand -hex 32 > ${file}) or give the right path.`,
      resolve(io.cwd, file),
    );
    // A trailing newline from `echo secret > file` is not part of the secret.
    const value = nonEmpty(
      text.replace(/\r?\n$/, ""),
      `--${name}-file: the file is empty: ${file}. Write the secret into it (for example: openssl rand -hex 32 > ${file}).`,
      `--${name}-file`,
    );
    return { value, from: "file", path: file };
  }
  const fromEnv = io.env[envVar];
  if (fromEnv !== undefined) {
    const value = nonEmpty(
      fromEnv,
      `${envVar}: the environment variable is empty. Set it to the secret, or unset it.`,
      `--${name}`,
    );
    return { value, from: "env" };
  }
  return undefined;
}

function nonEmpty(value: string, problem: string, option: string): string {
  if (value.length === 0) throw new UsageError(problem, { option });
  return value;
}

type SecretOptionSpec = {
  type: "string";
  description: string;
  secret?: { env: string; what: string };
};

/** The option specs for one secret: `--NAME` (which names its variable) and `--NAME-file`. */
export function secretOptions<N extends string>(
  name: N,
  envVar: string,
  what: string,
): Record<N | `${N}-file`, SecretOptionSpec> {
  return {
    [name]: {
      type: "string",
      description: `${what} (or env ${envVar}; prefer the -file form)`,
      secret: { env: envVar, what },
    },
    [`${name}-file`]: { type: "string", description: `read ${what} from this file` },
  } as Record<N | `${N}-file`, SecretOptionSpec>;
}
