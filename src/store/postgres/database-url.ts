// What a `--db` value is, and how a database URL is shown: no `pg` here, so deciding that a
// value is a file path never loads the PostgreSQL client.

/** The URL schemes that select PostgreSQL, as libpq and node-postgres spell them. */
const POSTGRES_SCHEMES = ["postgres:", "postgresql:"];

/** The `sslmode` values node-postgres understands (see docs/high-availability.md). */
export const PG_SSL_MODES = [
  "disable",
  "prefer",
  "require",
  "verify-ca",
  "verify-full",
  "no-verify",
] as const;

/** Query parameters that carry a secret: dropped wherever a URL is shown. */
const SECRET_PARAMETERS = ["password", "sslpassword"];

/** Whether a `--db` value names a PostgreSQL database (`postgres://…`, `postgresql://…`). */
export function isPostgresUrl(value: string): boolean {
  return POSTGRES_SCHEMES.some((scheme) => value.toLowerCase().startsWith(`${scheme}//`));
}

/**
 * The URL without its password (user info and `password=` parameters), for logs, errors and
 * `describe().location`. A value that does not parse is shown as its scheme only.
 */
export function redactDatabaseUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `${value.split("//")[0] ?? "postgres:"}//(unparsable URL)`;
  }
  if (url.password !== "") url.password = "";
  for (const name of SECRET_PARAMETERS) url.searchParams.delete(name);
  return url.toString();
}

export type DatabaseUrlVerdict = { ok: true } | { ok: false; problem: string; fix: string };

/**
 * Checks what can be checked before connecting: the URL parses, names a host, and its
 * `sslmode` is one node-postgres knows. The message never holds the password.
 */
export function checkDatabaseUrl(value: string): DatabaseUrlVerdict {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return {
      ok: false,
      problem: `not a valid URL: ${redactDatabaseUrl(value)}`,
      fix: "Write postgres://USER:PASSWORD@HOST:PORT/DATABASE (percent-encode special characters in the password).",
    };
  }
  if (url.hostname === "") {
    return {
      ok: false,
      problem: `no host in ${redactDatabaseUrl(value)}`,
      fix: "Write postgres://USER:PASSWORD@HOST:PORT/DATABASE.",
    };
  }
  const sslmode = url.searchParams.get("sslmode");
  if (sslmode !== null && !(PG_SSL_MODES as readonly string[]).includes(sslmode)) {
    return {
      ok: false,
      problem: `sslmode=${JSON.stringify(sslmode)} is not one node-postgres knows`,
      fix: `Use one of ${PG_SSL_MODES.join(", ")} (verify-full with sslrootcert=/path/ca.pem for a private CA).`,
    };
  }
  return { ok: true };
}
