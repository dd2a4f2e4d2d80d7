import { existsSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { pkiPaths } from "../pki/pki-names.js";
import { PKI_CLIENT_NAMES } from "../simulator/resolve-options.js";
import { PROGRAM, UsageError } from "./_command.js";
import { refuseParentOfPki } from "./_pki-folder.js";
import { checkCaFile, checkTlsPair } from "./_tls-material.js";

interface MaterialValues {
  pki?: unknown;
  "client-cert"?: unknown;
  "client-key"?: unknown;
  "server-ca"?: unknown;
}

interface MaterialIo {
  cwd: string;
  stderr: (text: string) => void;
}

/**
 * Checks the TLS files `verify` and `send` were given before anything is sent, so a mistake
 * is named with its flag, its file and the fix rather than in OpenSSL's words: the --pki
 * folder's client pairs and test CA, --client-cert with --client-key, and --server-ca.
 */
export function checkTargetMaterial(values: MaterialValues, io: MaterialIo, command: string): void {
  const path = (value: unknown) => (typeof value === "string" ? resolve(io.cwd, value) : undefined);
  const warn = (warning: string | undefined) => {
    if (warning) io.stderr(`${PROGRAM} ${command}: warning: ${warning}\n`);
  };
  const pki = path(values.pki);
  if (pki !== undefined) warn(checkPkiFolder(pki, String(values.pki)));
  const cert = path(values["client-cert"]);
  const key = path(values["client-key"]);
  if (cert !== undefined || key !== undefined) {
    if (cert === undefined || key === undefined) {
      const [given, missing, what] =
        cert !== undefined
          ? ["--client-cert", "--client-key", "the private key of that certificate"]
          : ["--client-key", "--client-cert", "the certificate of that key"];
      throw new UsageError(
        `missing option: ${missing} (${given} ${cert ?? key} was given). Pass ${missing} FILE with ${what}.`,
      );
    }
    checkTlsPair({
      certFlag: "--client-cert",
      certPath: cert,
      keyFlag: "--client-key",
      keyPath: key,
    });
  }
  const serverCa = path(values["server-ca"]);
  if (serverCa !== undefined) {
    warn(
      checkCaFile({
        flag: "--server-ca",
        path: serverCa,
        fix: "Pass the PEM certificate of the CA that issued the receiver's server certificate.",
      }),
    );
  }
}

/** A folder written by `certs`: every client pair it plays, and its test CA. */
function checkPkiFolder(dir: string, given: string): string | undefined {
  const write = `'${PROGRAM} certs --pki ${dir}'`;
  let isFolder: boolean;
  try {
    isFolder = statSync(dir).isDirectory();
  } catch {
    throw new UsageError(
      `--pki: folder not found: ${dir}. Write a test PKI there with ${write}, or give the right folder.`,
    );
  }
  if (!isFolder) {
    throw new UsageError(
      `--pki: a file, not a folder: ${dir}. Give the folder that '${PROGRAM} certs --pki DIR' wrote (it holds client.pem, client.key, ca.pem, ...).`,
    );
  }
  refuseParentOfPki("--pki", dir, given);
  const paths = pkiPaths(dir);
  const fix = `Write the PKI again with '${PROGRAM} certs --pki ${dir} --force'.`;
  for (const name of PKI_CLIENT_NAMES) {
    checkTlsPair({
      certFlag: "--pki",
      certPath: paths[name].cert,
      keyFlag: "--pki",
      keyPath: paths[name].key,
      fix,
    });
  }
  // The test CA only adds trust in the server certificate; a folder may leave it out.
  return existsSync(paths.ca.cert)
    ? checkCaFile({ flag: "--pki", path: paths.ca.cert, fix })
    : undefined;
}
