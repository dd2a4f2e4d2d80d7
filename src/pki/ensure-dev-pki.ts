import { type DevPki, generateDevPki } from "./generate-dev-pki.js";
import type { PkiName } from "./pki-names.js";

/** The certificates a development receiver and sender cannot work without. */
const NEEDED_VALID: readonly PkiName[] = ["ca", "server", "client"];

/**
 * The dev PKI in `dir`, generated when there is none (what `serve --dev` and the demo use).
 * A complete PKI is kept; a partial one, or one whose server or client certificate has
 * expired, is an error that says to regenerate it with `certs --force`.
 */
export async function ensureDevPki(dir: string, now = new Date()): Promise<DevPki> {
  const pki = await generateDevPki({ outDir: dir, now });
  const expired = pki.entries.find((e) => NEEDED_VALID.includes(e.name) && e.notAfter <= now);
  if (expired) {
    const day = expired.notAfter.toISOString().slice(0, 10);
    throw new Error(
      `failed to use the dev PKI in ${dir}: ${expired.name}.pem expired on ${day}. ` +
        `Regenerate it with: netdata-webhook-kit certs --pki ${dir} --force`,
    );
  }
  return pki;
}
