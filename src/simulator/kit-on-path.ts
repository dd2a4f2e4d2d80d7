import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { PACKAGE_ROOT } from "../package-facts.js";

/** The names the package's bin entries give the CLI. */
const BIN_NAMES = ["netdata-webhook-kit", "ndwk"];

/**
 * Runs `fn` with an environment whose PATH starts with a private folder in which
 * `netdata-webhook-kit` and `ndwk` run this very kit (the Node running it, the built CLI).
 * An `--observe-command` written as the docs write it then works however verify was
 * started: through npx, from node_modules/.bin, or with `node dist/cli.js` in a checkout.
 * Without a built CLI (running from source) the environment is left as it is.
 */
export async function withKitOnPath<T>(fn: (env: NodeJS.ProcessEnv) => Promise<T>): Promise<T> {
  const cli = join(PACKAGE_ROOT, "dist", "cli.js");
  if (!existsSync(cli)) return fn(process.env);
  const dir = await mkdtemp(join(tmpdir(), "ndwk-bin-"));
  try {
    const script = `#!/bin/sh\nexec ${shellWord(process.execPath)} ${shellWord(cli)} "$@"\n`;
    for (const name of BIN_NAMES) await writeFile(join(dir, name), script, { mode: 0o755 });
    return await fn({ ...process.env, PATH: `${dir}${delimiter}${process.env.PATH ?? ""}` });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function shellWord(text: string): string {
  return `'${text.replaceAll("'", "'\\''")}'`;
}
