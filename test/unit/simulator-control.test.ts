import { describe, expect, it } from "vitest";
import { judgeRefusals, type RefusalSpec } from "../../src/simulator/checks/_control.js";
import type { Outcome } from "../../src/simulator/http-client.js";
import { is4xx, isRefusal } from "../../src/simulator/outcome-classify.js";
import { proxyIdentityFor, rfc2253Subject } from "../../src/simulator/proxy-identity.js";

const http = (status: number): Outcome => ({
  kind: "response",
  status,
  headers: {},
  body: "",
  latencyMs: 1,
  tls: null,
});
const cutOffInTls: Outcome = {
  kind: "refused",
  stage: "handshake",
  code: "ECONNRESET",
  message: "socket hang up",
  latencyMs: 1,
  tls: null,
};

const tried = (outcome: Outcome) => [{ label: "the defect", outcome }];
const control = (outcome: Outcome) => ({ label: "control, as client", outcome });
const tlsCheck: RefusalSpec = { ok: isRefusal, cause: "not cleanly refused", layer: "tls" };
const httpCheck: RefusalSpec = { ok: is4xx, cause: "not refused", layer: "http" };

describe("judging a refusal against its control", () => {
  it("passes a 4xx when the control was accepted", () => {
    expect(judgeRefusals(tried(http(400)), control(http(200)), httpCheck).status).toBe("pass");
  });

  it("is inconclusive about a 401 to a bad body when the good body got 401 too", () => {
    expect(judgeRefusals(tried(http(401)), control(http(401)), httpCheck)).toEqual({
      status: "inconclusive",
      summary: "refused (HTTP 401), but the control was refused too: this proves nothing",
      control: "control, as client: HTTP 401",
    });
  });

  it("passes a certificate cut off in TLS when the good one got any HTTP answer, even a 401", () => {
    expect(judgeRefusals(tried(cutOffInTls), control(http(401)), tlsCheck).status).toBe("pass");
  });

  it("is inconclusive about a TLS refusal when the control was refused in TLS as well", () => {
    expect(judgeRefusals(tried(cutOffInTls), control(cutOffInTls), tlsCheck).status).toBe(
      "inconclusive",
    );
  });

  it("is inconclusive about an HTTP 403 for a certificate when the control got 401", () => {
    expect(judgeRefusals(tried(http(403)), control(http(401)), tlsCheck).status).toBe(
      "inconclusive",
    );
  });

  it("fails an accepted defect whatever the control got, with the acceptance cause", () => {
    const spec = { ...tlsCheck, acceptedCause: "cn-not-checked" };
    expect(judgeRefusals(tried(http(200)), control(http(401)), spec)).toMatchObject({
      status: "fail",
      causeId: "cn-not-checked",
    });
    expect(judgeRefusals(tried(http(500)), control(http(200)), spec)).toMatchObject({
      status: "fail",
      cause: "not cleanly refused",
    });
  });
});

describe("identities played as a TLS proxy's headers", () => {
  it("forwards SUCCESS for a certificate a proxy verifies, FAILED:<reason> for one it cannot", () => {
    expect(proxyIdentityFor("client", null)).toEqual({
      verify: "SUCCESS",
      dn: "CN=app.netdata.cloud",
    });
    expect(proxyIdentityFor("client-expired", null).verify).toBe("FAILED:certificate has expired");
    expect(proxyIdentityFor("client-lookalike-cn", null)).toEqual({
      verify: "SUCCESS",
      dn: "CN=app.netdata.cloud.evil.example",
    });
  });

  it("writes a subject as nginx's RFC 2253 DN, most specific first, specials escaped", () => {
    // openssl x509 -noout -subject -nameopt RFC2253 prints the same.
    const pem = SELF_SIGNED_WITH_COMMA_IN_O;
    expect(rfc2253Subject(pem)).toBe("CN=app.netdata.cloud,O=Acme\\, Inc.");
  });
});

// openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 \
//   -subj "/O=Acme, Inc./CN=app.netdata.cloud" -keyout /dev/null
const SELF_SIGNED_WITH_COMMA_IN_O = `-----BEGIN CERTIFICATE-----
MIIBtjCCAV2gAwIBAgIULnuQkQnWgAX3izOa6N0ur77E7McwCgYIKoZIzj0EAwIw
MTETMBEGA1UECgwKQWNtZSwgSW5jLjEaMBgGA1UEAwwRYXBwLm5ldGRhdGEuY2xv
dWQwHhcNMjYxMTMwMTYyMzM2WhcNMzYxMTI3MTYyMzM2WjAxMRMwEQYDVQQKDApB
Y21lLCBJbmMuMRowGAYDVQQDDBFhcHAubmV0ZGF0YS5jbG91ZDBZMBMGByqGSM49
AgEGCCqGSM49AwEHA0IABIPd7XZ6Q8BV17vn6RM4uMJu6PpkfIZAXKw9RjCoJUpX
hkm5lYKMHB8S9F54x0PtC0u8ixWTOIs5do0M1OBzAVijUzBRMB0GA1UdDgQWBBSP
x55gs+17fUCXLjx1kJSB9n7rjDAfBgNVHSMEGDAWgBSPx55gs+17fUCXLjx1kJSB
9n7rjDAPBgNVHRMBAf8EBTADAQH/MAoGCCqGSM49BAMCA0cAMEQCICDrwtY1hxCe
Nm2VZXxb2AjgE55Zdt2omKRvauDh7LwVAiBR3FAhI3YiLJzd9qrQbEpoCkEESI0V
i2J6JaNdIaM5Pw==
-----END CERTIFICATE-----`;
