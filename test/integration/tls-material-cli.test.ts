// Certificates, keys and CA files given on the command line are read before use, and a wrong
// one is named with its flag, its file and the fix: never OpenSSL's text, never a server that
// starts trusting nothing.
import { generateKeyPairSync } from "node:crypto";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { type AddressInfo, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCliCaptured } from "../helpers/cli.js";
import { makeTestPki, pkiFile } from "../helpers/pki.js";

const cwd = mkdtempSync(join(tmpdir(), "ndwk-tls-material-"));
const at = (name: string) => join(cwd, name);
let pki: string;
/** A PKI folder whose client.key holds the client's certificate. */
const brokenPki = at("broken-pki");

beforeAll(async () => {
  pki = await makeTestPki();
  for (const name of ["server", "client", "ca"] as const) {
    copyFileSync(pkiFile(pki, name, "pem"), at(`${name}.pem`));
    copyFileSync(pkiFile(pki, name, "key"), at(`${name}.key`));
  }
  const other = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey;
  writeFileSync(at("other.key"), other.export({ type: "pkcs8", format: "pem" }));
  writeFileSync(at("empty.pem"), "");
  writeFileSync(at("text.pem"), "not a certificate\n");
  writeFileSync(at("a-file"), "");
  mkdirSync(at("folder.pem"));
  mkdirSync(brokenPki);
  for (const name of ["ca", "client", "client-untrusted"] as const) {
    copyFileSync(pkiFile(pki, name, "pem"), join(brokenPki, `${name}.pem`));
    copyFileSync(pkiFile(pki, name, "key"), join(brokenPki, `${name}.key`));
  }
  copyFileSync(pkiFile(pki, "client", "pem"), join(brokenPki, "client.key"));
});
afterAll(() => {
  rmSync(cwd, { recursive: true, force: true });
  rmSync(pki, { recursive: true, force: true });
});

const run = (argv: string[]) => runCliCaptured(argv, { cwd });
const SERVE_TLS = ["serve", "--tls-cert", "server.pem", "--tls-key", "server.key"];
const SERVE = [...SERVE_TLS, "--port", "0"];
const PROXY = ["proxy", "nginx", "--server-name", "hooks.example.test"];
const URL = "https://127.0.0.1:1/webhooks/netdata";
const CLIENT_CA_FIX =
  "Pass the CA that issues the client certificates, or leave out --client-ca to trust the bundled Netdata Root CA.";

