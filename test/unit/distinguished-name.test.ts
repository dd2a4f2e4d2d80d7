import { describe, expect, it } from "vitest";
import {
  commonNameOfDistinguishedName,
  DN_MAX_LENGTH,
  parseDistinguishedName,
} from "../../src/protocol/distinguished-name.js";

describe("parseDistinguishedName", () => {
  it("reads nginx's RFC 2253 form into RDNs in order", () => {
    expect(parseDistinguishedName("CN=app.netdata.cloud,O=Netdata\\, Inc.,C=US")).toEqual({
      ok: true,
      rdns: [
        [{ type: "CN", value: "app.netdata.cloud", hex: false }],
        [{ type: "O", value: "Netdata, Inc.", hex: false }],
        [{ type: "C", value: "US", hex: false }],
      ],
    });
  });

  it("keeps a multi-valued RDN together", () => {
    const parsed = parseDistinguishedName("CN=a+UID=1,O=x");
    expect(parsed.ok && parsed.rdns.map((rdn) => rdn.map((a) => a.type))).toEqual([
      ["CN", "UID"],
      ["O"],
    ]);
  });

  it("decodes hex escapes as UTF-8 bytes, as OpenSSL writes non-ASCII", () => {
    const parsed = parseDistinguishedName("O=Caf\\C3\\A9,CN=x");
    expect(parsed.ok && parsed.rdns[0]?.[0]?.value).toBe("Café");
  });

  it("keeps raw UTF-8, as Apache writes it", () => {
    const parsed = parseDistinguishedName("O=Café,CN=x");
    expect(parsed.ok && parsed.rdns[0]?.[0]?.value).toBe("Café");
  });

  it("keeps escaped leading and trailing spaces and drops unescaped ones around separators", () => {
    const parsed = parseDistinguishedName("CN=\\ a\\ , O = b ");
    expect(parsed.ok && parsed.rdns.flat().map((a) => a.value)).toEqual([" a ", "b"]);
  });

  it("accepts ';' as a separator (RFC 2253 section 4)", () => {
    const parsed = parseDistinguishedName("CN=a;O=b");
    expect(parsed.ok && parsed.rdns).toHaveLength(2);
  });

  it("keeps a #hex value undecoded and marked", () => {
    const parsed = parseDistinguishedName("CN=#0C0161,O=x");
    expect(parsed.ok && parsed.rdns[0]?.[0]).toEqual({ type: "CN", value: "#0C0161", hex: true });
  });

  it.each([
    ["an empty string", "", /empty/],
    ["the legacy slash form", "/C=US/CN=app.netdata.cloud", /legacy/],
    ["a dangling separator", "CN=a,", /ends with a separator/],
    ["a missing '='", "CN", /type=value/],
    ["an invalid type", "C N=a", /not an attribute type/],
    ["a quoted value", 'CN="a,b"', /quoted/],
    ["an unescaped quote", 'CN=a"b', /unescaped/],
    ["an unescaped '<'", "CN=a<b", /unescaped/],
    ["a control character", "CN=a\u0001b", /unescaped/],
    ["an invalid escape", "CN=a\\qb", /invalid escape/],
    ["invalid UTF-8 after unescaping", "CN=\\C3\\28", /UTF-8/],
    ["a malformed hex value", "CN=#0C0", /hex/],
    ["an over-long DN", `CN=${"a".repeat(DN_MAX_LENGTH)}`, /limit/],
  ])("refuses %s", (_name, dn, reason) => {
    const parsed = parseDistinguishedName(dn);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.reason).toMatch(reason);
  });
});

describe("commonNameOfDistinguishedName", () => {
  it("returns the one CN, wherever it sits", () => {
    expect(commonNameOfDistinguishedName("O=Netdata,CN=app.netdata.cloud")).toEqual({
      ok: true,
      cn: "app.netdata.cloud",
    });
  });

  it("matches the type case-insensitively and by OID", () => {
    expect(commonNameOfDistinguishedName("cn=a")).toEqual({ ok: true, cn: "a" });
    expect(commonNameOfDistinguishedName("2.5.4.3=a")).toEqual({ ok: true, cn: "a" });
  });

  it("is not fooled by a forged OU that contains CN=app.netdata.cloud", () => {
    expect(commonNameOfDistinguishedName("CN=evil.example,OU=CN=app.netdata.cloud")).toEqual({
      ok: true,
      cn: "evil.example",
    });
  });

  it("is not fooled by an escaped comma that makes a value look like a second RDN", () => {
    expect(commonNameOfDistinguishedName("OU=x\\,CN=app.netdata.cloud,CN=evil.example")).toEqual({
      ok: true,
      cn: "evil.example",
    });
    expect(commonNameOfDistinguishedName("CN=evil.example\\,CN=app.netdata.cloud")).toEqual({
      ok: true,
      cn: "evil.example,CN=app.netdata.cloud",
    });
  });

  it("reads an escaped '+' as part of the value, not as a second attribute", () => {
    expect(commonNameOfDistinguishedName("CN=a\\+CN=b")).toEqual({ ok: true, cn: "a+CN=b" });
  });

  it.each([
    ["no CN", "O=Netdata,C=US", /no CN/],
    ["two CNs in two RDNs", "CN=evil.example,CN=app.netdata.cloud", /2 CN attributes/],
    ["two CNs in one RDN", "CN=evil.example+CN=app.netdata.cloud", /2 CN attributes/],
    ["a CN and a commonName", "CN=a,commonName=b", /2 CN attributes/],
    ["a hex-encoded CN", "CN=#0C0161", /hex/],
    ["an unparseable DN", "CN=a,", /separator/],
  ])("refuses a DN with %s", (_name, dn, reason) => {
    const result = commonNameOfDistinguishedName(dn);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toMatch(reason);
  });
});
