import { BlockList, isIP } from "node:net";

/**
 * Peers whose verification headers are believed by default: the loopback addresses, where
 * a proxy on the same machine connects from.
 */
export const DEFAULT_TRUSTED_PROXIES: readonly string[] = ["127.0.0.0/8", "::1"];

/** The addresses (and CIDR blocks) a receiver behind a proxy believes, checked per request. */
export interface TrustedProxies {
  /** The entries as configured, for the start-up log. */
  readonly entries: readonly string[];
  /** True when `address` (a socket's remoteAddress) is one of the entries. */
  trusts(address: string | undefined): boolean;
}

export type TrustedProxiesResult =
  | { ok: true; trusted: TrustedProxies }
  | { ok: false; value: string; reason: string };

/**
 * Parses `ADDR` or `ADDR/PREFIX` entries (IPv4 or IPv6). An IPv4 peer seen on a dual-stack
 * socket as `::ffff:a.b.c.d` is matched as a.b.c.d.
 */
export function parseTrustedProxies(values: readonly string[]): TrustedProxiesResult {
  const list = new BlockList();
  for (const value of values) {
    const problem = addEntry(list, value);
    if (problem) return { ok: false, value: String(value), reason: problem };
  }
  const entries = [...values];
  return {
    ok: true,
    trusted: {
      entries,
      trusts: (address) => {
        if (typeof address !== "string") return false;
        const plain = unmapIpv4(address);
        const family = isIP(plain);
        if (family === 0) return false;
        return list.check(plain, family === 4 ? "ipv4" : "ipv6");
      },
    },
  };
}

/** The loopback blocks; BlockList also matches IPv4-mapped IPv6 forms (::ffff:7f00:1). */
const LOOPBACK = new BlockList();
LOOPBACK.addSubnet("127.0.0.0", 8, "ipv4");
LOOPBACK.addAddress("::1", "ipv6");

/**
 * True for addresses only this machine can connect from (127.0.0.0/8, ::1, localhost), in any
 * spelling the address parser accepts: `0:0:0:0:0:0:0:1`, `::ffff:7f00:1`, `[::1]`, `::1%lo`.
 * A name that merely starts like one (`127.attacker.example`) is not an address, so not loopback.
 */
export function isLoopbackHost(host: string): boolean {
  if (host === "localhost") return true;
  const plain = host.replace(/^\[(.*)\]$/, "$1");
  const family = isIP(plain);
  if (family === 0) return false;
  return LOOPBACK.check(plain, family === 4 ? "ipv4" : "ipv6");
}

function addEntry(list: BlockList, value: unknown): string | undefined {
  if (typeof value !== "string" || value.length === 0) return "expected ADDR or ADDR/PREFIX";
  const [address = "", prefixText, ...rest] = value.split("/");
  const family = isIP(address);
  if (family === 0 || rest.length > 0) {
    return "expected an IPv4 or IPv6 address, optionally with /PREFIX (e.g. 10.0.0.5 or 10.0.0.0/24)";
  }
  const type = family === 4 ? "ipv4" : "ipv6";
  if (prefixText === undefined) {
    list.addAddress(address, type);
    return undefined;
  }
  const max = family === 4 ? 32 : 128;
  const prefix = Number(prefixText);
  if (!/^\d{1,3}$/.test(prefixText) || prefix > max) {
    return `the prefix must be 0-${max} for an IPv${family} address`;
  }
  list.addSubnet(address, prefix, type);
  return undefined;
}

function unmapIpv4(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped?.[1] ?? address;
}
