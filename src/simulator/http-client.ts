import http, { type IncomingHttpHeaders } from "node:http";
import https from "node:https";
import {
  createSecureContext,
  type SecureContext,
  type SecureVersion,
  type TLSSocket,
} from "node:tls";
import type { Outcome, OutcomeBase, RequestStage, TlsFacts } from "./outcome.js";
import { classifyRequestError, errorFacts } from "./outcome-classify.js";
import type { Identity } from "./proxy-identity.js";

export type { Outcome, OutcomeCore, RequestStage, TlsFacts } from "./outcome.js";
export type { Identity } from "./proxy-identity.js";

/** Where requests go and how the server certificate is checked. */
export interface Connection {
  url: URL;
  /** PEM of the CA(s) trusted for the server certificate; the system store when absent. */
  serverCa?: string;
  /** Do not verify the server certificate (`--insecure`). */
  insecure: boolean;
}

export interface RequestSpec {
  method: string;
  /** Raw query string, without the leading `?`. */
  query?: string;
  headers?: Record<string, string | string[]>;
  body?: string | Buffer;
  identity?: Identity | null;
  timeoutMs: number;
  tls?: { minVersion?: SecureVersion; maxVersion?: SecureVersion; ciphers?: string };
}

/** Response bodies are kept up to this size; the rest is read and dropped. */
export const RESPONSE_BODY_KEEP_BYTES = 64 * 1024;

/**
 * Sends one request on a fresh connection (no agent, so no pooled socket and no TLS session
 * resumption: every identity gets its own full handshake). Resolves within `timeoutMs`.
 */
export function sendRequest(connection: Connection, spec: RequestSpec): Promise<Outcome> {
  return new Promise((resolve) => {
    const started = performance.now();
    const state = {
      stage: "connect" as RequestStage,
      tls: null as TlsFacts | null,
      done: false,
      readyAt: null as number | null,
      written: false,
    };
    const tenths = (ms: number) => Math.round(ms * 10) / 10;
    const base = (): OutcomeBase => ({
      latencyMs: tenths(performance.now() - started),
      ...(state.readyAt !== null && { setupMs: tenths(state.readyAt - started) }),
      tls: state.tls,
    });
    let request: http.ClientRequest | undefined;
    let answer: { status: number; headers: IncomingHttpHeaders; kept: Buffer[] } | undefined;
    const finish = (outcome: Outcome): void => {
      if (state.done) return;
      state.done = true;
      clearTimeout(timer);
      request?.destroy();
      resolve(outcome);
    };
    const finishAnswer = () => {
      if (!answer) return;
      const body = Buffer.concat(answer.kept).toString("utf8");
      finish({ kind: "response", status: answer.status, headers: answer.headers, body, ...base() });
    };
    const timer = setTimeout(
      () => finish({ kind: "timeout", stage: state.stage, ...base() }),
      spec.timeoutMs,
    );
    try {
      request = createRequest(connection, spec);
    } catch (error) {
      return finish({ kind: "client-error", ...errorFacts(error), ...base() });
    }
    request.on("socket", (socket) => watchSocket(socket, connection, state));
    request.on("response", (response) => {
      state.stage = "response";
      answer = {
        status: response.statusCode ?? 0,
        headers: response.headers,
        kept: keepBody(response),
      };
      response.on("end", finishAnswer);
      // A server that answers (413) and then closes while we still write: the answer counts.
      response.on("close", finishAnswer);
    });
    request.on("finish", () => {
      state.written = true;
    });
    request.on("error", (error) => {
      if (answer) return finishAnswer();
      finish({ ...classifyRequestError(error, state.stage, state), ...base() });
    });
    request.end(spec.body);
  });
}

/** Reads the whole body, keeping its first RESPONSE_BODY_KEEP_BYTES. */
function keepBody(response: http.IncomingMessage): Buffer[] {
  const kept: Buffer[] = [];
  let size = 0;
  response.on("data", (chunk: Buffer) => {
    if (size < RESPONSE_BODY_KEEP_BYTES) kept.push(chunk);
    size += chunk.length;
  });
  return kept;
}

function createRequest(connection: Connection, spec: RequestSpec): http.ClientRequest {
  const { url } = connection;
  const path = `${url.pathname}${spec.query === undefined ? url.search : `?${spec.query}`}`;
  const common = {
    method: spec.method,
    host: url.hostname.replace(/^\[(.*)\]$/, "$1"),
    port: url.port || (url.protocol === "https:" ? 443 : 80),
    path,
    headers: spec.headers ?? {},
    agent: false as const,
  };
  if (url.protocol !== "https:") return http.request(common);
  // tls.connect takes `secureContext`; @types/node leaves it out of https.RequestOptions.
  const options: https.RequestOptions & { secureContext: SecureContext } = {
    ...common,
    rejectUnauthorized: !connection.insecure,
    secureContext: secureContextFor(connection, spec),
  };
  return https.request(options);
}

/**
 * One TLS context per (connection, identity, TLS settings), built once: parsing a CA bundle
 * such as Node's ~140 public roots costs tens of milliseconds, and a run opens ~100 connections.
 */
const secureContexts = new WeakMap<Connection, Map<string, SecureContext>>();

function secureContextFor(connection: Connection, spec: RequestSpec): SecureContext {
  let byKey = secureContexts.get(connection);
  if (!byKey) {
    byKey = new Map();
    secureContexts.set(connection, byKey);
  }
  const { identity, tls } = spec;
  const key = JSON.stringify([identity?.cert ?? null, identity?.key ?? null, tls ?? null]);
  let context = byKey.get(key);
  if (!context) {
    context = createSecureContext({
      ...(connection.serverCa !== undefined ? { ca: connection.serverCa } : {}),
      ...(identity ? { cert: identity.cert, key: identity.key } : {}),
      ...tls,
    });
    byKey.set(key, context);
  }
  return context;
}

function watchSocket(
  socket: import("node:net").Socket,
  connection: Connection,
  state: { stage: RequestStage; tls: TlsFacts | null; readyAt: number | null },
): void {
  const https = connection.url.protocol === "https:";
  socket.once("connect", () => {
    state.stage = https ? "handshake" : "request";
    if (!https) state.readyAt = performance.now();
  });
  if (!https) return;
  socket.once("secureConnect", () => {
    state.stage = "request";
    state.readyAt = performance.now();
    state.tls = tlsFactsOf(socket as TLSSocket);
  });
}

function tlsFactsOf(socket: TLSSocket): TlsFacts {
  const peer = socket.getPeerCertificate();
  const hasPeer = peer !== null && Object.keys(peer).length > 0;
  return {
    protocol: socket.getProtocol(),
    peer: hasPeer
      ? {
          subject: String(peer.subject?.CN ?? ""),
          issuer: String(peer.issuer?.CN ?? ""),
          validFrom: peer.valid_from,
          validTo: peer.valid_to,
        }
      : null,
  };
}
