import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateDevPki } from "../../src/pki/generate-dev-pki.js";
import { CHECK_IDS } from "../../src/simulator/catalogue.js";
import { verifyReceiver } from "../../src/simulator/run.js";
import type { VerifyOptions, VerifyReport } from "../../src/simulator/types.js";
import { pkiFile } from "../helpers/pki.js";
import { sharedTestPki, startTestReceiver, type TestReceiver } from "../helpers/receiver.js";

const TOKEN = "reference-bearer-token";
const SECRET = "reference-challenge-secret";

let pkiDir: string;
let receiver: TestReceiver;

beforeAll(async () => {
  pkiDir = await sharedTestPki();
  receiver = await startTestReceiver({
    pkiDir,
    auth: { scheme: "bearer", token: TOKEN },
    challengeSecret: SECRET,
  });
});

afterAll(async () => {
  await receiver.close();
});

function fullOptions(overrides: Partial<VerifyOptions> = {}): VerifyOptions {
  return {
    url: receiver.url,
    pkiDir,
    serverCa: pkiFile(pkiDir, "ca", "pem"),
    auth: { scheme: "bearer", token: TOKEN },
    challengeSecret: SECRET,
    ...overrides,
  };
}

const statusOf = (report: VerifyReport, id: string) => report.checks.find((c) => c.id === id);

