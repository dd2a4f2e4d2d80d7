// @ts-check
// Row 6 is fair only if the openssl script makes the same PKI as `certs`. This compares the
// two sets certificate by certificate: what `openssl x509 -text` prints (subject, issuer, key
// type, extensions) without the parts that differ by nature (keys, serials, signatures),
// the validity periods relative to each set's root, the chain length of each .pem, and
// the private key files (PKCS#8, mode 0600).
import { execFileSync } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { PKI_NAMES } from "../../dist/index.js";

/** Both sets are made seconds apart, so their dates may differ by that much. */
const DATE_TOLERANCE_MS = 60_000;
/** Lines of `openssl x509 -text` that differ between any two certificates of one plan. */
const VARYING_LINE = /^\s+([0-9A-F]{2}:){5}|Not (Before|After)/i;

/**
 * @param {string} kitDir
 * @param {string} opensslDir
 * @returns {string[]} the differences; empty when the sets match
 */
export function comparePkiSets(kitDir, opensslDir) {
  const differences = [];
  const rootStart = (/** @type {string} */ dir) =>
    Date.parse(new X509Certificate(readFileSync(join(dir, "ca.pem"))).validFrom);
  const roots = [rootStart(kitDir), rootStart(opensslDir)];
  for (const name of PKI_NAMES) {
    const [kit, openssl] = [kitDir, opensslDir].map((dir, i) => describe(dir, name, roots[i] ?? 0));
    if (!kit || !openssl) continue;
    if (kit.text !== openssl.text)
      differences.push(`${name}.pem: the certificates differ (openssl x509 -text)`);
    if (kit.chain !== openssl.chain)
      differences.push(`${name}.pem: ${kit.chain} vs ${openssl.chain} certificates`);
    if (
      Math.abs(kit.from - openssl.from) > DATE_TOLERANCE_MS ||
      Math.abs(kit.to - openssl.to) > DATE_TOLERANCE_MS
    ) {
      differences.push(`${name}.pem: the validity periods differ`);
    }
    if (kit.key !== openssl.key) differences.push(`${name}.key: ${kit.key} vs ${openssl.key}`);
  }
  return differences;
}

/**
 * @param {string} dir
 * @param {string} name
 * @param {number} rootStart
 */
function describe(dir, name, rootStart) {
  const pemPath = join(dir, `${name}.pem`);
  const keyPath = join(dir, `${name}.key`);
  const pem = readFileSync(pemPath, "utf8");
  const cert = new X509Certificate(pem);
  const text = execFileSync(
    "openssl",
    ["x509", "-noout", "-text", "-certopt", "no_pubkey,no_sigdump,no_serial"],
    {
      input: pem,
      encoding: "utf8",
    },
  )
    .split("\n")
    .filter((line) => !VARYING_LINE.test(line))
    .join("\n");
  const keyPem = readFileSync(keyPath, "utf8");
  const keyMode = (statSync(keyPath).mode & 0o777).toString(8);
  return {
    text,
    chain: (pem.match(/-----BEGIN CERTIFICATE-----/g) ?? []).length,
    from: Date.parse(cert.validFrom) - rootStart,
    to: Date.parse(cert.validTo) - rootStart,
    key: `${keyPem.startsWith("-----BEGIN PRIVATE KEY-----") ? "PKCS#8" : "not PKCS#8"}, mode ${keyMode}`,
  };
}
