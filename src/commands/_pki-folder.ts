import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import type { DevPki } from "../pki/generate-dev-pki.js";
import { pkiPaths } from "../pki/pki-names.js";
import { PROGRAM, UsageError } from "./_command.js";

/** Whether `dir` holds a PKI written by `certs`: its test CA certificate is there. */
function holdsPki(dir: string): boolean {
  return existsSync(pkiPaths(dir).ca.cert);
}

/**
 * `--pki certs` when the PKI is in `certs/dev`: refused, naming the folder below that holds it,
 * before the folder is read as a PKI (or, for `serve --dev`, filled with a new one).
 * `given` is the value as typed, so the suggestion reads the same way.
 */
export function refuseParentOfPki(flag: string, dir: string, given: string): void {
  if (!existsSync(dir) || holdsPki(dir)) return;
  let below: string[];
  try {
    below = readdirSync(dir, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && holdsPki(join(dir, entry.name)))
      .map((entry) => entry.name)
      .sort();
  } catch {
    return;
  }
  if (below.length === 0) return;
  const holds = below.length === 1 ? "a folder in it holds one" : "folders in it hold one each";
  const choices = below.map((name) => `${flag} ${join(given, name)}`).join(" or ");
  throw new UsageError(`${flag}: no PKI here, but ${holds}: ${given}. Did you mean ${choices}?`);
}

/** The one line `serve --dev` prints when it wrote a test PKI; undefined when it kept one. */
export function createdPkiLine(pki: DevPki, shown: string): string | undefined {
  const written = pki.entries.filter((entry) => entry.written).length;
  if (written === 0) return undefined;
  return `${PROGRAM} serve: created a test PKI in ${shown} (${written * 2} files: a test CA, the server's and test clients' certificates and keys; '${PROGRAM} certs --pki ${shown} --verbose' lists them).\n`;
}
