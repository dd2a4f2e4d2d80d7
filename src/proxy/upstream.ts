import { isIPv4, isIPv6 } from "node:net";
import { checkPort } from "../validate/port.js";

/** A DNS name: labels of letters, digits and inner hyphens, dot-separated. */
const DNS_NAME =
  /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
/** `http://HOST[:PORT]` with an optional trailing slash; HOST is checked on its own below. */
const ORIGIN = /^http:\/\/(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(?::(\d{1,5}))?\/?$/;

export type UpstreamResult = { ok: true; origin: string } | { ok: false; reason: string };

/**
 * The receiver's origin as both proxy configs write it: `http://HOST[:PORT]`, HOST a DNS name,
 * an IPv4 address or a bracketed IPv6 address. Anything else (`;`, quotes, `$variables`,
 * spaces, a path, credentials, another scheme) would become config syntax or let the request
 * choose the upstream, so it is refused.
 */
export function parseUpstream(value: unknown): UpstreamResult {
  if (typeof value !== "string") return { ok: false, reason: "not a string" };
  const match = ORIGIN.exec(value);
  if (!match) {
    return {
      ok: false,
      reason: value.startsWith("http://")
        ? "expected only http://HOST[:PORT], HOST a DNS name, an IPv4 address or [IPv6]; no path, credentials or other characters"
        : "the receiver behind the proxy is reached over plain http://",
    };
  }
  const host = match[1] ?? "";
  const port = match[2];
  const hostOk = host.startsWith("[")
    ? isIPv6(host.slice(1, -1))
    : isIPv4(host) || (DNS_NAME.test(host) && host.length <= 253 && !/^[\d.]+$/.test(host));
  if (!hostOk)
    return { ok: false, reason: `${JSON.stringify(host)} is not a DNS name or an IP address` };
  const portVerdict = port === undefined ? undefined : checkPort(port, { allowZero: false });
  if (portVerdict && !portVerdict.ok) {
    // Said as every port flag says it (`serve --port`), without the final full stop.
    return { ok: false, reason: `port ${portVerdict.problem.replace(/\.$/, "")}` };
  }
  return {
    ok: true,
    origin: `http://${host.toLowerCase()}${port === undefined ? "" : `:${Number(port)}`}`,
  };
}

/** For the renderers: the origin, or a TypeError when the options bypassed validation. */
export function upstreamOrigin(value: string): string {
  const result = parseUpstream(value);
  if (!result.ok) {
    throw new TypeError(
      `[netdata-webhook-kit] proxy --upstream: ${result.reason}, got ${JSON.stringify(value)}`,
    );
  }
  return result.origin;
}
