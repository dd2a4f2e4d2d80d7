import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateDevPki } from "../../src/pki/generate-dev-pki.js";
import type { PkiName } from "../../src/pki/pki-names.js";

/** Generates a fresh development PKI in a new temporary directory and returns the directory. */
export async function makeTestPki(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "ndwk-pki-"));
  await generateDevPki({ outDir: dir });
  return dir;
}

/** The path of one PKI file: `pkiFile(dir, "client", "key")` is DIR/client.key. */
export function pkiFile(dir: string, name: PkiName, kind: "pem" | "key"): string {
  return join(dir, `${name}.${kind}`);
}
