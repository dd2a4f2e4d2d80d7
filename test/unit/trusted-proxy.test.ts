import { describe, expect, it } from "vitest";
import {
  DEFAULT_TRUSTED_PROXIES,
  isLoopbackHost,
  parseTrustedProxies,
} from "../../src/receiver/trusted-proxy.js";

function trusted(values: readonly string[]) {
  const result = parseTrustedProxies(values);
  if (!result.ok) throw new Error(result.reason);
  return result.trusted;
}

describe("parseTrustedProxies", () => {
  it("trusts every loopback peer by default, IPv4-mapped ones included", () => {
    const t = trusted(DEFAULT_TRUSTED_PROXIES);
    for (const peer of ["127.0.0.1", "127.0.0.2", "::1", "::ffff:127.0.0.1"]) {
      expect(t.trusts(peer)).toBe(true);
    }
    for (const peer of ["10.0.0.1", "::2", "::ffff:10.0.0.1", undefined, "", "not-an-ip"]) {
      expect(t.trusts(peer)).toBe(false);
    }
  });

  it("matches single addresses exactly and CIDR blocks by prefix", () => {
    const t = trusted(["192.0.2.7", "10.1.0.0/16", "2001:db8::/32"]);
    expect(t.trusts("192.0.2.7")).toBe(true);
    expect(t.trusts("192.0.2.8")).toBe(false);
    expect(t.trusts("10.1.255.1")).toBe(true);
    expect(t.trusts("10.2.0.1")).toBe(false);
    expect(t.trusts("2001:db8:1::5")).toBe(true);
    expect(t.trusts("2001:db9::5")).toBe(false);
  });

  it("refuses values that are not an address or a CIDR block, naming the problem", () => {
    for (const bad of [
      "",
      "proxy.example",
      "10.0.0.0/33",
      "::/129",
      "10.0.0.0/8/8",
      "10.0.0.0/x",
    ]) {
      const result = parseTrustedProxies([bad]);
      expect(result.ok, bad).toBe(false);
    }
  });
});

describe("isLoopbackHost", () => {
  it("tells loopback bind addresses from the others", () => {
    const loopback = ["127.0.0.1", "127.1.2.3", "::1", "[::1]", "localhost", "::1%lo"];
    const spelledOtherwise = ["::ffff:7f00:1", "::ffff:127.0.0.1", "0:0:0:0:0:0:0:1", "0::1"];
    for (const host of [...loopback, ...spelledOtherwise]) {
      expect(isLoopbackHost(host), host).toBe(true);
    }
    const others = ["0.0.0.0", "::", "192.0.2.1", "10.0.0.1", "::2", "::ffff:8.8.8.8"];
    for (const host of [...others, "127.attacker.example", "[127.0.0.1]x"]) {
      expect(isLoopbackHost(host), host).toBe(false);
    }
  });
});
