import { isIP } from "node:net";
import * as der from "./der.js";

/** Names every development server certificate carries, whatever else is asked for. */
export const DEFAULT_SERVER_HOSTS: readonly string[] = ["localhost", "127.0.0.1", "::1"];

/** A DNS name as a certificate may carry it: labels of letters, digits and `-`, or `*.` first. */
const DNS_NAME =
  /^(?:\*\.)?[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

/** A host that cannot go into a subjectAltName; `host` is the value as given. */
export class HostNameError extends TypeError {
  override name = "HostNameError";
  constructor(readonly host: string) {
    super(
      `not a DNS name or IP address: ${JSON.stringify(host)}. Give a name such as hooks.example.test, or an address such as 192.0.2.10 or ::1.`,
    );
  }
}

/** The same value for the same host however it is spelled (IPv6 by its bytes, names lower-case). */
export function hostKey(host: string): string {
  return isIP(host) ? hostBytes(host).toString("hex") : host.toLowerCase();
}

/** The defaults plus `extra`, checked, without duplicates (IPv6 compared by value). */
export function serverHosts(extra: readonly string[] = []): string[] {
  const seen = new Map<string, string>();
  for (const host of [...DEFAULT_SERVER_HOSTS, ...extra]) {
    const key = isIP(host) ? hostKey(host) : checkDnsName(host).toLowerCase();
    if (!seen.has(key)) seen.set(key, host);
  }
  return [...seen.values()];
}

/**
 * GeneralNames for the hosts: dNSName [2] for a name, iPAddress [7] for an address (its 4 or
 * 16 bytes). Throws HostNameError for anything else.
 */
export function encodeServerAltNames(hosts: readonly string[]): Buffer {
  return der.sequence(
    ...hosts.map((host) =>
      isIP(host)
        ? der.implicitPrimitive(7, hostBytes(host))
        : der.implicitPrimitive(2, Buffer.from(checkDnsName(host), "ascii")),
    ),
  );
}

function checkDnsName(host: string): string {
  if (host.length > 253 || !DNS_NAME.test(host)) throw new HostNameError(host);
  return host;
}

function hostBytes(address: string): Buffer {
  if (isIP(address) === 4) return Buffer.from(address.split(".").map(Number));
  return ipv6Bytes(address);
}

/** The 16 bytes of an IPv6 address (`::` expanded, a trailing dotted IPv4 part allowed). */
function ipv6Bytes(address: string): Buffer {
  let text = address;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4?.[1]) {
    const [a = 0, b = 0, c = 0, d = 0] = v4[1].split(".").map(Number);
    text = `${text.slice(0, -v4[1].length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = "", tail] = text.split("::");
  const groups = (part: string) => (part === "" ? [] : part.split(":"));
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  const zeros = Array<string>(8 - left.length - right.length).fill("0");
  const all = [...left, ...zeros, ...right];
  const bytes = Buffer.alloc(16);
  all.forEach((group, i) => {
    bytes.writeUInt16BE(Number.parseInt(group, 16), i * 2);
  });
  return bytes;
}
