import { describe, expect, it } from "vitest";
import { PKI_CA_NAMES, PKI_NAMES, pkiPaths } from "../../src/pki/pki-names.js";
import { EXPECTED_CLIENT_CN, LEAF_VALIDITY_IN_DAYS, PKI_PLAN } from "../../src/pki/pki-plan.js";

const now = new Date("2026-01-01T00:00:00Z");
const plan = (name: string) => {
  const found = PKI_PLAN.find((p) => p.name === name);
  if (!found) throw new Error(`no plan for ${name}`);
  return found;
};

describe("the dev PKI plan", () => {
  it("plans exactly the PKI_NAMES, in the same order", () => {
    expect(PKI_PLAN.map((p) => p.name)).toEqual([...PKI_NAMES]);
  });

  it("plans every issuer before the certificates it signs", () => {
    for (const [index, p] of PKI_PLAN.entries()) {
      if (p.issuer === "self") continue;
      const issuerIndex = PKI_PLAN.findIndex((q) => q.name === p.issuer);
      expect(issuerIndex, p.name).toBeGreaterThanOrEqual(0);
      expect(issuerIndex, p.name).toBeLessThan(index);
      expect(plan(p.issuer).role, p.name).toMatch(/-ca$/);
    }
  });

  it("lists as CA names exactly the planned CAs", () => {
    const cas = PKI_PLAN.filter((p) => p.role.endsWith("-ca")).map((p) => p.name);
    expect([...PKI_CA_NAMES].sort()).toEqual(cas.sort());
  });

  it("starts client-not-yet-valid after every valid leaf has expired", () => {
    const starts = plan("client-not-yet-valid").validity(now).notBefore;
    const serverEnds = plan("server").validity(now).notAfter;
    expect(starts.getTime()).toBeGreaterThan(serverEnds.getTime());
    expect(serverEnds.getTime() - now.getTime()).toBe(LEAF_VALIDITY_IN_DAYS * 86_400_000);
  });

  it("keeps the expired client's whole life inside its CA's", () => {
    const expired = plan("client-expired").validity(now);
    expect(expired.notAfter.getTime()).toBeLessThan(now.getTime());
    expect(expired.notBefore.getTime()).toBeGreaterThanOrEqual(
      plan("ca").validity(now).notBefore.getTime(),
    );
  });

  it("gives client-two-cn two CN attributes, the expected one last", () => {
    expect(plan("client-two-cn").subject).toEqual([
      { CN: ["evil.example"] },
      { CN: [EXPECTED_CLIENT_CN] },
    ]);
  });
});

describe("pkiPaths", () => {
  it("names NAME.pem and NAME.key in the directory for every certificate", () => {
    const paths = pkiPaths("/x");
    expect(Object.keys(paths)).toEqual([...PKI_NAMES]);
    expect(paths["client-two-cn"]).toEqual({
      cert: "/x/client-two-cn.pem",
      key: "/x/client-two-cn.key",
    });
  });
});
