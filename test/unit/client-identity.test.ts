import { describe, expect, it } from "vitest";
import {
  checkClientIdentity,
  DEFAULT_EXPECTED_CNS,
  type PeerCertificateFacts,
} from "../../src/protocol/client-identity.js";
import { checkExpectedCns } from "../../src/validate/expected-cns.js";

const verified = (subject: PeerCertificateFacts["subject"]): PeerCertificateFacts => ({
  authorized: true,
  authorizationError: null,
  subject,
});

describe("checkClientIdentity", () => {
  it("accepts a verified certificate whose only CN is app.netdata.cloud", () => {
    expect(
      checkClientIdentity(
        verified({ CN: "app.netdata.cloud", O: "Netdata" }),
        DEFAULT_EXPECTED_CNS,
      ),
    ).toEqual({
      ok: true,
      cn: "app.netdata.cloud",
      dn: null,
    });
  });

  it("accepts another CN from a configured allow-list (the 2023 api.netdata.cloud)", () => {
    const result = checkClientIdentity(verified({ CN: "api.netdata.cloud" }), [
      "app.netdata.cloud",
      "api.netdata.cloud",
    ]);
    expect(result.ok).toBe(true);
  });

  it("refuses an unverified chain whatever its CN says", () => {
    const result = checkClientIdentity(
      {
        authorized: false,
        authorizationError: "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
        subject: { CN: "app.netdata.cloud" },
      },
      DEFAULT_EXPECTED_CNS,
    );
    expect(result).toMatchObject({
      ok: false,
      reason: expect.stringContaining("UNABLE_TO_VERIFY_LEAF_SIGNATURE"),
    });
  });

  it.each([
    ["a wrong CN", { CN: "evil.example" }],
    ["a CN that only starts with app.netdata.cloud", { CN: "app.netdata.cloud.evil.example" }],
    ["a CN that only ends with app.netdata.cloud", { CN: "xapp.netdata.cloud" }],
    ["a CN with a different dot", { CN: "appXnetdata.cloud" }],
    ["a CN in another case", { CN: "APP.NETDATA.CLOUD" }],
    ["an OU that spells CN=app.netdata.cloud", { CN: "evil.example", OU: "CN=app.netdata.cloud" }],
    ["no CN at all", { O: "Netdata" }],
  ])("refuses %s", (_name, subject) => {
    expect(checkClientIdentity(verified(subject), DEFAULT_EXPECTED_CNS).ok).toBe(false);
  });

  it("refuses two CN attributes even when one of them is app.netdata.cloud", () => {
    const result = checkClientIdentity(
      verified({ CN: ["evil.example", "app.netdata.cloud"] }),
      DEFAULT_EXPECTED_CNS,
    );
    expect(result).toMatchObject({ ok: false, reason: expect.stringContaining("2 CN attributes") });
  });
});

describe("checkExpectedCns", () => {
  it.each([[[]], [["*.netdata.cloud"]], [[" app.netdata.cloud"]], [["CN=app.netdata.cloud"]]])(
    "rejects %j",
    (list) => {
      expect(checkExpectedCns(list).ok).toBe(false);
    },
  );

  it("accepts the default", () => {
    expect(checkExpectedCns(DEFAULT_EXPECTED_CNS)).toEqual({
      ok: true,
      value: DEFAULT_EXPECTED_CNS,
    });
  });
});
