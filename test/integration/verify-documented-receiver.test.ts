import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyReceiver } from "../../src/simulator/run.js";
import type { VerifyOptions, VerifyReport } from "../../src/simulator/types.js";
import { runCliCaptured } from "../helpers/cli.js";
import { startDocumentedReceiver } from "../helpers/documented-receiver.js";
import { pkiFile } from "../helpers/pki.js";
import { sharedTestPki, startTestReceiver } from "../helpers/receiver.js";

const TOKEN = "documented-receiver-token";
const SECRET = "documented-receiver-secret";

let pkiDir: string;

beforeAll(async () => {
  pkiDir = await sharedTestPki();
});

const notPassed = (report: VerifyReport) =>
  report.checks.filter((c) => c.status !== "pass").map((c) => `${c.id} ${c.status}: ${c.summary}`);

describe("verify against a receiver written from Netdata's documentation on node:https", () => {
  let url: string;
  let close: () => Promise<void>;
  beforeAll(async () => {
    const receiver = await startDocumentedReceiver({
      pkiDir,
      bearerToken: TOKEN,
      challengeSecret: SECRET,
    });
    url = receiver.url;
    close = receiver.close;
  });
  afterAll(() => close());

  it("passes with exit 0; only the recommended repeated-Authorization check fails", async () => {
    const run = await runCliCaptured(
      ["verify", url, "--pki", pkiDir, "--server-ca", pkiFile(pkiDir, "ca", "pem"), "--seed", "3"],
      { env: { NETDATA_BEARER_TOKEN: TOKEN, NETDATA_CHALLENGE_SECRET: SECRET } },
    );
    expect(run.stdout).toMatch(/FAIL {2}auth\.rejects-repeated .*\(recommended\)/);
    expect(run.stdout).toContain("35 checks: 34 passed, 1 failed (0 required, 1 recommended)");
    expect(run.stdout).toContain("PASS: every required check ran and passed (exit 0)");
    expect(run.code).toBe(0);
  });
});

describe("verify --proxy-headers against receivers behind a TLS proxy", () => {
  const options = (url: string, extra: Partial<VerifyOptions> = {}): VerifyOptions => ({
    url,
    proxyHeaders: true,
    pkiDir,
    auth: { scheme: "bearer", token: TOKEN },
    challengeSecret: SECRET,
    seed: 8,
    ...extra,
  });

  it("passes against serve --behind-proxy, every mTLS check played through the headers", async () => {
    const serve = await startTestReceiver({
      mode: "behind-proxy",
      clientIdentity: "proxy-headers",
      auth: { scheme: "bearer", token: TOKEN },
      challengeSecret: SECRET,
    });
    try {
      const report = await verifyReceiver(options(serve.url));
      const skipped = report.checks.filter((c) => c.status === "skip").map((c) => c.id);
      expect(skipped).toEqual(["tls.server-certificate", "tls.protocol"]);
      expect(report.checks.filter((c) => c.status !== "pass" && c.status !== "skip")).toEqual([]);
      const wrongCn = report.checks.find((c) => c.id === "mtls.rejects-wrong-cn");
      const sent = wrongCn?.exchanges[1]?.request.headers;
      expect(sent).toContainEqual(["x-client-verify", "SUCCESS"]);
      expect(sent).toContainEqual([
        "x-client-dn",
        expect.stringMatching(/^CN=(?!app\.netdata\.cloud)/),
      ]);
      expect(report.exitCode).toBe(0);
    } finally {
      await serve.close();
    }
  });

  it("plays the identities under the header names serve was told to read", async () => {
    const serve = await startTestReceiver({
      mode: "behind-proxy",
      clientIdentity: "proxy-headers",
      proxyHeaders: { verify: "X-SSL-Verified", dn: "X-SSL-Subject" },
      auth: { scheme: "bearer", token: TOKEN },
    });
    try {
      const renamed = options(serve.url, {
        proxyVerifyHeader: "X-SSL-Verified",
        proxyDnHeader: "X-SSL-Subject",
        only: ["mtls", "auth.accepts-valid"],
      });
      expect(notPassed(await verifyReceiver(renamed))).toEqual([]);
      const report = await verifyReceiver(options(serve.url, { only: ["mtls"] }));
      expect(report.baseline.diagnosis?.cause).toMatch(/missing proxy header|X-SSL-Verified/);
    } finally {
      await serve.close();
    }
  });

  it("passes against the documented receiver behind a proxy, without a PKI", async () => {
    const app = await startDocumentedReceiver({ bearerToken: TOKEN, challengeSecret: SECRET });
    try {
      const { pkiDir: _, ...noPki } = options(app.url);
      const report = await verifyReceiver(noPki);
      expect(report.checks.filter((c) => c.status === "fail").map((c) => c.id)).toEqual([
        "auth.rejects-repeated",
      ]);
      expect(report.exitCode).toBe(0);
    } finally {
      await app.close();
    }
  });

  it("fails mtls.rejects-wrong-cn against a receiver that ignores the DN header", async () => {
    const app = await startDocumentedReceiver({
      bearerToken: TOKEN,
      challengeSecret: SECRET,
      checkProxyDn: false,
    });
    try {
      const report = await verifyReceiver(options(app.url, { only: ["mtls"] }));
      const failed = report.checks.filter((c) => c.status === "fail").map((c) => c.id);
      expect(failed).toEqual([
        "mtls.rejects-wrong-cn",
        "mtls.rejects-lookalike-cn",
        "mtls.rejects-two-cn",
      ]);
      expect(report.checks.find((c) => c.id === "mtls.rejects-wrong-cn")?.cause).toMatch(
        /the CN is not checked/,
      );
      expect(report.exitCode).toBe(1);
    } finally {
      await app.close();
    }
  });
});
