import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { PKI_NAMES } from "../../src/pki/pki-names.js";
import { runCliCaptured } from "../helpers/cli.js";

let cwd: string;
beforeEach(async () => {
  cwd = await mkdtemp(join(tmpdir(), "ndwk-certs-"));
});

const isoDay = /\d{4}-\d{2}-\d{2}/;

describe("netdata-webhook-kit certs", () => {
  it("prints a five-line summary and the next command to run", async () => {
    const run = await runCliCaptured(["certs"], { cwd });
    expect(run).toMatchObject({ code: 0, stderr: "" });
    const lines = run.stdout.trimEnd().split("\n");
    expect(lines.map((line) => line.split(":")[0])).toEqual([
      "PKI",
      "CA",
      "server",
      "clients",
      "expiry",
      "Next",
    ]);
    expect(lines[2]).toBe("server:   certs/dev/server.pem for localhost, 127.0.0.1, ::1");
    expect(lines[5]).toBe("Next: npx netdata-webhook-kit serve --dev");
  });

  it("with --verbose, writes certs/dev under the working directory and prints every path with its expiry", async () => {
    const run = await runCliCaptured(["certs", "--verbose"], { cwd });
    expect(run).toMatchObject({ code: 0, stderr: "" });
    expect(run.stdout).toMatch(/^wrote certs\/dev\/client-expired\.pem \(expired \d{4}-/m);
    for (const name of PKI_NAMES) {
      expect(run.stdout).toMatch(
        new RegExp(`^wrote certs/dev/${name}\\.pem \\(expire[sd] ${isoDay.source}\\)$`, "m"),
      );
      expect(run.stdout).toMatch(new RegExp(`^wrote certs/dev/${name}\\.key$`, "m"));
    }
    expect((await readdir(join(cwd, "certs", "dev"))).sort()).toHaveLength(26);
    expect((await stat(join(cwd, "certs", "dev", "client.key"))).mode & 0o777).toBe(0o600);
  });

  it("writes into --pki and says so by that path, in the next command too", async () => {
    const run = await runCliCaptured(["certs", "--pki", "elsewhere"], { cwd });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^PKI: {6}elsewhere: wrote a new PKI/m);
    expect(run.stdout).toMatch(/^Next: npx netdata-webhook-kit serve --dev --pki elsewhere$/m);
  });

  it("refuses the old --out and names --pki", async () => {
    const run = await runCliCaptured(["certs", "--out", "elsewhere"], { cwd });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("unknown option: --out. Did you mean --pki?");
    expect(existsSync(join(cwd, "elsewhere"))).toBe(false);
  });

  it("keeps an existing PKI and says that --force regenerates it", async () => {
    await runCliCaptured(["certs"], { cwd });
    const run = await runCliCaptured(["certs", "--verbose"], { cwd });
    expect(run.code).toBe(0);
    expect(run.stdout).not.toMatch(/^wrote /m);
    expect(run.stdout).toMatch(/^kept {2}certs\/dev\/ca\.pem \(expires /m);
    expect(run.stdout).toMatch(/--force/);
    const forced = await runCliCaptured(["certs", "--force", "--verbose"], { cwd });
    expect(forced.stdout).toMatch(/^wrote certs\/dev\/ca\.pem /m);
  });

  it("exits 1 naming the missing file when the PKI is incomplete", async () => {
    await runCliCaptured(["certs"], { cwd });
    await rm(join(cwd, "certs", "dev", "server.pem"));
    const run = await runCliCaptured(["certs"], { cwd });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/server\.pem missing/);
    expect(run.stderr).toMatch(/certs --pki certs\/dev --force/);
  });

  it("exits 2 on an unknown flag, writing nothing", async () => {
    const run = await runCliCaptured(["certs", "--outdir", "x"], { cwd });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^netdata-webhook-kit certs: unknown option: --outdir\. /);
    expect(await readdir(cwd)).toEqual([]);
  });

  it("adds every --host to the server certificate's subjectAltName, beside localhost and loopback", async () => {
    const run = await runCliCaptured(
      ["certs", "--host", "hooks.example.test", "--host", "192.0.2.10", "--host", "2001:db8::1"],
      { cwd },
    );
    expect(run.code).toBe(0);
    const san = execFileSync(
      "openssl",
      ["x509", "-in", join(cwd, "certs/dev/server.pem"), "-noout", "-ext", "subjectAltName"],
      { encoding: "utf8" },
    );
    expect(san.split("\n")[1]?.trim()).toBe(
      "DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1, DNS:hooks.example.test, IP Address:192.0.2.10, IP Address:2001:DB8:0:0:0:0:0:1",
    );
    expect(run.stdout).toContain(
      "server:   certs/dev/server.pem for localhost, 127.0.0.1, ::1, hooks.example.test, 192.0.2.10, 2001:db8::1\n",
    );
  });

  it("refuses a --host that is neither a DNS name nor an IP address, writing nothing", async () => {
    const run = await runCliCaptured(["certs", "--host", "hooks example"], { cwd });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--host: not a DNS name or IP address: "hooks example".');
    expect(await readdir(cwd)).toEqual([]);
  });

  it("exits 1 when a kept PKI's server certificate lacks a --host, naming the command that fixes it", async () => {
    await runCliCaptured(["certs"], { cwd });
    const run = await runCliCaptured(["certs", "--host", "hooks.example.test"], { cwd });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      "lacks: hooks.example.test. Run 'netdata-webhook-kit certs --pki certs/dev --host hooks.example.test --force'",
    );
  });

  it("leads its help with examples", async () => {
    const run = await runCliCaptured(["certs", "--help"], { cwd });
    expect(run.code).toBe(0);
    expect(run.stdout.split("\n")[2]).toBe("Examples:");
    expect(run.stdout).toMatch(/--force/);
  });
});

describe("certs under a permissive umask", () => {
  it("creates its folders 0700 and its keys 0600 even with umask 000", async () => {
    const { BUILT_CLI } = await import("../helpers/receiver.js");
    const { execFileSync } = await import("node:child_process");
    execFileSync(
      "/bin/sh",
      ["-c", `umask 000 && exec "${process.execPath}" "${BUILT_CLI}" certs`],
      {
        cwd,
        stdio: "ignore",
      },
    );
    for (const dir of [join(cwd, "certs"), join(cwd, "certs", "dev")]) {
      expect((await stat(dir)).mode & 0o777, dir).toBe(0o700);
    }
    expect((await stat(join(cwd, "certs", "dev", "client.key"))).mode & 0o777).toBe(0o600);
  });
});
