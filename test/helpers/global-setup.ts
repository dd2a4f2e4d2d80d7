import { chmodSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PACKED_KIT_ENV, packKitInto } from "./installed-kit.js";
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
  // One packed kit for every test that installs it, when dist/ is built (npm test builds it).
  if (existsSync(new URL("../../dist/cli.js", import.meta.url))) {
    process.env[PACKED_KIT_ENV] = packKitInto(mkdtempSync(join(root, "kit-")));
  }
  return async () => {
    delete process.env[PACKED_KIT_ENV];
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
    delete process.env[POSTGRES_ROOT_ENV];
    await stopAllPostgres(postgresRoot);
    rmSync(root, { recursive: true, force: true });
  };
}
