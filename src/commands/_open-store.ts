import { resolve } from "node:path";
import type { Logger } from "../receiver/log.js";
import { openStore } from "../receiver/store.js";
import type { NotificationStore } from "../receiver/store-types.js";
import {
  checkDatabaseUrl,
  isPostgresUrl,
  redactDatabaseUrl,
} from "../store/postgres/database-url.js";
import { OptionError } from "../validate/option-error.js";
import { CommandError, UsageError } from "./_command.js";
import { refuseFolder, refuseMissingFolder } from "./_file-problem.js";
import { checkServeDbFile } from "./_inbox-file.js";

/**
 * What a `--db` value names, decided in one place for every command: a `postgres://` or
 * `postgresql://` URL is a PostgreSQL database; anything else is a SQLite file, relative to
 * `cwd`. The returned value is what `openStoreFor` takes (a URL as given, a path absolute).
 */
export function dbValue(value: string, cwd: string): string {
  return isPostgresUrl(value) ? value : resolve(cwd, value);
}

/** Whether a `dbValue` is a PostgreSQL URL. */
export { isPostgresUrl };

/** `--db` as a user may see it: a path, or the URL without its password. */
export function shownDb(db: string): string {
  return isPostgresUrl(db) ? redactDatabaseUrl(db) : db;
}

/**
 * Checks `--db` for `serve` before anything is opened: a URL that node-postgres can use, or a
 * SQLite file that is (or will become) an inbox in a folder that exists.
 */
export function checkServeDb(flag: string, db: string): void {
  if (isPostgresUrl(db)) {
    const verdict = checkDatabaseUrl(db);
    if (!verdict.ok) throw new UsageError(`${flag}: ${verdict.problem}. ${verdict.fix}`);
    return;
  }
  refuseFolder(flag, db, "Give the SQLite file of the inbox (created if missing).");
  refuseMissingFolder(flag, db);
  checkServeDbFile(flag, db);
}

export interface OpenStoreForOptions {
  /** For readers (`inbox`): no writes, and the schema must already be current. */
  readonly?: boolean;
  /** PostgreSQL: where the start and end of a database outage are said. */
  logger?: Logger;
}

/**
 * Opens the store a `--db` value (from `dbValue`) names. PostgreSQL's client is loaded only
 * for a URL. A store that cannot be opened is a CommandError naming it (never the password).
 */
export async function openStoreFor(
  db: string,
  options: OpenStoreForOptions = {},
): Promise<NotificationStore> {
  try {
    if (!isPostgresUrl(db)) return openStore(db, { readonly: options.readonly === true });
    const { openPostgresStore } = await import("../store/postgres/postgres-store.js");
    return await openPostgresStore(db, {
      readonly: options.readonly === true,
      ...(options.logger ? { logger: options.logger } : {}),
    });
  } catch (error) {
    if (error instanceof OptionError) throw new UsageError(`--db: ${error.problem}`);
    throw new CommandError((error as Error).message);
  }
}

/**
 * The store `serve` runs with (a `dbValue`), opened once the receiver's options are checked,
 * so a bad one creates no database file and opens no connection. A password written in a
 * PostgreSQL URL is said once, as a warning.
 */
export async function openServeStore(db: string, logger: Logger): Promise<NotificationStore> {
  if (isPostgresUrl(db) && hasPassword(db)) {
    logger.warn(
      "the --db URL holds a password, which other local users can read on the command line (ps); leave it out of the URL and set PGPASSWORD in the receiver's environment instead",
      { db: redactDatabaseUrl(db) },
    );
  }
  return openStoreFor(db, { logger });
}

function hasPassword(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.password !== "" || parsed.searchParams.has("password");
  } catch {
    return false;
  }
}
