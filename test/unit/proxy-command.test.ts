import {
  copyFileSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { NETDATA_ROOT_CA_PATH } from "../../src/proxy/options.js";
import { renderProxyConfig } from "../../src/proxy/proxy-config.js";
import { runCliCaptured } from "../helpers/cli.js";
import { makeTestPki, pkiFile } from "../helpers/pki.js";

const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8"));
const dir = mkdtempSync(join(tmpdir(), "ndwk-proxy-cmd-"));
// Files that are here are checked as the server will read them: a real pair.
const pki = await makeTestPki();
copyFileSync(pkiFile(pki, "server", "pem"), join(dir, "cert.pem"));
copyFileSync(pkiFile(pki, "server", "key"), join(dir, "key.pem"));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(pki, { recursive: true, force: true });
});

const IDENTITY = [
  "--server-name",
  "hooks.example.com",
  "--tls-cert",
  "cert.pem",
  "--tls-key",
  "key.pem",
];
const WRITTEN_CA = join(dir, "netdata-ca.pem");
const run = (argv: string[]) => runCliCaptured(argv, { cwd: dir });

describe("netdata-webhook-kit proxy", () => {
  it.each(["nginx", "apache"] as const)(
    "prints the %s config for the given options, file paths made absolute",
    async (server) => {
      const result = await run(["proxy", server, ...IDENTITY, "--listen", "8443"]);
      expect(result.code).toBe(0);
      expect(result.stdout).toBe(
        renderProxyConfig(server, {
          serverName: "hooks.example.com",
          cert: join(dir, "cert.pem"),
          key: join(dir, "key.pem"),
          listen: "8443",
          clientCa: WRITTEN_CA,
          clientCaOrigin: `the Netdata Root CA bundled with netdata-webhook-kit ${pkg.version}, written there by this command`,
        }),
      );
      expect(result.stdout).toContain(`--client-ca ${WRITTEN_CA}\n`);
    },
  );

  it("passes every repeated --expected-cn on", async () => {
    const result = await run([
      "proxy",
      "apache",
      ...IDENTITY,
      "--expected-cn",
      "app.netdata.cloud",
      "--expected-cn",
      "api.netdata.cloud",
    ]);
    expect(result.stdout).toContain("in { 'app.netdata.cloud', 'api.netdata.cloud' }");
  });

  it("writes --out-file FILE and prints the path it wrote", async () => {
    const result = await run(["proxy", "nginx", ...IDENTITY, "--out-file", "site.conf"]);
    expect(result).toMatchObject({ code: 0, stdout: "" });
    expect(result.stderr).toMatch(new RegExp(`\nwrote ${join(dir, "site.conf")}\n$`));
    expect(readFileSync(join(dir, "site.conf"), "utf8")).toContain("ssl_verify_client on;");
  });

  it("refuses to replace an existing --out file without --force (exit 2), and leaves it alone", async () => {
    writeFileSync(join(dir, "kept.conf"), "mine");
    const result = await run(["proxy", "nginx", ...IDENTITY, "--out-file", "kept.conf"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/kept\.conf already exists\. Pass --force/);
    expect(readFileSync(join(dir, "kept.conf"), "utf8")).toBe("mine");
  });

  it("with --force, replaces a symlink at --out instead of writing through it", async () => {
    writeFileSync(join(dir, "precious.txt"), "precious");
    symlinkSync(join(dir, "precious.txt"), join(dir, "link.conf"));
    const result = await run(["proxy", "nginx", ...IDENTITY, "--out-file", "link.conf", "--force"]);
    expect(result.code).toBe(0);
    expect(readFileSync(join(dir, "precious.txt"), "utf8")).toBe("precious");
    expect(lstatSync(join(dir, "link.conf")).isSymbolicLink()).toBe(false);
    expect(readFileSync(join(dir, "link.conf"), "utf8")).toContain("ssl_verify_client on;");
  });

  it("without --client-ca, writes the bundled CA beside --out-file and never names the kit's copy", async () => {
    mkdirSync(join(dir, "out"), { recursive: true });
    const result = await run(["proxy", "apache", ...IDENTITY, "--out-file", "out/site.conf"]);
    expect(result.code).toBe(0);
    const config = readFileSync(join(dir, "out/site.conf"), "utf8");
    expect(config).toContain(`--client-ca ${join(dir, "out/netdata-ca.pem")}\n`);
    expect(config).toContain(
      "# --client-ca is the Netdata Root CA bundled with netdata-webhook-kit",
    );
    expect(config).not.toContain(NETDATA_ROOT_CA_PATH);
    expect(readFileSync(join(dir, "out/netdata-ca.pem"))).toEqual(
      readFileSync(NETDATA_ROOT_CA_PATH),
    );
  });

  it("refuses to overwrite a different file where it would write the CA", async () => {
    mkdirSync(join(dir, "taken"), { recursive: true });
    writeFileSync(join(dir, "taken/netdata-ca.pem"), "someone else's CA");
    const result = await run(["proxy", "nginx", ...IDENTITY, "--out-file", "taken/site.conf"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      `a different file is already at the CA path: ${join(dir, "taken/netdata-ca.pem")}. Pass --client-ca`,
    );
    expect(readFileSync(join(dir, "taken/netdata-ca.pem"), "utf8")).toBe("someone else's CA");
  });

  it("warns, and still prints, when a certificate file does not exist here", async () => {
    const result = await run(["proxy", "nginx", ...IDENTITY, "--client-ca", "nope.pem"]);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe(
      `warning: --client-ca ${join(dir, "nope.pem")} does not exist here; the server will not start without it.\n`,
    );
  });

  it.each([
    [["proxy", "caddy", ...IDENTITY], 'unknown server: "caddy". Pass nginx or apache.'],
    [["proxy", "ngnix", ...IDENTITY], 'unknown server: "ngnix". Did you mean nginx?'],
    [["proxy", "nginx", "--tls-cert", "c", "--tls-key", "k"], "--server-name is required."],
    [["proxy", "nginx", ...IDENTITY, "--listen", "https"], "--listen: expected a port (443)"],
    [
      ["proxy", "nginx", ...IDENTITY, "--verify-depth", "0"],
      '--verify-depth: expected an integer 1-10, got "0".',
    ],
    [
      ["proxy", "apache", ...IDENTITY, "--expected-cn", "*.netdata.cloud"],
      "--expected-cn: expected a host name",
    ],
  ])("exits 2 with a message naming the mistake: %j", async (argv, message) => {
    const result = await run(argv);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain(`netdata-webhook-kit proxy: ${message}`);
  });
});
