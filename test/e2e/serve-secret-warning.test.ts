// `serve` warns once at start-up when a secret came from the command line, where `ps` shows it.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { spawnServe, TEST_SECRETS } from "../helpers/receiver.js";

const dir = mkdtempSync(join(tmpdir(), "ndwk-secret-flag-"));
writeFileSync(join(dir, "token.txt"), TEST_SECRETS.bearerToken, { mode: 0o600 });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function startupLog(secretArgs: string[]): Promise<string> {
  const serve = await spawnServe(
    ["--behind-proxy", "--port", "0", "--db", "inbox.db", "--auth", "bearer", ...secretArgs],
    { cwd: dir },
  );
  serve.child.kill("SIGTERM");
  await serve.exited;
  return serve.output().stdout;
}

describe("serve with a secret", () => {
  it("on the command line: logs one warning naming the flag and the alternatives, never the secret", async () => {
    const log = await startupLog(["--bearer-token", TEST_SECRETS.bearerToken]);
    const warnings = log
      .split("\n")
      .filter((l) => l.includes("a secret was given on the command line"))
      .map((l) => JSON.parse(l));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({
      level: "warn",
      options: ["--bearer-token"],
      instead: ["--bearer-token-file FILE or NETDATA_BEARER_TOKEN"],
    });
    expect(log).not.toContain(TEST_SECRETS.bearerToken);
  });

  it("from a file: no warning", async () => {
    const log = await startupLog(["--bearer-token-file", "token.txt"]);
    expect(log).not.toContain("a secret was given on the command line");
  });
});
