import type { AuthConfig } from "../protocol/auth.js";

export type CheckLevel = "required" | "recommended";
/**
 * pass / fail: the check's verdict. skip: not run (reason in the summary; "not run: baseline
 * failed" when the baseline did not get through). inconclusive: a refusal that proves nothing,
 * because the control (the same request without the defect) was refused as well.
 */
export type CheckStatus = "pass" | "fail" | "skip" | "inconclusive";
/**
 * Why a check did not run. not-applicable: what the caller said of the receiver rules it out
 * (--auth none, --no-challenge or --profile, --payloads, --proxy-headers). incomplete: it could
 * not run for another reason (a secret, credentials or identity not given, plain HTTP without
 * --proxy-headers, --insecure): a required one makes the run incomplete (exit 1).
 * by-request: left out with --skip. not-run: the baseline failed or the target was unreachable.
 */
export type SkipKind = "not-applicable" | "incomplete" | "by-request" | "not-run";
export type VerifyProfile = "current" | "legacy-crc" | "all";
export type PayloadSelection = "flat" | "nested" | "all";

/** Options of `verifyReceiver`; file options are paths, as on the command line. */
export interface VerifyOptions {
  /** The webhook URL Netdata Cloud would call. */
  url: string;
  /**
   * current: test-notification token (the receiver has no legacy CRC challenge: the CRC checks
   * do not apply); legacy-crc: CRC challenge; all (default): both.
   */
  profile?: VerifyProfile;
  payloads?: PayloadSelection;
  /**
   * The Authorization credentials to send. Absent: none are sent, and the checks of refused
   * credentials cannot run (the run is incomplete); `{ scheme: "none" }` says the receiver
   * takes none, so those checks do not apply.
   */
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
  /**
   * Check ids or prefixes (`mtls`, `delivery.alert`) to run / to leave out; a left-out check is
   * listed as skipped by request.
   */
  only?: string[];
  skip?: string[];
  /** Extra headers added to every request, as Netdata's "extra headers" setting would. */
  headers?: Array<[name: string, value: string]>;
  /**
   * Plain HTTP to a receiver behind a TLS proxy: the mTLS checks are played through the
   * headers such a proxy forwards (verdict and subject DN) instead of certificates.
   */
  proxyHeaders?: boolean;
  /** Names of the forwarded headers (default X-Client-Verify, X-Client-DN). */
  proxyVerifyHeader?: string;
  proxyDnHeader?: string;
  /**
   * After the run, look for the canaries of refused requests in this log (read from its size
   * when the run started) and/or in what this shell command prints (e.g. an inbox listing).
   */
  observeLog?: string;
  observeCommand?: string;
  /** Seed of the payload generator; the report gives the one used, for replay. */
  seed?: number;
  /** Called once the baseline has run, before the first check (for progress output). */
  onBaseline?: (baseline: Baseline) => void;
  /** Called after each check, in order (for progress output). */
  onCheck?: (result: CheckResult) => void;
}

/** One request of a check, as sent and as answered. Secrets are replaced by their length. */
export interface Exchange {
  label: string;
  request: {
    method: string;
    target: string;
    identity: string | null;
    authorization: string | null;
    contentType: string | null;
    /** Every header sent, Authorization redacted; a repeated header keeps all its values. */
    headers: Array<[name: string, value: string]>;
    bodyBytes: number;
    /** The first bytes of the body, as text. */
    bodyStart: string;
  };
  response: {
    outcome: string;
    status: number | null;
    latencyMs: number;
    tlsProtocol: string | null;
    headers: Record<string, string>;
    /** The first 512 bytes of the body. */
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
  /** On skip: why it did not run. */
  skipKind: SkipKind | null;
  /** On failure: the id of its cause in the report's `causes`, the cause and the fix. */
  causeId: string | null;
  cause: string | null;
  fix: string | null;
  /** For a negative check: what the control (the same request without the defect) got. */
  control: string | null;
}

/** A cause of failure: what is wrong, the one fix, and the failed checks it explains. */
export interface Cause {
  id: string;
  cause: string;
  fix: string;
  checks: string[];
}

/** What the baseline established before the catalogue ran, and why it stopped if it did. */
export interface Baseline {
  ok: boolean;
  /** How far the baseline got: the layer every dependent check needs. */
  reached: "nothing" | "tcp" | "http" | "accepted";
  /** One root cause and its fix, printed at the top of the report; null when ok. */
  diagnosis: { cause: string; fix: string } | null;
  exchanges: Exchange[];
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
    proxyHeaders: boolean;
    headers: string[];
  };
  reachable: boolean;
  unreachableReason: string | null;
  warnings: string[];
  baseline: Baseline;
  /** With --observe-log/--observe-command: where canaries were looked for, and what was found. */
  observation: {
    sources: string[];
    canaries: number;
    found: Array<{ checkId: string; label: string; canary: string }>;
    problems: string[];
  } | null;
  checks: CheckResult[];
  /** One entry per cause of failure, with every failed check it explains, in run order. */
  causes: Cause[];
  summary: {
    total: number;
    passed: number;
    failed: number;
    skipped: number;
    inconclusive: number;
    requiredFailed: number;
    requiredInconclusive: number;
    recommendedFailed: number;
    /** Required checks skipped for a reason of their own (any skip kind but not-run). */
    requiredSkipped: number;
    /** Required checks that could not run (skip kind incomplete): each one makes exit 1. */
    requiredIncomplete: number;
  };
  /** With --only: the required checks it selected when none of the selection ran at all. */
  selectedNotRun: string[];
  /**
   * 0 every required check ran and passed, or does not apply (not-applicable, by-request);
   * 1 the baseline failed, a required check failed, was inconclusive or could not run
   * (incomplete), nothing --only selected ran (`selectedNotRun`), or an --observe-* source
   * could not be read; 3 the target was unreachable.
   */
  exitCode: 0 | 1 | 3;
}
