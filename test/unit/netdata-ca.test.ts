import { createHash, X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

// The trust anchor the kit ships (package.json "files"): pinned so a changed byte is noticed.
const shipped = new URL("../../certs/netdata-ca.pem", import.meta.url);

const PINNED_SHA256 =
  "61:E5:D8:D0:02:E8:3A:2D:FA:F9:D6:FD:D8:6E:E5:C1:28:87:0A:98:75:CE:C7:50:13:32:27:05:28:E5:6D:61";

describe("certs/netdata-ca.pem", () => {
  const pem = readFileSync(shipped);
  const cert = new X509Certificate(pem);

  it("is the Netdata Root CA by its SHA-256 fingerprint", () => {
    expect(cert.fingerprint256).toBe(PINNED_SHA256);
  });

  it("is valid from 2023-02-22 to 2033-02-19, as Netdata documents", () => {
    expect(cert.validFrom).toBe("Feb 22 12:43:00 2023 GMT");
    expect(cert.validTo).toBe("Feb 19 12:43:00 2033 GMT");
  });

  it("is a self-signed CA certificate named Netdata Root CA", () => {
    expect(cert.ca).toBe(true);
    expect(cert.subject).toContain("CN=Netdata Root CA");
    expect(cert.checkIssued(cert)).toBe(true);
    expect(cert.verify(cert.publicKey)).toBe(true);
  });

  // sha256sum of the PEM file as published with Netdata's documentation (docs/protocol.md).
  it("is byte for byte the PEM file Netdata publishes", () => {
    expect(createHash("sha256").update(pem).digest("hex")).toBe(
      "16a0b0e20d6284a7ac58c067226816e087388b69fa49a496796eef895e634c64",
    );
  });
});
