import http, { type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseJsonReport } from "../../src/simulator/report-json.js";
import { runCliCaptured } from "../helpers/cli.js";

// A plain-HTTP app that accepts everything and remembers the headers of each request.
let server: http.Server;
let url: string;
const seen: IncomingHttpHeaders[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    seen.push(req.headers);
    req.resume();
    req.on("end", () => {
      res.writeHead(200, { "content-type": "application/json", "x-served-by": "echo" });
      res.end('{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/netdata`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const HEADERS = ["--header", "X-Api-Key: s3cret-value", "--header", "X-Team:ops"];

describe("--header", () => {
  it("adds each header to the notification send posts", async () => {
    seen.length = 0;
    const run = await runCliCaptured(["send", url, "--allow-http", ...HEADERS]);
    expect(run.code).toBe(0);
    expect(seen[0]).toMatchObject({ "x-api-key": "s3cret-value", "x-team": "ops" });
  });

  it("adds each header to every request of verify, and the transcript hides the secret", async () => {
    seen.length = 0;
    const run = await runCliCaptured([
      "verify",
      url,
      "--allow-http",
      ...HEADERS,
      "--only",
      "delivery.alert-nested,crc",
      "--json",
      "-",
    ]);
    expect(seen.length).toBeGreaterThan(5);
    for (const headers of seen) expect(headers["x-team"]).toBe("ops");
    const report = parseJsonReport(run.stdout);
    const exchange = report.checks.find((c) => c.id === "delivery.alert-nested")?.exchanges[0];
    expect(exchange?.request.headers).toContainEqual(["x-api-key", "<12 chars>"]);
    expect(exchange?.request.headers).toContainEqual(["x-team", "ops"]);
    expect(exchange?.request.bodyStart).toMatch(/^\{/);
    expect(exchange?.response.headers["x-served-by"]).toBe("echo");
    expect(run.stdout).not.toContain("s3cret-value");
    expect(report.settings.headers).toEqual(["X-Api-Key", "X-Team"]);
  });

  it("prints the transcript of each check with --verbose", async () => {
    const run = await runCliCaptured([
      "verify",
      url,
      "--allow-http",
      ...HEADERS,
      "--only",
      "delivery.alert-nested",
      "--verbose",
    ]);
    expect(run.stdout).toMatch(/> x-api-key: <12 chars>/);
    expect(run.stdout).toMatch(/< HTTP 200 in [\d.]+ ms/);
    expect(run.stdout).toContain("< x-served-by: echo");
    expect(run.stdout).not.toContain("s3cret-value");
  });

  it('refuses a header without a colon, naming the expected "Name: value"', async () => {
    const run = await runCliCaptured(["verify", url, "--allow-http", "--header", "X-Team ops"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--header: expected "Name: value", got "X-Team ops"');
  });
});
