import type { IncomingHttpHeaders } from "node:http";

// What became of one request of the simulator: its own module, so that the HTTP client and
// the classification of its errors share the types without importing each other.

export interface TlsFacts {
  protocol: string | null;
  peer: { subject: string; issuer: string; validFrom: string; validTo: string } | null;
}

export type RequestStage = "connect" | "handshake" | "request" | "response";

export interface OutcomeBase {
  latencyMs: number;
  /** Of latencyMs, the time until the connection (and TLS handshake) was ready; the rest is the request and the answer. */
  setupMs?: number;
  tls: TlsFacts | null;
}

/** What became of one request. Never a thrown error: every failure is a kind of outcome. */
export type Outcome = OutcomeBase & OutcomeCore;

export type OutcomeCore =
  | { kind: "response"; status: number; headers: IncomingHttpHeaders; body: string }
  /**
   * The server refused us: during the TLS handshake, or right after it (TLS 1.3, or HTTP).
   * `afterRequest`: it closed without a TLS alert after our whole request was written, so the
   * refusal is not proven: the receiver may have read and handled the request first.
   */
  | {
      kind: "refused";
      stage: RequestStage;
      code: string;
      message: string;
      afterRequest?: true;
    }
  | { kind: "server-certificate-rejected"; code: string; message: string }
  | { kind: "timeout"; stage: RequestStage }
  | { kind: "unreachable"; code: string; message: string }
  /** Our side could not build the request (bad key, unsupported option): not the server's fault. */
  | { kind: "client-error"; code: string; message: string };
