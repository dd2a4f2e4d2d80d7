// Every kind of CLI mistake, with the exact message it gets: one line in the CLI's one style
// (`<program> <command>: <what is wrong>: <the value>. <what to do>`). The snapshot file is
// the reviewable list; change a message there on purpose, with `vitest -u`.
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCliCaptured } from "../helpers/cli.js";
import { makeTestPki, pkiFile } from "../helpers/pki.js";

const cwd = mkdtempSync(join(tmpdir(), "ndwk-messages-"));
afterAll(() => rmSync(cwd, { recursive: true, force: true }));
beforeAll(async () => {
  const pki = await makeTestPki();
  for (const [name, kind] of [
    ["server", "pem"],
    ["server", "key"],
    ["client", "key"],
    ["client", "pem"],
  ] as const) {
    copyFileSync(pkiFile(pki, name, kind), join(cwd, `${name}.${kind}`));
  }
  mkdirSync(join(cwd, "folder"));
  // A folder above a PKI: only its test CA's file marks the PKI.
  mkdirSync(join(cwd, "pkis", "dev"), { recursive: true });
  copyFileSync(join(cwd, "server.pem"), join(cwd, "pkis", "dev", "ca.pem"));
  writeFileSync(join(cwd, "a-file"), "");
  writeFileSync(join(cwd, "misspelt.yaml"), "dev: true\nforward-timout: 5s\n");
  writeFileSync(join(cwd, "plain.yaml"), "dev: true\nbearer-token: abc\n", { mode: 0o644 });
  chmodSync(join(cwd, "plain.yaml"), 0o644);
  rmSync(pki, { recursive: true, force: true });
});

const URL = "https://127.0.0.1:1/webhooks/netdata";
const PROXY = ["proxy", "nginx", "--server-name", "h.example"];

const MISTAKES: Array<[what: string, argv: string[]]> = [
  ["a mistyped command", ["certz"]],
  ["a command that is not close to any", ["frobnicate"]],
  ["a mistyped top-level option", ["--versoin"]],
  ["a mistyped option", ["certs", "--foce"]],
  [
    "a mistyped option with a value",
    ["verify", "https://127.0.0.1:1/webhooks/netdata", "--json-fil=x"],
  ],
  ["an option without its value", ["send", "https://127.0.0.1:1/webhooks/netdata", "--pki"]],
  [
    "an option followed by another option",
    ["send", "https://127.0.0.1:1/webhooks/netdata", "--pki", "--insecure"],
  ],
  ["a value given to a switch", ["certs", "--force=yes"]],
  ["a missing argument", ["send"]],
  ["an extra argument", ["crc", "abc", "def", "--challenge-secret", "s"]],
  ["a port out of range", ["serve", "--port", "70000", "--behind-proxy"]],
  ["a port that is not a number", ["serve", "--port", "http", "--behind-proxy"]],
  [
    "a secret file that does not exist",
    ["serve", "--behind-proxy", "--auth", "bearer", "--bearer-token-file", "token.txt"],
  ],
  ["an unknown kind", ["inbox", "--kind", "alrt"]],
  [
    "an sslmode node-postgres does not know (the password is not shown)",
    ["serve", "--behind-proxy", "--db", "postgres://ndwk:s3cret@db.example/x?sslmode=required"],
  ],
  [
    "a key given as the certificate",
    ["serve", "--tls-cert", "server.key", "--tls-key", "server.pem"],
  ],
  [
    "a certificate given as the key",
    ["serve", "--tls-cert", "server.pem", "--tls-key", "server.pem"],
  ],
  [
    "a key that does not match the certificate",
    ["serve", "--tls-cert", "server.pem", "--tls-key", "client.key"],
  ],
  [
    "a certificate file that does not exist",
    ["serve", "--tls-cert", "missing.pem", "--tls-key", "server.key"],
  ],
  ["a --host that is not a name", ["certs", "--host", "hooks example"]],
  [
    "a --client-ca without a certificate",
    ["serve", "--tls-cert", "server.pem", "--tls-key", "server.key", "--client-ca", "server.key"],
  ],
  [
    "a folder where a file is expected",
    ["serve", "--behind-proxy", "--auth", "bearer", "--bearer-token-file", "folder"],
  ],
  ["a certificate without its key", ["serve", "--tls-cert", "server.pem"]],
  ["a PKI folder without --dev", ["serve", "--pki", "certs/dev", "--behind-proxy"]],
  ["proxy without a server", ["proxy"]],
  ["a mistyped server", ["proxy", "ngnix"]],
  [
    "a proxy port out of range",
    [...PROXY, "--tls-cert", "server.pem", "--tls-key", "server.key", "--listen", "70000"],
  ],
  [
    "a proxy upstream port out of range",
    [...PROXY, "--tls-cert", "server.pem", "--tls-key", "server.key"].concat([
      "--upstream",
      "http://127.0.0.1:70000",
    ]),
  ],
  ["swapped files for a proxy", [...PROXY, "--tls-cert", "server.key", "--tls-key", "server.pem"]],
  ["a mistyped old spelling", ["crc", "abc", "--secert", "x"]],
  [
    "a key given as the client certificate",
    ["send", URL, "--client-cert", "client.key", "--client-key", "client.pem"],
  ],
  [
    "a client key that does not match",
    ["verify", URL, "--client-cert", "client.pem", "--client-key", "server.key"],
  ],
  ["a --server-ca without a certificate", ["send", URL, "--server-ca", "server.key"]],
  ["a PKI folder without the PKI", ["verify", URL, "--pki", "folder"]],
  ["the folder above a PKI", ["verify", URL, "--pki", "pkis"]],
  ["a misspelt key in serve's config file", ["serve", "--config", "misspelt.yaml"]],
  ["a plain-text secret in a config file others can read", ["serve", "--config", "plain.yaml"]],
  ["an old option name", ["serve", "--certs", "certs/dev"]],
];

