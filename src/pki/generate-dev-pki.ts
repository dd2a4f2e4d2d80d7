import { X509Certificate } from "node:crypto";
import { access, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { makeDirectory } from "../_make-directory.js";
import {
  certificatePem,
  generateKeyPair,
  type IssuedCertificate,
  issueCertificate,
  privateKeyPem,
} from "./issue-certificate.js";

import { PKI_CA_NAMES, PKI_NAMES, type PkiName, pkiPaths } from "./pki-names.js";
import { PKI_PLAN } from "./pki-plan.js";
import { serverHosts } from "./server-alt-names.js";
import { CERT_FILE_MODE, KEY_FILE_MODE, writePkiFile } from "./write-pki-file.js";

export interface DevPkiEntry {
  name: PkiName;
  certPath: string;
  keyPath: string;
  notAfter: Date;
  /** false when the files already existed and were kept. */
  written: boolean;
}

export interface DevPki {
  outDir: string;
  entries: DevPkiEntry[];
}

export interface GenerateDevPkiOptions {
  outDir: string;
  /** Replace existing files. Without it a complete PKI is kept as it is. */
  force?: boolean;
  /** The moment validity periods are counted from (tests move it); default: now. */
  now?: Date;
  /** More DNS names and IP addresses for the server certificate (localhost and loopback stay). */
  hosts?: readonly string[];
}

/** Some files exist and some do not: regenerating only the missing ones would break chains. */
export class IncompletePkiError extends Error {
  override name = "IncompletePkiError";
  constructor(
    readonly outDir: string,
    /** File names (NAME.pem, NAME.key) missing from `outDir`. */
    readonly missing: string[],
  ) {
    super(
      `failed to complete the dev PKI in ${outDir}: ${missing.join(", ")} missing. ` +
        "New certificates would not chain to the CA files that are there. " +
        "Regenerate everything with force (certs --force).",
    );
  }
}

/**
 * Writes the development PKI into `outDir`: a test CA, an intermediate, a server certificate
 * for localhost and one client certificate per way an identity check can pass or fail.
 * A complete PKI already there is kept (entries say `written: false`) unless `force`. When
 * files are missing, it starts over only if no CA file is left; otherwise it throws
 * `IncompletePkiError`, because new leaves would not chain to the old CAs.
 */
export async function generateDevPki(options: GenerateDevPkiOptions): Promise<DevPki> {
  const { outDir, force = false, now = new Date() } = options;
  const hosts = serverHosts(options.hosts);
  if (!force) {
    const missing = await missingFiles(outDir);
    if (missing.length === 0) return { outDir, entries: await readEntries(outDir) };
    const caFiles = PKI_CA_NAMES.flatMap((name) => [`${name}.pem`, `${name}.key`]);
    if (caFiles.some((file) => !missing.includes(file))) {
      throw new IncompletePkiError(outDir, missing);
    }
  }
  // Private keys live here: only the owner may list or add files, whatever the umask.
  await makeDirectory(outDir, 0o700).catch((error: NodeJS.ErrnoException) => {
    throw new Error(`failed to create ${outDir}: ${error.code ?? error.message}`, { cause: error });
  });
  const issued = issueAll(now, hosts);
  // Replacing: the old CA files go first, so a run cut short cannot leave new leaves that
  // look complete next to CAs that did not sign them; the next run then starts over.
  if (force) await removeCaFiles(outDir);
  await writeAll(outDir, issued);
  const paths = pkiPaths(outDir);
  const entries = PKI_NAMES.map((name) => ({
    name,
    certPath: paths[name].cert,
    keyPath: paths[name].key,
    notAfter: issued[name].notAfter,
    written: true,
  }));
  return { outDir, entries };
}

/** Issues the plan in its issuer-first order (P-256 keys take well under a millisecond). */
function issueAll(now: Date, hosts: readonly string[]): Record<PkiName, IssuedCertificate> {
  const issued = {} as Record<PkiName, IssuedCertificate>;
  for (const planned of PKI_PLAN) {
    const plan = planned.role === "server" ? { ...planned, hosts } : planned;
    const issuer = plan.issuer === "self" ? undefined : issued[plan.issuer];
    issued[plan.name] = issueCertificate(plan, generateKeyPair(), now, issuer);
  }
  return issued;
}

async function writeAll(outDir: string, issued: Record<PkiName, IssuedCertificate>) {
  const paths = pkiPaths(outDir);
  const writeOne = async (name: PkiName) => {
    const plan = PKI_PLAN.find((p) => p.name === name);
    const certificate = issued[name];
    const chain = plan?.withIssuerInPem && plan.issuer !== "self" ? [issued[plan.issuer]] : [];
    const pem = [certificate, ...chain].map(certificatePem).join("");
    await writePkiFile(paths[name].key, privateKeyPem(certificate.keys), KEY_FILE_MODE);
    await writePkiFile(paths[name].cert, pem, CERT_FILE_MODE);
  };
  // Each group's files at once; CAs after every leaf is written, so a run cut short leaves
  // no new CA file behind and the next run starts over.
  const isCa = (name: PkiName) => PKI_CA_NAMES.includes(name);
  await Promise.all(PKI_NAMES.filter((name) => !isCa(name)).map(writeOne));
  await Promise.all(PKI_NAMES.filter(isCa).map(writeOne));
}

async function removeCaFiles(outDir: string): Promise<void> {
  const paths = pkiPaths(outDir);
  const files = PKI_CA_NAMES.flatMap((name) => [paths[name].cert, paths[name].key]);
  await Promise.all(
    files.map((file) =>
      rm(file, { force: true }).catch((error: NodeJS.ErrnoException) => {
        throw new Error(`failed to replace ${file}: ${error.code ?? error.message}`, {
          cause: error,
        });
      }),
    ),
  );
}

/** The file names of the PKI that `outDir` lacks. */
async function missingFiles(outDir: string): Promise<string[]> {
  const files = PKI_NAMES.flatMap((name) => [`${name}.pem`, `${name}.key`]);
  const exists = (file: string) =>
    access(join(outDir, file)).then(
      () => true,
      () => false,
    );
  const present = await Promise.all(files.map(exists));
  return files.filter((_, index) => !present[index]);
}

async function readEntries(outDir: string): Promise<DevPkiEntry[]> {
  const paths = pkiPaths(outDir);
  return Promise.all(
    PKI_NAMES.map(async (name) => {
      const { cert, key } = paths[name];
      const notAfter = new Date(firstCertificate(await readFile(cert), cert).validTo);
      return { name, certPath: cert, keyPath: key, notAfter, written: false };
    }),
  );
}

/** Node's X509Certificate reads the first certificate of a PEM file: the leaf of a chain file. */
function firstCertificate(pem: Buffer, path: string): X509Certificate {
  try {
    return new X509Certificate(pem);
  } catch (error) {
    const { code } = error as NodeJS.ErrnoException;
    const cause = code === "ERR_OSSL_PEM_NO_START_LINE" ? "no PEM certificate in it" : code;
    throw new Error(`failed to read ${path}: ${cause ?? (error as Error).message}`);
  }
}
