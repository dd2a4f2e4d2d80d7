import type { Socket } from "node:net";
import { TLSSocket } from "node:tls";
import { headerValues } from "../protocol/auth.js";
import { DN_SHOWN_MAX, displayText } from "./display-text.js";

/** What the console shows of a client certificate. Text from the certificate: escape it. */
export interface ClientCertificateInfo {
  /** "tls": read from the connection (direct mode); "proxy": the DN header the proxy forwarded. */
  source: "tls" | "proxy";
  subject: string | null;
  issuer: string | null;
  /** ISO 8601; null when the proxy does not forward them. */
  validFrom: string | null;
  validTo: string | null;
}

const bySocket = new WeakMap<Socket, ClientCertificateInfo | null>();

/**
 * The client certificate of a connection: from the TLS socket in direct mode (read once per
 * connection), else from the proxy's DN header, else null (no certificate was presented).
 */
export function clientCertificateOf(
  socket: Socket | undefined,
  rawHeaders: readonly string[],
  dnHeader: string,
): ClientCertificateInfo | null {
  if (socket instanceof TLSSocket) {
    if (!bySocket.has(socket)) bySocket.set(socket, fromTlsSocket(socket));
    return bySocket.get(socket) ?? null;
  }
  const [dn] = headerValues(rawHeaders, dnHeader);
  if (dn === undefined) return null;
  const subject = clip(utf8FromLatin1(dn));
  return { source: "proxy", subject, issuer: null, validFrom: null, validTo: null };
}

function fromTlsSocket(socket: TLSSocket): ClientCertificateInfo | null {
  let certificate: ReturnType<TLSSocket["getPeerX509Certificate"]>;
  try {
    certificate = socket.getPeerX509Certificate();
  } catch {
    return null;
  }
  if (!certificate) return null;
  return {
    source: "tls",
    subject: clip(oneLine(certificate.subject)),
    issuer: clip(oneLine(certificate.issuer)),
    validFrom: isoDate(certificate.validFrom),
    validTo: isoDate(certificate.validTo),
  };
}

/** X509Certificate puts one attribute per line; the console shows them comma-separated. */
function oneLine(dn: string): string {
  return dn.split("\n").filter(Boolean).join(", ");
}

function isoDate(text: string): string | null {
  const time = Date.parse(text);
  return Number.isNaN(time) ? null : new Date(time).toISOString();
}

function clip(text: string): string {
  return displayText(text, DN_SHOWN_MAX);
}

/**
 * Node reads header bytes as latin1; a proxy forwards a DN's UTF-8 bytes as they are. Decoded
 * as UTF-8 when they are valid UTF-8 (so "O=Zürich" shows as such), else left as read.
 */
export function utf8FromLatin1(text: string): string {
  const bytes = Buffer.from(text, "latin1");
  // Plain ASCII, or characters beyond latin1 (then it was not read from bytes): as is.
  if (!bytes.some((b) => b >= 0x80) || bytes.toString("latin1") !== text) return text;
  const decoded = bytes.toString("utf8");
  return decoded.includes("\uFFFD") ? text : decoded;
}