/** Mistakes worth a warning only: the command goes on (and here stops later, for its own reason). */
const WARNINGS: Array<[what: string, argv: string[]]> = [
  [
    "a --client-ca whose certificate is not a CA",
    [
      "serve",
      // A key of another certificate stops it after the warning, before it listens.
      ...["--tls-cert", "server.pem", "--tls-key", "client.key", "--client-ca", "client.pem"],
    ],
  ],
  ["a --server-ca whose certificate is not a CA", ["send", URL, "--server-ca", "server.pem"]],
  [
    "a proxy key that cannot be read here",
    [...PROXY, "--tls-cert", "server.pem", "--tls-key", "folder"],
  ],
];

/** What a user sees, with the temporary folder written as <cwd>. */
async function seen(argv: string[]): Promise<string> {
  const run = await runCliCaptured(argv, { cwd });
  return `$ netdata-webhook-kit ${argv.join(" ")}\nexit ${run.code}\n${run.stderr.replaceAll(cwd, "<cwd>")}`;
}

describe("CLI messages", () => {
  it("say each mistake in one style, as in the snapshot", async () => {
    const transcript: string[] = [];
    for (const [what, argv] of MISTAKES) transcript.push(`# ${what}\n${await seen(argv)}`);
    await expect(transcript.join("\n")).toMatchFileSnapshot("__snapshots__/cli-messages.txt");
  });

  it("say each warning in the same style, as in the snapshot", async () => {
    const transcript: string[] = [];
    for (const [what, argv] of WARNINGS) transcript.push(`# ${what}\n${await seen(argv)}`);
    await expect(transcript.join("\n")).toMatchFileSnapshot("__snapshots__/cli-warnings.txt");
  });

  it.each(MISTAKES)("gives %s one line naming the program and the command", async (_, argv) => {
    const run = await runCliCaptured(argv, { cwd });
    expect(run.code).toBe(2);
    const [first] = run.stderr.split("\n");
    const command =
      argv[0]?.startsWith("-") || argv[0] === "certz" || argv[0] === "frobnicate"
        ? ""
        : ` ${argv[0]}`;
    expect(first).toMatch(new RegExp(`^netdata-webhook-kit${command}: [^:]+: .+\\. .+`));
  });
});

describe("old option spellings", () => {
  it.each([
    [["--json", "report.json"], "--json FILE", "--json-file FILE"],
    [["--json", "-"], "--json -", "--json"],
  ])("verify %j still works and says to use the new name", async (flags, old, current) => {
    const run = await runCliCaptured(
      ["verify", ...flags, "--seed", "x", "https://127.0.0.1:1/webhooks/netdata"],
      { cwd },
    );
    expect(run.stderr.split("\n")[0]).toBe(
      `netdata-webhook-kit verify: deprecated option: ${old}. Use ${current} instead (${old} still works for now).`,
    );
    expect(run.stderr).toContain('--seed: not a whole number: "x".');
  });

  it("verify --json before the URL is the switch, not a file name", async () => {
    const run = await runCliCaptured(
      ["verify", "--json", "https://127.0.0.1:1/webhooks/netdata", "--seed", "x"],
      { cwd },
    );
    expect(run.stderr).not.toContain("deprecated");
    expect(run.stderr).toContain('--seed: not a whole number: "x".');
  });
});
