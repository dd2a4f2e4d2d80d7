import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * Every temporary file of the run (PKIs, databases, scaffolded projects, nginx and Apache
 * prefixes) goes below one folder, removed when the run ends: the test workers inherit
 * TMPDIR, and os.tmpdir() reads it.
 */
export default function setup(): () => void {
  const root = mkdtempSync(join(tmpdir(), "ndwk-test-"));
  const previous = process.env.TMPDIR;
  process.env.TMPDIR = root;
  return () => {
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
    rmSync(root, { recursive: true, force: true });
  };
}
