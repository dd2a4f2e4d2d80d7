import { closeSync, existsSync, openSync, readSync } from "node:fs";
import Database from "better-sqlite3";
import { CommandError, PROGRAM, UsageError } from "./_command.js";
import { refuseMissingFolder } from "./_file-problem.js";

/** The first 16 bytes of every SQLite 3 database file. */
const SQLITE_HEADER = "SQLite format 3\0";

/** Where a missing inbox comes from: said the same way by every command that reads one. */
export function whoCreatesTheInbox(path: string): string {
  return `The receiver creates it when it starts (${PROGRAM} serve --db ${path}, or the DB_PATH of a project made by 'init').`;
}

/** What a `--db` path holds, as far as an inbox is concerned. */
type DbFile =
  | { kind: "missing" | "empty file" | "empty database" | "inbox" }
  | { kind: "not an inbox"; why: string }
  | { kind: "another program's"; tables: string };

/** Reads the header and, for SQLite, the table names: what `path` holds. */
function inspectDbFile(flag: string, path: string): DbFile {
  if (!existsSync(path)) return { kind: "missing" };
  const header = readHeader(flag, path);
  if (header.length === 0) return { kind: "empty file" };
  if (header.toString("latin1") !== SQLITE_HEADER) {
    return { kind: "not an inbox", why: "not a SQLite database" };
  }
  let tables: string[];
  try {
    tables = tableNames(path);
  } catch {
    return { kind: "not an inbox", why: "a damaged SQLite database" };
  }
  if (tables.length === 0) return { kind: "empty database" };
  const other = anotherProgramsTables(tables);
  return other ? { kind: "another program's", tables: other } : { kind: "inbox" };
}

/**
 * The file `serve --db` will open: missing or empty (it becomes the inbox), or a database the
 * kit wrote. A file of another kind, or another program's SQLite database, is refused rather
 * than turned into an inbox.
 */
export function checkServeDbFile(flag: string, path: string): void {
  const found = inspectDbFile(flag, path);
  const refuse = (why: string) =>
    new UsageError(
      `${flag}: ${why}: ${path}. Give the inbox an earlier 'serve --db' wrote, or a new path (the receiver creates it).`,
    );
  if (found.kind === "not an inbox") throw refuse(found.why);
  if (found.kind === "another program's") {
    throw refuse(`another program's SQLite database (${found.tables})`);
  }
}

/** The tables every inbox the kit wrote has, from its first schema version on. */
const KIT_TABLES = ["notifications", "schema_version"] as const;

/**
 * A database with tables but not the kit's (both `notifications` and `schema_version`) is
 * another program's: a short description of its tables, or undefined for an empty database or
 * one the kit wrote.
 */
function anotherProgramsTables(tables: readonly string[]): string | undefined {
  if (tables.length === 0 || KIT_TABLES.every((t) => tables.includes(t))) return undefined;
  const shown = `tables: ${tables.slice(0, 5).join(", ")}${tables.length > 5 ? ", …" : ""}`;
  const kitTables = KIT_TABLES.filter((t) => tables.includes(t));
  const missing = KIT_TABLES.filter((t) => !tables.includes(t));
  return kitTables.length > 0 ? `${shown}; no ${missing.join(" or ")} table` : shown;
}

function tableNames(path: string): string[] {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
      .pluck()
      .all() as string[];
  } finally {
    db.close();
  }
}

/** The first bytes of `path` (fewer for a shorter file), errors said in the CLI's words. */
function readHeader(flag: string, path: string): Buffer {
  const header = Buffer.alloc(SQLITE_HEADER.length);
  try {
    const fd = openSync(path, "r");
    try {
      return header.subarray(0, readSync(fd, header, 0, header.length, 0));
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "unknown error";
    throw new UsageError(
      code === "EACCES" || code === "EPERM"
        ? `${flag}: permission denied: ${path}. Let this user read it (chmod/chown), or run as its owner.`
        : `${flag}: cannot read the file (${code}): ${path}. Check that it is a readable file.`,
    );
  }
}

/**
 * An inbox the `inbox` command reads or retries must exist and be one the kit wrote: a SQLite
 * database with a notifications table. Anything else (an empty file, a PEM file, another
 * program's database) is refused, never migrated: `retry` opens the file for writing, and
 * migrating would turn any file into an inbox.
 */
export function checkInboxFile(flag: string, path: string): void {
  refuseMissingFolder(flag, path);
  const found = inspectDbFile(flag, path);
  if (found.kind === "missing") {
    throw new CommandError(`no database at ${path}. ${whoCreatesTheInbox(path)}`);
  }
  if (found.kind === "inbox") return;
  const why =
    found.kind === "not an inbox"
      ? found.why
      : found.kind === "another program's"
        ? `another program's SQLite database, ${found.tables}`
        : found.kind === "empty file"
          ? "an empty file"
          : "an empty SQLite database";
  throw new UsageError(
    `${flag}: not an inbox written by ${PROGRAM} (${why}): ${path}. Give the file 'serve --db' writes (or the DB_PATH of a project made by 'init').`,
  );
}
