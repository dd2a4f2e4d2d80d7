import type { AuthConfig } from "../protocol/auth.js";

export type CheckLevel = "required" | "recommended";
export type CheckStatus = "pass" | "fail" | "skip";
export type VerifyProfile = "current" | "legacy-crc" | "all";
export type PayloadSelection = "flat" | "nested" | "all";

/** Options of `verifyReceiver`; file options are paths, as on the command line. */
export interface VerifyOptions {
  /** The webhook URL Netdata Cloud would call. */
  url: string;
  /** current: test-notification token; legacy-crc: CRC challenge; all (default): both. */
  profile?: VerifyProfile;
  payloads?: PayloadSelection;
  /** The Authorization credentials to send (default none). */
  auth?: AuthConfig;
  challengeSecret?: string;
  /** A folder written by `certs`: `client` is presented as Netdata, the other clients drive negative checks. */
  pkiDir?: string;
  /** Present this identity as Netdata instead of the PKI's `client` (both or neither). */
  clientCert?: string;
  clientKey?: string;
  /** PEM file of the CA(s) that issued the server certificate; the system store otherwise. */
  serverCa?: string;
  /** Skip server-certificate verification (reported as a warning). */
  insecure?: boolean;
  /** Allow an http:// URL (a receiver behind a TLS proxy); TLS checks are skipped. */
  allowHttp?: boolean;
  /** Deadline of each request (default 5000). */
  timeoutMs?: number;
  /** Deadline of the CRC answer (default CRC_DEADLINE_MS = 5000, Netdata's documented limit). */
  crcDeadlineMs?: number;
  /** Check ids or prefixes (`mtls`, `delivery.alert`) to run / to leave out. */
  only?: string[];
  skip?: string[];
  /** Seed of the payload generator; the report gives the one used, for replay. */
  seed?: number;
  /** Called after each check, in order (for progress output). */
  onCheck?: (result: CheckResult) => void;
}

/** One request of a check, as sent and as answered. Authorization values are redacted. */
export interface Exchange {
  label: string;
  request: {
    method: string;
    target: string;
    identity: string | null;
    authorization: string | null;
    contentType: string | null;
    bodyBytes: number;
  };
  response: {
    outcome: string;
    status: number | null;
    latencyMs: number;
    tlsProtocol: string | null;
    body: string | null;
  };
}

export interface CheckResult {
  id: string;
  title: string;
  level: CheckLevel;
  status: CheckStatus;
  /** What happened, in one line; for a skip, the reason. */
  summary: string;
  durationMs: number;
  exchanges: Exchange[];
  warnings: string[];
  /** On failure: the likely cause and the fix. */
  cause: string | null;
  fix: string | null;
}

export interface VerifyReport {
  reportVersion: 1;
  target: string;
  startedAt: string;
  durationMs: number;
  seed: number;
  settings: {
    profile: VerifyProfile;
    payloads: PayloadSelection;
    auth: AuthConfig["scheme"];
    timeoutMs: number;
    crcDeadlineMs: number;
    identity: string | null;
    pkiDir: string | null;
    insecure: boolean;
    allowHttp: boolean;
  };
  reachable: boolean;
  unreachableReason: string | null;
  warnings: string[];
  checks: CheckResult[];
  summary: {
    total: number;
    passed: number;
    failed: number;
    skipped: number;
    requiredFailed: number;
    recommendedFailed: number;
  };
  /** 0 every required check passed; 1 a required check failed; 3 the target was unreachable. */
  exitCode: 0 | 1 | 3;
}