describe("verify against the reference receiver", () => {
  it("passes the whole catalogue, recommended checks included", async () => {
    const report = await verifyReceiver(fullOptions());
    const notPassed = report.checks.filter((c) => c.status !== "pass");
    expect(notPassed.map((c) => `${c.id}: ${c.summary} ${c.cause ?? ""}`)).toEqual([]);
    expect(report.checks.map((c) => c.id)).toEqual(CHECK_IDS);
    expect(report).toMatchObject({ exitCode: 0, reachable: true });
    // It refuses a bad certificate by closing the connection, and bad input with a 4xx, which
    // from outside is also what a receiver that handled the request first does: only
    // --observe-* proves it (verify-canaries). Said once, naming the kit's inbox.
    expect(report.warnings).toEqual([
      expect.stringMatching(
        /^the \d+ refusals were judged on the wire only.*--observe-command 'netdata-webhook-kit inbox --json/,
      ),
    ]);
  });

  it("records what was sent and received, with the bearer token redacted", async () => {
    const report = await verifyReceiver(fullOptions({ only: ["auth.accepts-valid"] }));
    const [exchange] = statusOf(report, "auth.accepts-valid")?.exchanges ?? [];
    expect(exchange?.request).toMatchObject({
      method: "POST",
      identity: "client",
      authorization: `Bearer <${TOKEN.length} chars>`,
      contentType: "application/json",
    });
    expect(exchange?.response).toMatchObject({ status: 200, tlsProtocol: "TLSv1.3" });
    expect(JSON.stringify(report)).not.toContain(TOKEN);
  });

  it("names the missing --pki identity once, and reports the checks that need it as not run", async () => {
    const report = await verifyReceiver({
      url: receiver.url,
      serverCa: pkiFile(pkiDir, "ca", "pem"),
    });
    expect(report.baseline.diagnosis).toMatchObject({
      cause: expect.stringContaining("requires a client certificate and none was given"),
      fix: expect.stringContaining("--pki DIR"),
    });
    expect(statusOf(report, "mtls.accepts-netdata-client")?.summary).toMatch(
      /^not run: baseline failed/,
    );
    expect(statusOf(report, "delivery.alert-flat")?.summary).toMatch(/^not run: baseline failed/);
    expect(report.checks.filter((c) => c.status === "fail")).toEqual([]);
    expect(report.exitCode).toBe(1);
  });

  it("skips the CRC answer when no challenge secret is given", async () => {
    const { challengeSecret: _, ...withoutSecret } = fullOptions({ only: ["crc"] });
    const report = await verifyReceiver(withoutSecret);
    expect(statusOf(report, "crc.answers-challenge")).toMatchObject({
      status: "skip",
      skipKind: "incomplete",
      summary: expect.stringContaining("no --challenge-secret given"),
    });
    expect(report.exitCode).toBe(1);
    expect(statusOf(report, "crc.rejects-missing-token")?.status).toBe("pass");
  });

  it("skips the CRC checks for --profile current and the test notification for legacy-crc", async () => {
    const current = await verifyReceiver(
      fullOptions({ profile: "current", only: ["crc", "verification"] }),
    );
    expect(current.checks.map((c) => [c.id, c.status])).toEqual([
      ["crc.answers-challenge", "skip"],
      ["crc.rejects-missing-token", "skip"],
      ["crc.survives-odd-tokens", "skip"],
      ["verification.accepts-test-notification", "pass"],
    ]);
    const legacy = await verifyReceiver(
      fullOptions({ profile: "legacy-crc", only: ["crc", "verification"] }),
    );
    expect(legacy.checks.map((c) => c.status)).toEqual(["pass", "pass", "pass", "skip"]);
  });

  it("sends only flat payloads with --payloads flat", async () => {
    const report = await verifyReceiver(fullOptions({ payloads: "flat", only: ["delivery"] }));
    expect(statusOf(report, "delivery.alert-nested")?.summary).toContain("--payloads flat");
    expect(statusOf(report, "delivery.alert-flat")?.status).toBe("pass");
    const kinds = report.checks.flatMap((c) => c.exchanges.map((e) => e.label));
    expect(kinds.filter((label) => label.includes("nested"))).toEqual([]);
  });

  it("runs only the selected checks, and lists the skipped ones as skipped by request", async () => {
    const report = await verifyReceiver(
      fullOptions({ only: ["mtls"], skip: ["mtls.rejects-two-cn"] }),
    );
    expect(report.checks.map((c) => c.id)).toEqual(
      CHECK_IDS.filter((id) => id.startsWith("mtls.")),
    );
    expect(statusOf(report, "mtls.rejects-two-cn")).toMatchObject({
      status: "skip",
      skipKind: "by-request",
      exchanges: [],
    });
    expect(report.exitCode).toBe(0);
  });

  it("leaves the server-certificate check out under --insecure, with a warning: the run is incomplete", async () => {
    const { serverCa: _, ...rest } = fullOptions({ insecure: true, only: ["tls", "auth"] });
    const report = await verifyReceiver(rest);
    expect(statusOf(report, "tls.server-certificate")).toMatchObject({
      skipKind: "incomplete",
      summary: expect.stringContaining("--insecure"),
    });
    expect(report.warnings.join(" ")).toContain("--insecure");
    expect(report.exitCode).toBe(1);
  });

  it("trusts the --pki test CA for the server certificate when no server CA is given", async () => {
    const { serverCa: _, ...rest } = fullOptions({ only: ["tls.server-certificate", "mtls"] });
    const report = await verifyReceiver(rest);
    expect(statusOf(report, "tls.server-certificate")?.status).toBe("pass");
    expect(report.exitCode).toBe(0);
  });

  it("fails tls.server-certificate and skips the rest when the server CA is not trusted", async () => {
    const report = await verifyReceiver(
      fullOptions({
        only: ["tls.server-certificate", "mtls", "auth"],
        serverCa: join(pkiDir, "rogue-ca.pem"),
      }),
    );
    expect(statusOf(report, "tls.server-certificate")).toMatchObject({
      status: "fail",
      cause: expect.stringMatching(/SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE/),
    });
    expect(report.baseline.diagnosis?.fix).toContain("--server-ca FILE");
    expect(statusOf(report, "auth.accepts-valid")?.summary).toMatch(/^not run: baseline failed/);
    expect(report.exitCode).toBe(1);
  });
});

