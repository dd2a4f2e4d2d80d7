import type { Socket } from "node:net";
import { TLSSocket } from "node:tls";
import { headerValues } from "../protocol/auth.js";

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

/** Longest DN kept; real subjects are a few hundred characters. */
const DN_SHOWN_MAX = 512;

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
  return { source: "proxy", subject: clip(dn), issuer: null, validFrom: null, validTo: null };
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
  return text.length > DN_SHOWN_MAX ? `${text.slice(0, DN_SHOWN_MAX)}...` : text;
}
