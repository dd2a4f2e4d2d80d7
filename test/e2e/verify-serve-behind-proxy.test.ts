import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseJsonReport } from "../../src/simulator/report-json.js";
import { runCliCaptured } from "../helpers/cli.js";
import { type ServeProcess, sharedTestPki, spawnServe } from "../helpers/receiver.js";

// The real `serve --behind-proxy` process, verified with `verify --proxy-headers`: the mTLS
// checks travel as the X-Client-Verify / X-Client-DN headers its proxy would forward.

const TOKEN = "serve-behind-proxy-token";
let dir: string;
let pkiDir: string;
let serve: ServeProcess;

beforeAll(async () => {
  pkiDir = await sharedTestPki();
  dir = await mkdtemp(join(tmpdir(), "ndwk-serve-proxy-"));
  await writeFile(join(dir, "token.txt"), `${TOKEN}\n`);
  serve = await spawnServe(
    [
      ...["--behind-proxy", "--port", "0", "--db", join(dir, "inbox.db")],
      ...["--auth", "bearer", "--bearer-token-file", "token.txt"],
    ],
    { cwd: dir },
  );
});

afterAll(async () => {
  serve?.child.kill("SIGTERM");
  await serve?.exited;
  await rm(dir, { recursive: true, force: true });
});

describe("verify --proxy-headers against serve --behind-proxy", () => {
  it("passes every check it can play over plain HTTP, and exits 0", async () => {
    const run = await runCliCaptured(
      ["verify", serve.url, "--proxy-headers", "--pki", pkiDir, "--profile", "current", "--json"],
      { cwd: dir, env: { NETDATA_BEARER_TOKEN: TOKEN } },
    );
    const report = parseJsonReport(run.stdout);
    const notPassed = report.checks.filter((c) => c.status !== "pass" && c.status !== "skip");
    expect(notPassed.map((c) => `${c.id}: ${c.summary}`)).toEqual([]);
    expect(report.checks.filter((c) => c.id.startsWith("mtls.")).map((c) => c.status)).toEqual(
      report.checks.filter((c) => c.id.startsWith("mtls.")).map(() => "pass"),
    );
    // --proxy-headers leaves TLS to the proxy and --profile current says there is no CRC
    // challenge: those required checks do not apply, so the run is complete.
    expect(
      report.checks.filter((c) => c.skipKind === "not-applicable" && c.level === "required"),
    ).toEqual([
      expect.objectContaining({ id: "tls.server-certificate" }),
      expect.objectContaining({ id: "crc.answers-challenge" }),
    ]);
    expect(run.stderr).toMatch(
      /^PASS: every required check ran and passed \(2 not applicable\) \(exit 0\)$/m,
    );
    expect(run.code).toBe(0);
  });

  it("without --proxy-headers, names the missing proxy header as the one cause", async () => {
    const run = await runCliCaptured(["verify", serve.url, "--allow-http", "--only", "auth"], {
      cwd: dir,
      env: { NETDATA_BEARER_TOKEN: TOKEN },
    });
    expect(run.stdout).toMatch(/^BASELINE FAILED: refused for a missing proxy header/m);
    expect(run.stdout).toContain("fix: Pass --proxy-headers");
    expect(run.code).toBe(1);
  });
});
