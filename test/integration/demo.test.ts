import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { runCliCaptured } from "../helpers/cli.js";

describe("demo (npm start)", () => {
  it("verifies a fresh reference receiver with the whole catalogue, exits 0 and cleans up", async () => {
    const run = await runCliCaptured(["demo"]);
    expect(run.stderr).toBe("");
    expect(run.code, run.stdout).toBe(0);
    expect(run.stdout).toContain("35 checks: 35 passed, 0 failed");
    expect(run.stdout).toContain("PASS: every required check ran and passed (exit 0)");
    expect(run.stdout.match(/\n {2}\d\. /g)).toHaveLength(3);
    for (const next of ["serve", "verify", "proxy"]) {
      expect(run.stdout).toContain(`netdata-webhook-kit ${next} `);
    }
    const pkiDir = /Development PKI written to (\S+) /.exec(run.stdout)?.[1];
    expect(pkiDir).toBeDefined();
    expect(existsSync(pkiDir ?? "/")).toBe(false);
  });
});
