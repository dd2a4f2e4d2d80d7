import { createPrivateKey, X509Certificate } from "node:crypto";
import { UsageError } from "./_command.js";
import { readFlagFile } from "./_file-problem.js";

export interface TlsPairFlags {
  certFlag: string;
  certPath: string;
  keyFlag: string;
  keyPath: string;
  /**
   * The fix for any problem with the pair, when it is not for the user to pick other files
   * (a PKI folder: write it again). Default: name the right file for each flag.
   */
  fix?: string;
}

const CERTIFICATE_PEM = /-----BEGIN CERTIFICATE-----/;
const CERTIFICATE_BLOCKS = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;
const PRIVATE_KEY_PEM = /-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----/;

/**
 * Reads a certificate and its key before a server or client uses them, and says in the
 * CLI's words what is wrong: a missing file, a key given as the certificate, a certificate
 * given as the key, or a key that is not the certificate's. OpenSSL's own text names no file.
 */
export function checkTlsPair(flags: TlsPairFlags): void {
  const { certFlag, certPath, keyFlag, keyPath, fix } = flags;
  const certText = readFlagFile(certFlag, certPath, fix);
  const keyText = readFlagFile(keyFlag, keyPath, fix);
  if (!CERTIFICATE_PEM.test(certText)) {
    const swapped = PRIVATE_KEY_PEM.test(certText) && CERTIFICATE_PEM.test(keyText);
    const what = PRIVATE_KEY_PEM.test(certText)
      ? "a private key, not a certificate"
      : "no PEM certificate in the file";
    const own = swapped
      ? `The two files look swapped: pass ${certFlag} ${keyPath} ${keyFlag} ${certPath}.`
      : `Pass the certificate chain (BEGIN CERTIFICATE) to ${certFlag}.`;
    throw new UsageError(`${certFlag}: ${what}: ${certPath}. ${fix ?? own}`, { option: certFlag });
  }
  if (!PRIVATE_KEY_PEM.test(keyText)) {
    const what = CERTIFICATE_PEM.test(keyText)
      ? "a certificate, not a private key"
      : "no PEM private key in the file";
    throw new UsageError(
      `${keyFlag}: ${what}: ${keyPath}. ${fix ?? `Pass the private key (BEGIN PRIVATE KEY) of ${certPath} to ${keyFlag}.`}`,
      { option: keyFlag },
    );
  }
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(certText);
  } catch {
    throw new UsageError(
      `${certFlag}: not a readable certificate: ${certPath}. ${fix ?? "Pass a PEM certificate chain, leaf first."}`,
      { option: certFlag },
    );
  }
  let matches: boolean;
  try {
    matches = certificate.checkPrivateKey(createPrivateKey(keyText));
  } catch {
    throw new UsageError(
      `${keyFlag}: not a readable private key: ${keyPath}. ${fix ?? "Pass an unencrypted PEM private key."}`,
      { option: keyFlag },
    );
  }
  if (!matches) {
    throw new UsageError(
      `${keyFlag}: not the key of ${certFlag === keyFlag ? "its certificate" : certFlag}: ${keyPath} does not match ${certPath}. ${fix ?? "Pass the key the certificate was issued for."}`,
      { option: keyFlag },
    );
  }
}

export interface CaFileFlag {
  flag: string;
  path: string;
  /** What to pass instead, said as the fix: "Pass the CA that issued the server certificate." */
  fix: string;
}

/**
 * Reads a file of trusted CA certificates (`--client-ca`, `--server-ca`) before it is used.
 * A file without a single certificate (a key, an empty file, other text) is refused with the
 * flag and the file named: Node would take it silently and then trust nothing, or fail with
 * OpenSSL's text. Certificates none of which is a CA (basicConstraints CA:TRUE) are only worth
 * a warning, which is returned: old version 1 roots have no extensions at all.
 */
export function checkCaFile({ flag, path, fix }: CaFileFlag): string | undefined {
  const text = readFlagFile(flag, path);
  const blocks = text.match(CERTIFICATE_BLOCKS) ?? [];
  if (blocks.length === 0) {
    const what =
      text.trim() === ""
        ? "the file is empty"
        : PRIVATE_KEY_PEM.test(text)
          ? "a private key, not a certificate"
          : "no PEM certificate in the file";
    throw new UsageError(`${flag}: ${what}: ${path}. ${fix}`, { option: flag });
  }
  const certificates = blocks.map((block, i) => {
    try {
      return new X509Certificate(block);
    } catch {
      const which = blocks.length === 1 ? "" : ` (certificate ${i + 1} of ${blocks.length})`;
      throw new UsageError(`${flag}: not a readable certificate${which}: ${path}. ${fix}`, {
        option: flag,
      });
    }
  });
  if (certificates.some((certificate) => certificate.ca)) return undefined;
  const which =
    certificates.length === 1
      ? "its certificate lacks"
      : `its ${certificates.length} certificates lack`;
  const fixLower = `${fix.charAt(0).toLowerCase()}${fix.slice(1)}`;
  return `${flag}: no CA certificate in the file: ${path} (${which} basicConstraints CA:TRUE). Used as given, as old roots lack it too; if verification fails, ${fixLower}`;
}
