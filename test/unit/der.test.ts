import { X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import * as der from "../../src/pki/der.js";
import {
  certificatePem,
  generateKeyPair,
  issueCertificate,
} from "../../src/pki/issue-certificate.js";
import { PKI_PLAN } from "../../src/pki/pki-plan.js";

const hex = (buffer: Buffer) => buffer.toString("hex");

interface DerVector {
  note?: string;
  encode: string;
  input: unknown;
  der: string;
  openssl: string;
}

const { vectors } = JSON.parse(
  readFileSync(new URL("../vectors/der.json", import.meta.url), "utf8"),
) as { vectors: DerVector[] };

/** Calls the encoder a vector names with its input, decoded from JSON. */
function encodeVector({ encode, input }: DerVector): Buffer {
  switch (encode) {
    case "smallInteger":
      return der.smallInteger(input as number);
    case "boolean":
      return der.boolean(input as boolean);
    case "oid":
      return der.oid(input as string);
    case "time":
      return der.time(new Date(input as string));
    case "directoryString":
      return der.directoryString(input as string);
    case "namedBits":
      return der.namedBits(input as number[]);
    case "bitString":
      return der.bitString(Buffer.from(input as string, "hex"));
    case "octetString":
      return der.octetString(Buffer.from(input as string, "hex"));
    default:
      throw new Error(`der.json names an unknown encoder ${JSON.stringify(encode)}`);
  }
}

describe("DER known-answer vectors (test/vectors/der.json, produced with openssl asn1parse -genstr)", () => {
  it.each(vectors.map((vector) => [vector.openssl, vector] as const))("encodes %s", (_, vector) => {
    expect(hex(encodeVector(vector))).toBe(vector.der);
  });
});

describe("DER encoding", () => {
  it("writes lengths in short form below 128 and long form above", () => {
    expect(hex(der.encodeLength(0))).toBe("00");
    expect(hex(der.encodeLength(127))).toBe("7f");
    expect(hex(der.encodeLength(128))).toBe("8180");
    expect(hex(der.encodeLength(256))).toBe("820100");
    expect(hex(der.encodeLength(70_000))).toBe("83011170");
    expect(() => der.encodeLength(-1)).toThrow(RangeError);
    // openssl asn1parse -genstr FORMAT:HEX,OCTETSTRING:<256 zero bytes> starts 04 82 01 00.
    expect(hex(der.octetString(Buffer.alloc(256)).subarray(0, 4))).toBe("04820100");
  });

  it("nests SEQUENCE and context-specific tags as openssl's generator does", () => {
    // openssl asn1parse -genconf: asn1=SEQUENCE:bc, [bc] ca=BOOLEAN:TRUE, pl=INTEGER:0
    expect(hex(der.sequence(der.boolean(true), der.smallInteger(0)))).toBe("30060101ff020100");
    // EXPLICIT:0,INTEGER:2 and IMPLICIT:7,FORMAT:HEX,OCTETSTRING:7f000001
    expect(hex(der.explicit(0, der.smallInteger(2)))).toBe("a003020102");
    expect(hex(der.implicitPrimitive(7, Buffer.of(127, 0, 0, 1)))).toBe("87047f000001");
  });

  it("writes minimal non-negative INTEGERs, padding a set top bit", () => {
    expect(hex(der.smallInteger(0))).toBe("020100");
    expect(hex(der.smallInteger(2))).toBe("020102");
    expect(hex(der.smallInteger(0x80))).toBe("02020080");
    expect(hex(der.smallInteger(0x100))).toBe("02020100");
    expect(hex(der.unsignedInteger(Buffer.from("0000ff", "hex")))).toBe("020200ff");
    expect(hex(der.unsignedInteger(Buffer.alloc(0)))).toBe("020100");
  });

  it("encodes object identifiers, multi-byte arcs included", () => {
    expect(hex(der.oid("2.5.4.3"))).toBe("0603550403");
    expect(hex(der.oid("1.2.840.10045.4.3.2"))).toBe("06082a8648ce3d040302");
    expect(hex(der.oid("1.3.6.1.5.5.7.3.2"))).toBe("06082b06010505070302");
    expect(() => der.oid("1.40.1")).toThrow(RangeError);
    expect(() => der.oid("1.2.x")).toThrow(RangeError);
  });

  it("encodes named bits without trailing zero bits", () => {
    expect(hex(der.namedBits([0]))).toBe("03020780"); // digitalSignature
    expect(hex(der.namedBits([5, 6]))).toBe("03020106"); // keyCertSign, cRLSign
    expect(hex(der.namedBits([8]))).toBe("0303070080");
  });

  it("uses UTCTime through 2049 and GeneralizedTime from 2050, in whole seconds", () => {
    expect(der.time(new Date("2049-12-31T23:59:59.999Z")).toString("latin1")).toBe(
      "\x17\x0d491231235959Z",
    );
    expect(der.time(new Date("2050-01-01T00:00:00Z")).toString("latin1")).toBe(
      "\x18\x0f20500101000000Z",
    );
    expect(() => der.time(new Date(Number.NaN))).toThrow(RangeError);
  });

  it("refuses times whose year has more or fewer than four digits", () => {
    expect(() => der.time(new Date("+010000-01-01T00:00:00Z"))).toThrow(/0000-9999/);
    expect(() => der.time(new Date("-000001-01-01T00:00:00Z"))).toThrow(/0000-9999/);
  });

  it("sorts SET OF elements and picks the string type by content", () => {
    const a = der.smallInteger(1);
    const b = der.smallInteger(2);
    expect(hex(der.set(b, a))).toBe(hex(der.set(a, b)));
    expect(der.directoryString("app.netdata.cloud")[0]).toBe(0x13); // PrintableString
    expect(der.directoryString("évènement")[0]).toBe(0x0c); // UTF8String
    expect(der.directoryString("a_b")[0]).toBe(0x0c); // "_" is not printable
  });
});

describe("issueCertificate", () => {
  const now = new Date("2026-06-01T12:00:00Z");
  const plan = (name: string) => {
    const found = PKI_PLAN.find((p) => p.name === name);
    if (!found) throw new Error(`no plan ${name}`);
    return found;
  };
  const ca = issueCertificate(plan("ca"), generateKeyPair(), now);
  const intermediate = issueCertificate(plan("intermediate"), generateKeyPair(), now, ca);
  const leaf = issueCertificate(
    plan("client-via-intermediate"),
    generateKeyPair(),
    now,
    intermediate,
  );
  const server = issueCertificate(plan("server"), generateKeyPair(), now, ca);
  const parse = (c: typeof ca) => new X509Certificate(certificatePem(c));

  it("makes certificates Node parses, each signed by its issuer", () => {
    const [root, middle, end] = [ca, intermediate, leaf].map(parse);
    if (!root || !middle || !end) throw new Error("unreachable");
    expect(root.verify(root.publicKey)).toBe(true);
    expect(middle.checkIssued(root)).toBe(true);
    expect(middle.verify(root.publicKey)).toBe(true);
    expect(end.checkIssued(middle)).toBe(true);
    expect(end.verify(middle.publicKey)).toBe(true);
    expect(end.verify(root.publicKey)).toBe(false);
  });

  it("carries the plan's subject, issuer, validity and roles", () => {
    const root = parse(ca);
    expect(root.subject).toBe(
      "O=netdata-webhook-kit (TEST ONLY)\nCN=netdata-webhook-kit TEST Root CA",
    );
    expect(root.ca).toBe(true);
    const end = parse(leaf);
    expect(end.subject).toBe("CN=app.netdata.cloud");
    expect(end.issuer).toBe(
      "O=netdata-webhook-kit (TEST ONLY)\nCN=netdata-webhook-kit TEST Intermediate CA",
    );
    expect(end.ca).toBe(false);
    expect(end.keyUsage).toEqual(["1.3.6.1.5.5.7.3.2"]);
    const { notBefore, notAfter } = plan("client-via-intermediate").validity(now);
    expect(new Date(end.validFrom).getTime()).toBe(Math.floor(notBefore.getTime() / 1000) * 1000);
    expect(new Date(end.validTo).getTime()).toBe(leaf.notAfter.getTime());
    expect(leaf.notAfter.getTime()).toBe(Math.floor(notAfter.getTime() / 1000) * 1000);
  });

  it("names localhost and both loopback addresses on the server certificate", () => {
    const cert = parse(server);
    expect(cert.subjectAltName).toBe(
      "DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1",
    );
    expect(cert.checkHost("localhost")).toBe("localhost");
    expect(cert.checkIP("::1")).toBe("::1");
    expect(cert.keyUsage).toEqual(["1.3.6.1.5.5.7.3.1"]);
  });

  it("keeps two CN attributes of one subject in order", () => {
    const twoCn = issueCertificate(plan("client-two-cn"), generateKeyPair(), now, ca);
    expect(parse(twoCn).subject).toBe("CN=evil.example\nCN=app.netdata.cloud");
  });
});
