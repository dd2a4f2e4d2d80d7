import { isAbsolute, relative, resolve } from "node:path";
import { type DevPkiEntry, generateDevPki, IncompletePkiError } from "../pki/generate-dev-pki.js";
import { DEFAULT_PKI_DIR } from "../pki/pki-names.js";
import { CommandError, defineCommand, PROGRAM } from "./_command.js";

export const certsCommand = defineCommand({
  name: "certs",
  summary: "Write a development PKI (test CA, server and client certificates).",
  usage: ["certs [--pki DIR] [--host NAME]... [--force] [--verbose]"],
  examples: [
    [`${PROGRAM} certs`, `writes ${DEFAULT_PKI_DIR}/ca.pem, server.pem, client.pem, … with keys`],
    [`${PROGRAM} certs --pki /tmp/pki`, "somewhere else"],
    [`${PROGRAM} certs --force`, "replace an existing PKI (new CA: re-trust ca.pem)"],
  ],
  options: {
    pki: { type: "string", description: "folder to write into", default: DEFAULT_PKI_DIR },
    force: { type: "boolean", description: "regenerate even if the files exist" },
  },
  aliases: { out: "pki" },
  notes: `Each NAME.pem comes with NAME.key (PKCS#8, mode 0600). ca.pem imitates the Netdata Root CA
and is for tests only: never trust it anywhere else. client.pem has CN=app.netdata.cloud; the
other client-*.pem are deliberately wrong (expired, wrong CN, untrusted CA, …) for testing
that a receiver rejects them. An existing complete PKI is kept unless --force.
Exit codes: 0 written or kept, 1 failed, 2 usage error.`,
  run: async ({ values, cwd, stdout }) => {
    const outDir = resolve(cwd, values.pki ?? DEFAULT_PKI_DIR);
    const shown = (path: string) => displayPath(cwd, path);
    let pki: Awaited<ReturnType<typeof generateDevPki>>;
    try {
      pki = await generateDevPki({ outDir, force: values.force === true });
    } catch (error) {
      if (error instanceof IncompletePkiError) {
        throw new CommandError(
          `failed to complete the PKI in ${shown(outDir)}: ${error.missing.join(", ")} missing, ` +
            "and new certificates would not chain to the CA files that are there.\n" +
            `Run '${PROGRAM} certs --pki ${shown(outDir)} --force' to regenerate all of it.`,
        );
      }
      throw new CommandError(error instanceof Error ? error.message : String(error));
    }
    const now = new Date();
    stdout(pki.entries.map((entry) => describe(entry, now, shown)).join(""));
    const kept = pki.entries.filter((entry) => !entry.written).length;
    if (kept > 0) {
      stdout(
        `Kept the ${kept} existing certificates with their keys. ` +
          "Pass --force to regenerate them all (with a new CA).\n",
      );
    }
    return 0;
  },
});

function describe(entry: DevPkiEntry, now: Date, shown: (path: string) => string): string {
  const day = entry.notAfter.toISOString().slice(0, 10);
  // client-expired is expired on purpose; any other expired one is a PKI to regenerate.
  const expiry = entry.notAfter <= now ? `expired ${day}` : `expires ${day}`;
  const verb = entry.written ? "wrote" : "kept ";
  return `${verb} ${shown(entry.certPath)} (${expiry})\n${verb} ${shown(entry.keyPath)}\n`;
}

/** Paths under the working directory are shown relative to it, as the user would type them. */
function displayPath(cwd: string, path: string): string {
  const rel = relative(cwd, path);
  return rel === "" || rel.startsWith("..") || isAbsolute(rel) ? path : rel;
}
