import { spawnSync } from "node:child_process";
import { createPrivateKey, X509Certificate } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import { createSecureContext } from "node:tls";
import { beforeAll, describe, expect, it } from "vitest";
import { PKI_NAMES, type PkiName } from "../../src/pki/pki-names.js";
import { makeTestPki, pkiFile } from "../helpers/pki.js";

/** Runs the system openssl; verification failures exit non-zero, so both streams are kept. */
function openssl(...args: string[]): { status: number | null; output: string } {
  const run = spawnSync("openssl", args, { encoding: "utf8" });
  if (run.error) throw run.error;
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

let dir: string;
const pem = (name: PkiName) => pkiFile(dir, name, "pem");
const verifyClient = (name: PkiName, untrusted: PkiName[] = []) =>
  openssl(
    "verify",
    "-purpose",
    "sslclient",
    "-CAfile",
    pem("ca"),
    ...untrusted.flatMap((u) => ["-untrusted", pem(u)]),
    pem(name),
  );
const subject = (name: PkiName) =>
  openssl("x509", "-in", pem(name), "-noout", "-subject", "-nameopt", "RFC2253").output.trim();
const text = (name: PkiName) => openssl("x509", "-in", pem(name), "-noout", "-text").output;

beforeAll(async () => {
  dir = await makeTestPki();
});

describe("the generated development PKI", () => {
  it("writes all 26 files: certificates mode 0644, private keys mode 0600", () => {
    for (const name of PKI_NAMES) {
      expect(statSync(pkiFile(dir, name, "pem")).mode & 0o777, `${name}.pem`).toBe(0o644);
      expect(statSync(pkiFile(dir, name, "key")).mode & 0o777, `${name}.key`).toBe(0o600);
    }
  });

  it.each(PKI_NAMES)("signs %s with SHA-256 and pairs it with a PKCS#8 key", (name) => {
    expect(text(name)).toMatch(/Signature Algorithm: ecdsa-with-SHA256/);
    const key = readFileSync(pkiFile(dir, name, "key"), "utf8");
    expect(key).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect(
      new X509Certificate(readFileSync(pem(name))).checkPrivateKey(createPrivateKey(key)),
    ).toBe(true);
  });

  it("makes ca a critical CA:TRUE root that may sign certificates and CRLs", () => {
    const ca = text("ca");
    expect(ca).toMatch(/Basic Constraints: critical\s+CA:TRUE\n/);
    expect(ca).toMatch(/Key Usage: critical\s+Certificate Sign, CRL Sign\n/);
    expect(subject("ca")).toMatch(/TEST Root CA/);
    expect(subject("ca")).toMatch(/O=netdata-webhook-kit \(TEST ONLY\)/);
  });

  it("limits the intermediate to signing leaves (pathlen 0)", () => {
    expect(text("intermediate")).toMatch(/Basic Constraints: critical\s+CA:TRUE, pathlen:0/);
    const run = openssl("verify", "-CAfile", pem("ca"), pem("intermediate"));
    expect(run.output).toBe(`${pem("intermediate")}: OK\n`);
  });

  it("issues the server certificate for localhost, 127.0.0.1 and ::1", () => {
    const server = new X509Certificate(readFileSync(pem("server")));
    expect(server.checkHost("localhost")).toBe("localhost");
    expect(server.checkIP("127.0.0.1")).toBe("127.0.0.1");
    expect(server.checkIP("::1")).toBe("::1");
    const run = openssl("verify", "-purpose", "sslserver", "-CAfile", pem("ca"), pem("server"));
    expect(run.output).toMatch(/: OK\n/);
  });

  it("puts the intermediate after the leaf in client-via-intermediate.pem", () => {
    const blocks = readFileSync(pem("client-via-intermediate"), "utf8").match(
      /-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g,
    );
    expect(blocks).toHaveLength(2);
    expect(blocks?.[1]).toBe(readFileSync(pem("intermediate"), "utf8").trim());
  });

  it("gives Node's TLS usable server and client credentials", () => {
    for (const name of ["server", "client", "client-via-intermediate"] as const) {
      const cert = readFileSync(pem(name));
      const key = readFileSync(pkiFile(dir, name, "key"));
      expect(() => createSecureContext({ cert, key, ca: readFileSync(pem("ca")) })).not.toThrow();
    }
  });
});

describe("openssl verify -purpose sslclient against ca.pem", () => {
  it("accepts client, issued by the CA", () => {
    expect(verifyClient("client")).toEqual({ status: 0, output: `${pem("client")}: OK\n` });
  });

  it("accepts client-via-intermediate when the intermediate is supplied", () => {
    const run = verifyClient("client-via-intermediate", ["intermediate"]);
    expect(run.status).toBe(0);
    expect(run.output).toMatch(/: OK\n/);
  });

  it.each([
    ["client-expired", /error 10 at 0 depth lookup: certificate has expired/],
    ["client-not-yet-valid", /error 9 at 0 depth lookup: certificate is not yet valid/],
    // OpenSSL 3 words X509_V_ERR_INVALID_PURPOSE "unsuitable certificate purpose".
    ["client-server-eku", /error 26 at 0 depth lookup: unsuitable certificate purpose/],
    ["client-untrusted", /error 20 at 0 depth lookup: unable to get local issuer certificate/],
  ] as const)("rejects %s for its own reason", (name, reason) => {
    const run = verifyClient(name);
    expect(run.status).not.toBe(0);
    expect(run.output).toMatch(reason);
    // One reason only: the certificate is wrong in exactly the way its name says.
    expect(run.output.match(/^error \d+ at/gm)).toHaveLength(1);
  });

  it.each([
    ["client-wrong-cn", "CN=evil.example"],
    ["client-lookalike-cn", "CN=app.netdata.cloud.evil.example"],
    // RFC 2253 lists the last RDN first: the wanted CN is the last of two CN attributes.
    ["client-two-cn", "CN=app.netdata.cloud,CN=evil.example"],
    ["client", "CN=app.netdata.cloud"],
  ] as const)("chain-verifies %s, whose subject is exactly %s", (name, dn) => {
    expect(verifyClient(name).status).toBe(0);
    expect(subject(name)).toBe(`subject=${dn}`);
  });
});
