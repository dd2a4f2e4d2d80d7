import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { POSTGRES_ROOT_ENV, stopAllPostgres } from "./postgres.js";

/**
 * Every temporary file of the run (PKIs, databases, scaffolded projects, nginx and Apache
 * prefixes) goes below one folder, removed when the run ends: the test workers inherit
 * TMPDIR, and os.tmpdir() reads it.
 *
 * PostgreSQL servers (test/helpers/postgres.ts) get a folder of their own beside it: when the
 * run is root's, they run as an unprivileged user, who cannot enter the private folder. The
 * teardown stops any server still running there.
 */
export default function setup(): () => Promise<void> {
  const root = mkdtempSync(join(tmpdir(), "ndwk-test-"));
  const postgresRoot = mkdtempSync(join(tmpdir(), "ndwk-test-pg-"));
  // Others may pass through (the server user), not list it.
  chmodSync(postgresRoot, 0o711);
  const previous = process.env.TMPDIR;
  process.env.TMPDIR = root;
  process.env[POSTGRES_ROOT_ENV] = postgresRoot;
  return async () => {
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
    delete process.env[POSTGRES_ROOT_ENV];
    await stopAllPostgres(postgresRoot);
    rmSync(root, { recursive: true, force: true });
  };
}
