import { X509Certificate } from "node:crypto";
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ensureDevPki } from "../../src/pki/ensure-dev-pki.js";
import { generateDevPki, IncompletePkiError } from "../../src/pki/generate-dev-pki.js";
import { PKI_NAMES } from "../../src/pki/pki-names.js";
import { makeTestPki, pkiFile } from "../helpers/pki.js";

const freshDir = () => mkdtemp(join(tmpdir(), "ndwk-pki-"));
const mtimes = (dir: string) =>
  Promise.all(PKI_NAMES.map(async (n) => (await stat(pkiFile(dir, n, "key"))).mtimeMs));

describe("generateDevPki on a directory that already holds a PKI", () => {
  it("keeps every file without force, and reports them as not written", async () => {
    const dir = await makeTestPki();
    const before = await mtimes(dir);
    const caBefore = await readFile(pkiFile(dir, "ca", "pem"), "utf8");
    const again = await generateDevPki({ outDir: dir });
    expect(again.entries.map((e) => e.written)).toEqual(PKI_NAMES.map(() => false));
    expect(await mtimes(dir)).toEqual(before);
    expect(await readFile(pkiFile(dir, "ca", "pem"), "utf8")).toBe(caBefore);
  });

  it("reads the kept certificates' expiry dates from the files", async () => {
    const dir = await freshDir();
    const first = await generateDevPki({ outDir: dir });
    const again = await generateDevPki({ outDir: dir });
    // Certificates store whole seconds.
    const seconds = (d: Date) => Math.floor(d.getTime() / 1000);
    expect(again.entries.map((e) => seconds(e.notAfter))).toEqual(
      first.entries.map((e) => seconds(e.notAfter)),
    );
  });

  it("rewrites every file with force, under a new CA", async () => {
    const dir = await makeTestPki();
    const caBefore = await readFile(pkiFile(dir, "ca", "pem"), "utf8");
    const again = await generateDevPki({ outDir: dir, force: true });
    expect(again.entries.every((e) => e.written)).toBe(true);
    expect(await readFile(pkiFile(dir, "ca", "pem"), "utf8")).not.toBe(caBefore);
  });

  it("with force, leaves no old CA behind new leaves when a run fails midway", async () => {
    const dir = await makeTestPki();
    // A directory where a leaf's key goes: renaming the new key onto it fails.
    await rm(pkiFile(dir, "client-expired", "key"));
    await mkdir(pkiFile(dir, "client-expired", "key"));
    const error = await generateDevPki({ outDir: dir, force: true }).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/failed to write .*client-expired\.key/);
    for (const name of ["ca", "intermediate", "rogue-ca"] as const) {
      await expect(stat(pkiFile(dir, name, "pem"))).rejects.toThrow(/ENOENT/);
    }
    // The next run starts over and makes one consistent PKI.
    await rm(pkiFile(dir, "client-expired", "key"), { recursive: true });
    const again = await generateDevPki({ outDir: dir });
    expect(again.entries.every((e) => e.written)).toBe(true);
    const ca = new X509Certificate(await readFile(pkiFile(dir, "ca", "pem")));
    const client = new X509Certificate(await readFile(pkiFile(dir, "client", "pem")));
    expect(client.verify(ca.publicKey)).toBe(true);
  });

  it("names a kept certificate file that holds no PEM certificate", async () => {
    const dir = await makeTestPki();
    await writeFile(pkiFile(dir, "client", "pem"), "not a certificate\n");
    const error = await generateDevPki({ outDir: dir }).catch((e: unknown) => e);
    expect((error as Error).message).toBe(
      `failed to read ${pkiFile(dir, "client", "pem")}: no PEM certificate in it`,
    );
  });

  it("refuses to fill in a missing leaf next to existing CA files, naming the file", async () => {
    const dir = await makeTestPki();
    await rm(pkiFile(dir, "client", "key"));
    const error = await generateDevPki({ outDir: dir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IncompletePkiError);
    expect((error as IncompletePkiError).missing).toEqual(["client.key"]);
    expect((error as Error).message).toMatch(/client\.key missing.*force/);
  });

  it("starts over when no CA file is left, replacing orphaned leaves", async () => {
    const dir = await makeTestPki();
    for (const name of ["ca", "intermediate", "rogue-ca"] as const) {
      await rm(pkiFile(dir, name, "pem"));
      await rm(pkiFile(dir, name, "key"));
    }
    const clientBefore = await readFile(pkiFile(dir, "client", "pem"), "utf8");
    const again = await generateDevPki({ outDir: dir });
    expect(again.entries.every((e) => e.written)).toBe(true);
    expect(await readFile(pkiFile(dir, "client", "pem"), "utf8")).not.toBe(clientBefore);
  });
});

describe("ensureDevPki", () => {
  it("creates the PKI, directories included, when there is none", async () => {
    const dir = join(await freshDir(), "certs", "dev");
    const pki = await ensureDevPki(dir);
    expect(pki.entries.every((e) => e.written)).toBe(true);
    expect((await stat(pkiFile(dir, "server", "key"))).mode & 0o777).toBe(0o600);
  });

  it("keeps an existing PKI", async () => {
    const dir = await makeTestPki();
    const pki = await ensureDevPki(dir);
    expect(pki.entries.some((e) => e.written)).toBe(false);
  });

  it("refuses a PKI whose server certificate has expired, saying how to regenerate", async () => {
    const dir = await freshDir();
    const threeYearsAgo = new Date(Date.now() - 3 * 365 * 24 * 60 * 60 * 1000);
    await generateDevPki({ outDir: dir, now: threeYearsAgo });
    await expect(ensureDevPki(dir)).rejects.toThrow(/server\.pem expired on .*--force/);
  });
});