describe("verify against a reference receiver with Basic auth", () => {
  let basic: TestReceiver;
  const auth = { scheme: "basic", username: "netdata", password: "pa:ss word" } as const;
  beforeAll(async () => {
    basic = await startTestReceiver({ pkiDir, auth });
  });
  afterAll(async () => {
    await basic.close();
  });

  it("passes the auth checks, wrong user and wrong password included", async () => {
    const options = { url: basic.url, pkiDir, serverCa: pkiFile(pkiDir, "ca", "pem"), auth };
    const report = await verifyReceiver({ ...options, only: ["auth"] });
    expect(report.checks.map((c) => [c.id, c.status])).toEqual(
      CHECK_IDS.filter((id) => id.startsWith("auth.")).map((id) => [id, "pass"]),
    );
    const labels = statusOf(report, "auth.rejects-wrong")?.exchanges.map((e) => e.label);
    expect(labels).toEqual([
      "control, with the configured credentials",
      "wrong password",
      "wrong user",
    ]);
  });

  it("names refused Basic credentials as the one cause with the wrong password", async () => {
    const wrong = { ...auth, password: "nope" };
    const options = { url: basic.url, pkiDir, serverCa: pkiFile(pkiDir, "ca", "pem"), auth: wrong };
    const report = await verifyReceiver({ ...options, only: ["auth.accepts-valid"] });
    expect(report.baseline.diagnosis?.cause).toMatch(
      /^credentials refused: HTTP 401 .*WWW-Authenticate: Basic.*verify sent Basic credentials/,
    );
    expect(report.checks[0]?.summary).toMatch(/^not run: baseline failed/);
    expect(report.exitCode).toBe(1);
  });
});

describe("verify against a receiver whose certificate expires soon", () => {
  it("passes tls.server-certificate with a warning within 30 days of expiry", async () => {
    const oldPki = await mkdtemp(join(tmpdir(), "ndwk-old-pki-"));
    // Issued 810 days ago: the 825-day server certificate has about 15 days left.
    await generateDevPki({ outDir: oldPki, now: new Date(Date.now() - 810 * 24 * 3600 * 1000) });
    const old = await startTestReceiver({ pkiDir: oldPki });
    try {
      const report = await verifyReceiver({
        url: old.url,
        serverCa: pkiFile(oldPki, "ca", "pem"),
        only: ["tls.server-certificate"],
      });
      expect(report.checks[0]).toMatchObject({
        status: "pass",
        warnings: [expect.stringMatching(/expires in 1[45] days/)],
      });
    } finally {
      await old.close();
      await rm(oldPki, { recursive: true, force: true });
    }
  });
});

describe("verify with --allow-http against a receiver behind a proxy", () => {
  let plain: TestReceiver;
  beforeAll(async () => {
    plain = await startTestReceiver({
      mode: "behind-proxy",
      // The proxy in front would check the certificate; here verify talks to the app directly.
      clientIdentity: "none",
      auth: { scheme: "bearer", token: TOKEN },
      challengeSecret: SECRET,
    });
  });
  afterAll(async () => {
    await plain.close();
  });

  it("with --allow-http skips https-only and the TLS checks, runs the rest, and is incomplete", async () => {
    const report = await verifyReceiver({
      url: plain.url,
      allowHttp: true,
      auth: { scheme: "bearer", token: TOKEN },
      challengeSecret: SECRET,
    });
    const skipped = report.checks.filter((c) => c.status === "skip").map((c) => c.id);
    expect(skipped).toEqual(CHECK_IDS.filter((id) => /^(tls\.|mtls\.)/.test(id)));
    expect(report.checks.filter((c) => c.status === "fail")).toEqual([]);
    expect(report.exitCode).toBe(1);
  });

  it("fails tls.https-only for an http URL without --allow-http", async () => {
    const report = await verifyReceiver({ url: plain.url, only: ["tls"] });
    expect(report.checks.map((c) => [c.id, c.status])).toEqual([
      ["tls.https-only", "fail"],
      ["tls.server-certificate", "skip"],
      ["tls.protocol", "skip"],
    ]);
    expect(report.exitCode).toBe(1);
  });
});
