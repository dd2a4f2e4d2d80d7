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
  it("writes certs/dev under the working directory and prints every path with its expiry", async () => {
    const run = await runCliCaptured(["certs"], { cwd });
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

  it("writes into --out and says so by that path", async () => {
    const run = await runCliCaptured(["certs", "--out", "elsewhere"], { cwd });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^wrote elsewhere\/server\.pem \(expires /m);
  });

  it("keeps an existing PKI and says that --force regenerates it", async () => {
    await runCliCaptured(["certs"], { cwd });
    const run = await runCliCaptured(["certs"], { cwd });
    expect(run.code).toBe(0);
    expect(run.stdout).not.toMatch(/^wrote /m);
    expect(run.stdout).toMatch(/^kept {2}certs\/dev\/ca\.pem \(expires /m);
    expect(run.stdout).toMatch(/--force/);
    const forced = await runCliCaptured(["certs", "--force"], { cwd });
    expect(forced.stdout).toMatch(/^wrote certs\/dev\/ca\.pem /m);
  });

  it("exits 1 naming the missing file when the PKI is incomplete", async () => {
    await runCliCaptured(["certs"], { cwd });
    await rm(join(cwd, "certs", "dev", "server.pem"));
    const run = await runCliCaptured(["certs"], { cwd });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/server\.pem missing/);
    expect(run.stderr).toMatch(/certs --out certs\/dev --force/);
  });

  it("exits 2 on an unknown flag, writing nothing", async () => {
    const run = await runCliCaptured(["certs", "--outdir", "x"], { cwd });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/unknown option --outdir/);
    expect(await readdir(cwd)).toEqual([]);
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
