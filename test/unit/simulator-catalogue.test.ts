import { describe, expect, it } from "vitest";
import { CHECK_CATALOGUE, CHECK_IDS, selectChecks } from "../../src/simulator/catalogue.js";
import { redactAuthorization } from "../../src/simulator/exchange.js";
import type { Outcome } from "../../src/simulator/http-client.js";
import {
  classifyRequestError,
  describeOutcome,
  isRefusal,
} from "../../src/simulator/outcome-classify.js";

/**
 * The public contract: ids, order and levels. Required: Netdata's deliveries would fail, or a
 * sender without Netdata's identity or credentials would be accepted; else recommended.
 */
const PUBLIC_CATALOGUE: Array<[string, "required" | "recommended"]> = [
  ["tls.https-only", "required"],
  ["tls.server-certificate", "required"],
  ["tls.protocol", "recommended"],
  ["mtls.accepts-netdata-client", "required"],
  ["mtls.accepts-intermediate-chain", "required"],
  ["mtls.rejects-no-certificate", "required"],
  ["mtls.rejects-untrusted-ca", "required"],
  ["mtls.rejects-wrong-cn", "required"],
  ["mtls.rejects-lookalike-cn", "required"],
  ["mtls.rejects-expired", "required"],
  ["mtls.rejects-not-yet-valid", "required"],
  ["mtls.rejects-two-cn", "recommended"],
  ["mtls.rejects-wrong-purpose", "recommended"],
  ["auth.accepts-valid", "required"],
  ["auth.rejects-missing", "required"],
  ["auth.rejects-wrong", "required"],
  ["auth.rejects-malformed", "required"],
  ["auth.rejects-repeated", "recommended"],
  ["crc.answers-challenge", "required"],
  ["crc.rejects-missing-token", "recommended"],
  ["crc.survives-odd-tokens", "recommended"],
  ["verification.accepts-test-notification", "required"],
  ["delivery.alert-flat", "required"],
  ["delivery.alert-nested", "required"],
  ["delivery.reachability-flat", "required"],
  ["delivery.reachability-nested", "required"],
  ["delivery.unknown-fields", "required"],
  ["delivery.latency", "required"],
  ["delivery.duplicate", "recommended"],
  ["delivery.burst", "recommended"],
  ["input.rejects-invalid-json", "recommended"],
  ["input.rejects-wrong-content-type", "recommended"],
  ["input.rejects-empty-body", "recommended"],
  ["input.rejects-oversized-body", "recommended"],
  ["input.rejects-wrong-method", "recommended"],
];

describe("the check catalogue", () => {
  it("has exactly the public ids, in order, with their levels", () => {
    expect(CHECK_CATALOGUE.map((c) => [c.id, c.level])).toEqual(PUBLIC_CATALOGUE);
  });

  it("gives every check a title and a fix", () => {
    for (const check of CHECK_CATALOGUE) {
      expect(check.title, check.id).toMatch(/\S/);
      expect(check.fix.length, check.id).toBeGreaterThan(20);
    }
  });
});

describe("selectChecks", () => {
  const ids = (only: string[], skip: string[] = []) =>
    selectChecks(only, skip)
      .filter((c) => c.skippedBy === null)
      .map((c) => c.check.id);

  it("selects a family by its prefix and a check by its id", () => {
    expect(ids(["tls"])).toEqual(["tls.https-only", "tls.server-certificate", "tls.protocol"]);
    expect(ids(["crc.answers-challenge"])).toEqual(["crc.answers-challenge"]);
    expect(ids(["delivery.alert"])).toEqual(["delivery.alert-flat", "delivery.alert-nested"]);
  });

  it("does not let a family prefix match a longer family name", () => {
    expect(ids(["tls"])).not.toContain("mtls.rejects-wrong-cn");
  });

  it("keeps what --skip names in the selection, marked with the pattern that leaves it out", () => {
    const selected = selectChecks(["crc"], ["crc.answers-challenge"]);
    expect(selected.map((c) => [c.check.id, c.skippedBy])).toEqual([
      ["crc.answers-challenge", "crc.answers-challenge"],
      ["crc.rejects-missing-token", null],
      ["crc.survives-odd-tokens", null],
    ]);
  });

  it("leaves out what --skip names and keeps the catalogue order", () => {
    expect(ids([], ["mtls", "delivery", "input", "auth", "crc", "verification"])).toEqual(
      CHECK_IDS.filter((id) => id.startsWith("tls.")),
    );
  });

  it("refuses a pattern that matches nothing, listing the ids", () => {
    expect(() => selectChecks(["mtls.reject-cn"])).toThrow(
      /--only: "mtls.reject-cn" matches no check.*tls\.https-only/,
    );
    expect(() => selectChecks([], ["nope"])).toThrow(/--skip: "nope"/);
  });
});

describe("request outcomes", () => {
  const error = (code: string) => Object.assign(new Error(`failed: ${code}`), { code });

  it("counts a refused connection as unreachable only while connecting", () => {
    expect(classifyRequestError(error("ECONNREFUSED"), "connect").kind).toBe("unreachable");
    expect(classifyRequestError(error("ENOTFOUND"), "connect").kind).toBe("unreachable");
    expect(classifyRequestError(error("ECONNRESET"), "handshake")).toMatchObject({
      kind: "refused",
      stage: "handshake",
    });
  });

  it("counts a reset or TLS alert after the handshake as a refusal (TLS 1.3 client certificates)", () => {
    for (const code of ["ECONNRESET", "EPIPE", "ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED"]) {
      expect(classifyRequestError(error(code), "request")).toMatchObject({
        kind: "refused",
        stage: "request",
      });
    }
  });

  it("tells an untrusted server certificate and a local mistake from a refusal", () => {
    expect(classifyRequestError(error("SELF_SIGNED_CERT_IN_CHAIN"), "handshake").kind).toBe(
      "server-certificate-rejected",
    );
    expect(classifyRequestError(error("ERR_TLS_CERT_ALTNAME_INVALID"), "handshake").kind).toBe(
      "server-certificate-rejected",
    );
    expect(classifyRequestError(error("ERR_OSSL_PEM_NO_START_LINE"), "connect").kind).toBe(
      "client-error",
    );
  });

  it("treats any 4xx as a refusal and a 5xx as neither refusal nor success", () => {
    const response = (status: number): Outcome => ({
      kind: "response",
      status,
      headers: {},
      body: "",
      latencyMs: 1,
      tls: null,
    });
    expect(isRefusal(response(400))).toBe(true);
    expect(isRefusal(response(403))).toBe(true);
    expect(isRefusal(response(500))).toBe(false);
    expect(isRefusal(response(200))).toBe(false);
    expect(describeOutcome(response(413))).toBe("HTTP 413");
  });
});

describe("redactAuthorization", () => {
  it("keeps the scheme and the length, never the credential", () => {
    expect(redactAuthorization("Bearer s3cr3t-token")).toBe("Bearer <12 chars>");
    expect(redactAuthorization(["Basic dXNlcjpwdw==", "Bearer x"])).toBe(
      "Basic <12 chars> | Bearer <1 chars>",
    );
    expect(redactAuthorization("garbage")).toBe("<7 chars>");
    expect(redactAuthorization(undefined)).toBeNull();
  });
});