describe("serve --client-ca", () => {
  it.each([
    ["a private key", "server.key", "a private key, not a certificate"],
    ["an empty file", "empty.pem", "the file is empty"],
    ["random text", "text.pem", "no PEM certificate in the file"],
  ])("refuses %s at start, naming the flag, the file and the fix", async (_, file, what) => {
    const result = await run([...SERVE, "--client-ca", file, "--db", at("inbox.db")]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toBe(
      `netdata-webhook-kit serve: --client-ca: ${what}: ${at(file)}. ${CLIENT_CA_FIX}\n`,
    );
  });

  it("refuses a folder, saying a file is expected (not a permissions problem)", async () => {
    const result = await run([...SERVE, "--client-ca", "folder.pem"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `netdata-webhook-kit serve: --client-ca: a folder, not a file: ${at("folder.pem")}. Give the path of the file itself.\n`,
    );
  });

  it("checks --client-ca with --dev too, before any test PKI is written", async () => {
    const result = await run(["serve", "--dev", "--pki", "dev-pki", "--client-ca", "text.pem"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--client-ca: no PEM certificate in the file");
  });

  it("only warns, in one line, about certificates none of which is a CA", async () => {
    // The port is taken, so the receiver stops after every check, once it tries to listen.
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
    const { port } = taken.address() as AddressInfo;
    const result = await run([
      ...SERVE_TLS,
      "--host",
      "127.0.0.1",
      "--port",
      String(port),
      "--client-ca",
      "server.pem",
      "--db",
      at("inbox.db"),
    ]).finally(() => taken.close());
    const [warning, ...rest] = result.stderr.split("\n");
    expect(warning).toBe(
      `netdata-webhook-kit serve: warning: --client-ca: no CA certificate in the file: ${at("server.pem")} (its certificate lacks basicConstraints CA:TRUE). Used as given, as old roots lack it too; if verification fails, pass the CA that issues the client certificates, or leave out --client-ca to trust the bundled Netdata Root CA.`,
    );
    expect(rest.join("\n")).toContain("failed to start the receiver");
    expect(result.code).toBe(1);
  });
});

describe("proxy with files that are on this machine", () => {
  it.each([
    [
      "swapped files",
      ["--tls-cert", "server.key", "--tls-key", "server.pem"],
      `--tls-cert: a private key, not a certificate: ${at("server.key")}. The two files look swapped`,
    ],
    [
      "a certificate given as the key",
      ["--tls-cert", "server.pem", "--tls-key", "server.pem"],
      `--tls-key: a certificate, not a private key: ${at("server.pem")}.`,
    ],
    [
      "a key that does not match",
      ["--tls-cert", "server.pem", "--tls-key", "other.key"],
      `--tls-key: not the key of --tls-cert: ${at("other.key")} does not match ${at("server.pem")}.`,
    ],
    [
      "a --client-ca without a certificate",
      ["--tls-cert", "server.pem", "--tls-key", "server.key", "--client-ca", "server.key"],
      `--client-ca: a private key, not a certificate: ${at("server.key")}.`,
    ],
  ])("refuses %s and writes no config", async (_, flags, message) => {
    const result = await run([...PROXY, ...flags]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain(`netdata-webhook-kit proxy: ${message}`);
  });

  it("warns about a key it cannot read, and still writes the config", async () => {
    const result = await run([...PROXY, "--tls-cert", "server.pem", "--tls-key", "folder.pem"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("ssl_certificate_key");
    expect(result.stderr).toContain(
      `netdata-webhook-kit proxy: warning: --tls-key: a folder, not a file: ${at("folder.pem")}. The config is written anyway; the server must be able to read it.\n`,
    );
  });

  it("only warns about a --client-ca whose certificates are not CAs", async () => {
    const result = await run([
      ...PROXY,
      ...["--tls-cert", "server.pem", "--tls-key", "server.key", "--client-ca", "client.pem"],
    ]);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(
      `netdata-webhook-kit proxy: warning: --client-ca: no CA certificate in the file: ${at("client.pem")}`,
    );
  });

  it("keeps the warning for files that are not here (a config for another server)", async () => {
    const result = await run([...PROXY, "--tls-cert", "there.pem", "--tls-key", "there.key"]);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(
      `warning: --tls-key ${at("there.key")} does not exist here; the server will not start without it.\n`,
    );
  });
});

describe.each(["verify", "send"])("%s", (command) => {
  it.each([
    [
      "a key given as the client certificate",
      ["--client-cert", "client.key", "--client-key", "client.pem"],
      `--client-cert: a private key, not a certificate: ${at("client.key")}. The two files look swapped: pass --client-cert ${at("client.pem")} --client-key ${at("client.key")}.`,
    ],
    [
      "a client key that does not match",
      ["--client-cert", "client.pem", "--client-key", "server.key"],
      `--client-key: not the key of --client-cert: ${at("server.key")} does not match ${at("client.pem")}. Pass the key the certificate was issued for.`,
    ],
    [
      "a client certificate without its key",
      ["--client-cert", "client.pem"],
      `missing option: --client-key (--client-cert ${at("client.pem")} was given). Pass --client-key FILE with the private key of that certificate.`,
    ],
    [
      "a garbage --server-ca",
      ["--server-ca", "text.pem"],
      `--server-ca: no PEM certificate in the file: ${at("text.pem")}. Pass the PEM certificate of the CA that issued the receiver's server certificate.`,
    ],
    [
      "a --pki folder whose key is a certificate",
      ["--pki", "broken-pki"],
      `--pki: a certificate, not a private key: ${join(brokenPki, "client.key")}. Write the PKI again with 'netdata-webhook-kit certs --pki ${brokenPki} --force'.`,
    ],
    [
      "a --pki that is a file",
      ["--pki", "server.pem"],
      `--pki: a file, not a folder: ${at("server.pem")}.`,
    ],
  ])("names %s with the flag, the file and the fix", async (_, flags, message) => {
    const result = await run([command, URL, ...flags]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`netdata-webhook-kit ${command}: ${message}`);
    expect(result.stderr).not.toMatch(/routines|error:0/);
  });

  it("only warns about a --server-ca whose certificate is not a CA", async () => {
    const result = await run([command, URL, "--server-ca", "server.pem", "--timeout-ms", "2000"]);
    expect(result.stderr.split("\n")[0]).toBe(
      `netdata-webhook-kit ${command}: warning: --server-ca: no CA certificate in the file: ${at("server.pem")} (its certificate lacks basicConstraints CA:TRUE). Used as given, as old roots lack it too; if verification fails, pass the PEM certificate of the CA that issued the receiver's server certificate.`,
    );
    expect(result.code).toBe(3);
  });
});
