import { describe, expect, it } from "vitest";
import { isLoopbackHost, resolveAdminListen } from "../../src/admin/admin-options.js";
import { runCliCaptured } from "../helpers/cli.js";

describe("admin console listen options", () => {
  it.each([
    ["127.0.0.1", true],
    ["127.8.9.10", true],
    ["localhost", true],
    ["::1", true],
    ["[::1]", true],
    ["::ffff:127.0.0.1", true],
    ["0.0.0.0", false],
    ["::", false],
    ["192.168.1.10", false],
    ["128.0.0.1", false],
    ["localhost.example", false],
    ["::ffff:10.0.0.1", false],
  ])("isLoopbackHost(%j) is %s", (host, expected) => {
    expect(isLoopbackHost(host)).toBe(expected);
  });

  it("refuses a non-loopback host without a token, and accepts it with one", () => {
    expect(() => resolveAdminListen({ host: "0.0.0.0", port: 0 })).toThrow(
      /host: "0.0.0.0" is not a loopback address.*give an admin token, or bind 127.0.0.1/,
    );
    expect(
      resolveAdminListen({ host: "0.0.0.0", port: 0, token: "t0ken-t0ken-t0ken" }),
    ).toMatchObject({
      host: "0.0.0.0",
      loopback: false,
    });
    expect(resolveAdminListen({ port: 9443 })).toMatchObject({ host: "127.0.0.1", loopback: true });
  });

  it("refuses a token that cannot travel in an Authorization header, without echoing it", () => {
    expect(() => resolveAdminListen({ port: 0, token: "has space" })).toThrow(
      /token: the admin token is not a token68: a space at character 4/,
    );
  });

  it("refuses an admin token shorter than 16 characters, saying its length and not its value", () => {
    expect(() => resolveAdminListen({ port: 0, token: "short-token" })).toThrow(
      "token: the admin token is 11 characters; use at least 16",
    );
    try {
      resolveAdminListen({ port: 0, token: "short-token" });
    } catch (error) {
      expect((error as Error).message).not.toContain("short-token");
    }
    expect(resolveAdminListen({ port: 0, token: "a".repeat(16) }).token).toBe("a".repeat(16));
  });
});

describe("serve --admin-host", () => {
  it("refuses to start beyond loopback without an admin token (exit 2), naming the fix", async () => {
    const run = await runCliCaptured([
      "serve",
      "--dev",
      "--admin-port",
      "0",
      "--admin-host",
      "0.0.0.0",
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--admin-host "0.0.0.0" is not a loopback address');
    expect(run.stderr).toContain("--admin-token-file FILE or NETDATA_WEBHOOK_ADMIN_TOKEN");
    expect(run.stdout).toBe("");
  });

  it("refuses --admin-host or an admin token without --admin-port", async () => {
    const run = await runCliCaptured(["serve", "--dev", "--admin-host", "127.0.0.1"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("need --admin-port PORT");
  });

  it("refuses a short admin token before starting anything (exit 2)", async () => {
    const run = await runCliCaptured(["serve", "--dev", "--admin-port", "0"], {
      env: { NETDATA_WEBHOOK_ADMIN_TOKEN: "tooshort" },
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("--admin-token: the admin token is 8 characters; use at least 16");
    expect(run.stderr).not.toContain("tooshort");
    expect(run.stdout).toBe("");
  });

  it("refuses an --admin-port that is not a port", async () => {
    const run = await runCliCaptured(["serve", "--dev", "--admin-port", "80a"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      '--admin-port: not a whole number: "80a". Pass a whole number from 0 to 65535.',
    );
  });
});
