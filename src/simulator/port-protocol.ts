import net from "node:net";
import tls from "node:tls";
import type { Outcome } from "./http-client.js";

/** Longest wait of each protocol probe. */
const PROBE_TIMEOUT_MS = 2000;
/** nginx's answer to plain HTTP on its TLS port (an HTTP 400, but the port speaks TLS). */
const NGINX_HTTPS_PORT = /plain HTTP request was sent to HTTPS port/i;

function hostAndPort(url: URL): { host: string; port: number } {
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  return { host, port: Number(url.port) || (url.protocol === "https:" ? 443 : 80) };
}

/** Whether the port answers a plain `GET` with HTTP (and is not a TLS port saying so). */
export function speaksPlainHttp(url: URL, timeoutMs = PROBE_TIMEOUT_MS): Promise<boolean> {
  return new Promise((resolve) => {
    const { host, port } = hostAndPort(url);
    const socket = net.connect({ host, port });
    let received = "";
    const done = (answer: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(answer);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.once("connect", () => {
      socket.write(
        `GET ${url.pathname} HTTP/1.1\r\nHost: ${url.host}\r\nConnection: close\r\n\r\n`,
      );
    });
    socket.on("data", (chunk: Buffer) => {
      received += chunk.toString("latin1");
      if (received.length >= 5 && !received.startsWith("HTTP/")) done(false);
      if (received.includes("\r\n\r\n") && !NGINX_HTTPS_PORT.test(received)) done(true);
    });
    socket.once("end", () =>
      done(received.startsWith("HTTP/") && !NGINX_HTTPS_PORT.test(received)),
    );
    socket.once("error", () => done(false));
  });
}

/** Whether the port completes (or answers with an alert) a TLS handshake. */
export function speaksTls(url: URL, timeoutMs = PROBE_TIMEOUT_MS): Promise<boolean> {
  return new Promise((resolve) => {
    const { host, port } = hostAndPort(url);
    const socket = tls.connect({
      host,
      port,
      rejectUnauthorized: false,
      ...(net.isIP(host) === 0 ? { servername: host } : {}),
    });
    const done = (answer: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(answer);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.once("secureConnect", () => done(true));
    // An alert is TLS speaking (a server that wants a certificate in TLS 1.2, say).
    socket.once("error", (error: NodeJS.ErrnoException) =>
      done(/ALERT/.test(error.code ?? "") || /alert number/i.test(error.message)),
    );
    socket.once("close", () => done(false));
  });
}

/** An https:// attempt that a plain-HTTP port could explain: no TLS came back. */
export function mayBePlainHttpPort(outcome: Outcome): boolean {
  return (
    (outcome.kind === "refused" &&
      (outcome.stage === "handshake" || outcome.stage === "connect")) ||
    (outcome.kind === "timeout" && outcome.stage === "handshake")
  );
}

/** An http:// attempt that a TLS port could explain: no HTTP came back, or nginx's 400. */
export function mayBeTlsPort(outcome: Outcome): boolean {
  if (outcome.kind === "response")
    return outcome.status === 400 && NGINX_HTTPS_PORT.test(outcome.body);
  return outcome.kind === "refused" || (outcome.kind === "timeout" && outcome.stage !== "connect");
}

export const PLAIN_HTTP_PORT_HINT =
  "this port speaks plain HTTP: use http:// (with --allow-http, and --proxy-headers for an app behind a TLS proxy)";
export const TLS_PORT_HINT = "this port speaks TLS: use https://";

/**
 * Names a scheme that does not match the port: an https:// URL on a plain-HTTP port, or an
 * http:// URL on a TLS port. Null when the outcome does not suggest it or the port disagrees.
 */
export async function schemeMismatch(url: URL, outcome: Outcome): Promise<string | null> {
  if (url.protocol === "https:") {
    return mayBePlainHttpPort(outcome) && (await speaksPlainHttp(url))
      ? PLAIN_HTTP_PORT_HINT
      : null;
  }
  return mayBeTlsPort(outcome) && (await speaksTls(url)) ? TLS_PORT_HINT : null;
}
