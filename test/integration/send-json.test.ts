// send --json, send --proxy-headers, the fixes send suggests when trust fails either way,
// and verify --list --json.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCliCaptured } from "../helpers/cli.js";
import { sharedTestPki, startTestReceiver, type TestReceiver } from "../helpers/receiver.js";

const TOKEN = "send-json-bearer-token";
let pkiDir: string;
let direct: TestReceiver;
let behindProxy: TestReceiver;

beforeAll(async () => {
  pkiDir = await sharedTestPki();
  direct = await startTestReceiver({ pkiDir, auth: { scheme: "bearer", token: TOKEN } });
  behindProxy = await startTestReceiver({ pkiDir, mode: "behind-proxy" });
});
afterAll(async () => {
  await direct.close();
  await behindProxy.close();
});

const env = { NETDATA_BEARER_TOKEN: TOKEN };

describe("send --json", () => {
  it("prints one JSON document: the request sent, the answer and timings, no secret", async () => {
    const ca = join(pkiDir, "ca.pem");
    const run = await runCliCaptured(
      ["send", direct.url, "--pki", pkiDir, "--server-ca", ca, "--json"],
      { env },
    );
    expect(run.code).toBe(0);
    const document = JSON.parse(run.stdout);
    expect(document.url).toBe(direct.url);
    expect(document.request.method).toBe("POST");
    expect(document.request.identity).toBe("client");
    expect(document.request.headers).toContainEqual([
      "authorization",
      `Bearer <${TOKEN.length} chars>`,
    ]);
    expect(document.response.status).toBe(200);
    expect(document.response.headers["content-type"]).toMatch(/^application\/json/);
    expect(JSON.parse(document.response.body)).toMatchObject({ status: "accepted" });
    expect(document.timings.totalMs).toBeGreaterThan(0);
    expect(document.timings.setupMs).toBeGreaterThan(0);
    expect(document.timings.answerMs).toBeGreaterThanOrEqual(0);
    expect(run.stdout).not.toContain(TOKEN);
  });

  it("adds a summary of every request when sending more than one", async () => {
    const ca = join(pkiDir, "ca.pem");
    const run = await runCliCaptured(
      ["send", direct.url, "--pki", pkiDir, "--server-ca", ca, "--json", "--count", "3"],
      { env },
    );
    const { summary } = JSON.parse(run.stdout);
    expect(summary).toMatchObject({ count: 3, concurrency: 1, outcomes: { "HTTP 200": 3 } });
    expect(Object.keys(summary.latencyMs)).toEqual(["p50", "p90", "p99", "max"]);
  });
});

describe("send --proxy-headers", () => {
  it("plays the TLS proxy: the app behind it accepts the client as Netdata", async () => {
    const run = await runCliCaptured([
      "send",
      behindProxy.url,
      "--proxy-headers",
      "--pki",
      pkiDir,
      "--json",
    ]);
    expect(run.code).toBe(0);
    const { request } = JSON.parse(run.stdout);
    expect(request.headers).toContainEqual(["x-client-verify", "SUCCESS"]);
    expect(request.headers.map(([name]: [string]) => name)).toContain("x-client-dn");
  });

  it("is needed: without the proxy's headers the app refuses the request", async () => {
    const run = await runCliCaptured(["send", behindProxy.url, "--allow-http", "--pki", pkiDir]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/HTTP 4\d\d/);
  });
});

describe("send over https without what trust needs", () => {
  it("suggests --server-ca FILE (or --pki DIR) for a server certificate it does not trust", async () => {
    const run = await runCliCaptured(["send", direct.url], { env });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /^netdata-webhook-kit send: the server certificate is not trusted: \w+\. Pass --server-ca FILE with the CA that issued it \(--pki DIR trusts the test CA of a 'certs' folder\), or --insecure to skip the check\.\n$/,
    );
  });

  it("suggests --pki DIR when the receiver refuses a client without a certificate", async () => {
    const run = await runCliCaptured(["send", direct.url, "--server-ca", join(pkiDir, "ca.pem")], {
      env,
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /^netdata-webhook-kit send: refused without a client certificate: .+\. Netdata presents one: pass --pki DIR \(a folder from 'certs'\) or --client-cert FILE --client-key FILE\.\n$/,
    );
  });
});

describe("verify --list --json", () => {
  it("prints the check catalogue as one JSON document", async () => {
    const run = await runCliCaptured(["verify", "--list", "--json"]);
    expect(run.code).toBe(0);
    const { levels, checks } = JSON.parse(run.stdout);
    expect(levels).toMatch(/^required: /);
    expect(checks[0]).toMatchObject({ id: "tls.https-only", level: "required" });
    expect(checks.every((c: { title: string; fix: string }) => c.title && c.fix)).toBe(true);
  });
});
