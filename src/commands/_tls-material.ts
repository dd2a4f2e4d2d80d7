import { createPrivateKey, X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { UsageError } from "./_command.js";

export interface TlsPairFlags {
  certFlag: string;
  certPath: string;
  keyFlag: string;
  keyPath: string;
}

const CERTIFICATE_PEM = /-----BEGIN CERTIFICATE-----/;
const PRIVATE_KEY_PEM = /-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----/;

/**
 * Reads a certificate and its key before a server or client uses them, and says in the
 * CLI's words what is wrong: a missing file, a key given as the certificate, a certificate
 * given as the key, or a key that is not the certificate's. OpenSSL's own text names no file.
 */
export function checkTlsPair(flags: TlsPairFlags): void {
  const { certFlag, certPath, keyFlag, keyPath } = flags;
  const certText = readPem(certFlag, certPath);
  const keyText = readPem(keyFlag, keyPath);
  if (!CERTIFICATE_PEM.test(certText)) {
    const swapped = PRIVATE_KEY_PEM.test(certText) && CERTIFICATE_PEM.test(keyText);
    const what = PRIVATE_KEY_PEM.test(certText)
      ? "a private key, not a certificate"
      : "no PEM certificate in the file";
    throw new UsageError(
      `${certFlag}: ${what}: ${certPath}. ${swapped ? `The two files look swapped: pass ${certFlag} ${keyPath} ${keyFlag} ${certPath}.` : `Pass the certificate chain (BEGIN CERTIFICATE) to ${certFlag}.`}`,
    );
  }
  if (!PRIVATE_KEY_PEM.test(keyText)) {
    const what = CERTIFICATE_PEM.test(keyText)
      ? "a certificate, not a private key"
      : "no PEM private key in the file";
    throw new UsageError(
      `${keyFlag}: ${what}: ${keyPath}. Pass the private key (BEGIN PRIVATE KEY) of ${certPath} to ${keyFlag}.`,
    );
  }
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(certText);
  } catch {
    throw new UsageError(
      `${certFlag}: not a readable certificate: ${certPath}. Pass a PEM certificate chain, leaf first.`,
    );
  }
  let matches: boolean;
  try {
    matches = certificate.checkPrivateKey(createPrivateKey(keyText));
  } catch {
    throw new UsageError(
      `${keyFlag}: not a readable private key: ${keyPath}. Pass an unencrypted PEM private key.`,
    );
  }
  if (!matches) {
    throw new UsageError(
      `${keyFlag}: not the key of ${certFlag}: ${keyPath} does not match ${certPath}. Pass the key the certificate was issued for.`,
    );
  }
}

function readPem(flag: string, path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT")
      throw new UsageError(`${flag}: file not found: ${path}. Give the right path.`);
    throw new UsageError(
      `${flag}: cannot read the file: ${path} (${code ?? "unknown error"}). Check its permissions.`,
    );
  }
}
