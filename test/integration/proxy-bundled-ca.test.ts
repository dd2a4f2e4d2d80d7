// `proxy` without --client-ca: the config must keep working when the kit that wrote it is
// gone (after `npm ci`, or on the server the config is copied to). The kit runs here from a
// copy of its build that is deleted before nginx and Apache read the configs.
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { NETDATA_ROOT_CA_PATH } from "../../src/proxy/options.js";
import { makeTestPki, pkiFile } from "../helpers/pki.js";
import { checkApacheConfig, checkNginxConfig } from "../helpers/servers.js";

const repo = new URL("../..", import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), "ndwk-proxy-ca-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Runs `proxy` from a throw-away copy of the kit, then deletes the copy. */
async function generateWithKitRemoved(server: "nginx" | "apache"): Promise<string> {
  const kit = join(work, `kit-${server}`);
  mkdirSync(join(kit, "certs"), { recursive: true });
  cpSync(join(repo, "dist"), join(kit, "dist"), { recursive: true });
  cpSync(join(repo, "templates/proxy"), join(kit, "templates/proxy"), { recursive: true });
  cpSync(join(repo, "package.json"), join(kit, "package.json"));
  cpSync(NETDATA_ROOT_CA_PATH, join(kit, "certs/netdata-ca.pem"));
  symlinkSync(join(repo, "node_modules"), join(kit, "node_modules"));
  const pki = await makeTestPki();
  const out = join(work, `site-${server}`);
  mkdirSync(out);
  execFileSync(
    process.execPath,
    [
      join(kit, "dist/cli.js"),
      "proxy",
      server,
      "--server-name",
      "hooks.example.test",
      "--tls-cert",
      pkiFile(pki, "server", "pem"),
      "--tls-key",
      pkiFile(pki, "server", "key"),
      "--out-file",
      join(out, "site.conf"),
    ],
    { stdio: "pipe" },
  );
  rmSync(kit, { recursive: true, force: true });
  const config = readFileSync(join(out, "site.conf"), "utf8");
  expect(config).not.toContain(kit);
  expect(config).toContain(`--client-ca ${join(out, "netdata-ca.pem")}\n`);
  expect(readFileSync(join(out, "netdata-ca.pem"), "utf8")).toBe(
    readFileSync(NETDATA_ROOT_CA_PATH, "utf8"),
  );
  return config;
}

describe("proxy without --client-ca", () => {
  it("writes an nginx config that nginx -t accepts after the kit's folder is removed", async () => {
    const check = await checkNginxConfig(await generateWithKitRemoved("nginx"));
    expect(check.output).toMatch(/test is successful|syntax is ok/);
    expect(check.ok).toBe(true);
  });

  it("writes an Apache config that apache2 -t accepts after the kit's folder is removed", async () => {
    const check = await checkApacheConfig(await generateWithKitRemoved("apache"));
    expect(check.ok).toBe(true);
  });
});
