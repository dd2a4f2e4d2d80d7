import type { Identity, Outcome, RequestSpec } from "./http-client.js";
import type { Payload, PayloadFactory } from "./payloads/payload-factory.js";
import type { ResolvedVerifyOptions } from "./resolve-options.js";
import type { CheckLevel } from "./types.js";

export type Verdict =
  | { status: "pass"; summary: string; warnings?: string[] }
  /** `causeId` names the defect when the check can tell it (see causes.ts); else the check's id. */
  | { status: "fail"; summary: string; cause: string; fix?: string; causeId?: string }
  | { status: "skip"; summary: string; kind: "not-applicable" | "incomplete" }
  /** A refusal that proves nothing: the control was refused too (`control` says how). */
  | { status: "inconclusive"; summary: string; control: string };

/** A request spec whose timeout defaults to the run's `--timeout-ms`. */
export type CheckRequest = Omit<RequestSpec, "timeoutMs"> & { timeoutMs?: number };

export interface DeliveryOverrides {
  /** Names the exchange instead of the payload's label. */
  label?: string;
  method?: string;
  headers?: Record<string, string | string[]>;
  /** Send these bytes instead of the payload's (the payload still names the exchange). */
  body?: string | Buffer;
  timeoutMs?: number;
  /** Present this identity (null: none) instead of the Netdata one. */
  identity?: Identity | null;
}

/** What a check sees: the options, payloads, and a recorded way to talk to the target. */
export interface CheckContext {
  readonly options: ResolvedVerifyOptions;
  readonly payloads: PayloadFactory;
  /** Sends a request and records it as an exchange of the running check. */
  send(label: string, request: CheckRequest): Promise<Outcome>;
  /** POSTs a notification as Netdata does: its identity, the Authorization header, JSON. */
  deliver(payload: Payload, overrides?: DeliveryOverrides): Promise<Outcome>;
  /** A fresh notification of the kind every receiver accepts, for checks about something else. */
  probePayload(): Payload;
  /**
   * A probe payload marked with a unique canary, for a request that must be refused: if the
   * canary shows up in what the receiver stored or logged, the check fails.
   */
  canaryPayload(label: string): Payload;
  /**
   * The baseline's notification, carrying the run's witness: a source that is watched for
   * canaries must show it, or it is not watching this receiver.
   */
  witnessPayload(): Payload;
  /** Why no request can get through TLS (the server certificate is not trusted), or null. */
  connectBlocker(): Promise<string | null>;
  /** Why a delivery cannot be attempted at all (that, or mTLS required and no identity), or null. */
  deliveryBlocker(): Promise<string | null>;
  /** The answer to a first plain request (with the Netdata identity): TLS facts, reachability. */
  probe(): Promise<Outcome>;
  /** Latencies of the notification deliveries so far, for `delivery.latency`. */
  readonly deliveries: ReadonlyArray<{ label: string; outcome: Outcome }>;
}

/**
 * What a check needs from the baseline: "http" (an HTTP answer of any kind with the Netdata
 * identity: TLS and mTLS negatives), "accepted" (a delivery accepted), or "nothing".
 */
export type BaselineNeed = "nothing" | "http" | "accepted";

export interface CheckDefinition {
  id: string;
  title: string;
  level: CheckLevel;
  /** Default "accepted". */
  needs?: BaselineNeed;
  /** Shown on failure when the verdict names no more specific fix. */
  fix: string;
  run(ctx: CheckContext): Promise<Verdict>;
}

export const pass = (summary: string, warnings: string[] = []): Verdict => ({
  status: "pass",
  summary,
  ...(warnings.length > 0 ? { warnings } : {}),
});
export const fail = (summary: string, cause: string, fix?: string, causeId?: string): Verdict => ({
  status: "fail",
  summary,
  cause,
  ...(fix !== undefined ? { fix } : {}),
  ...(causeId !== undefined ? { causeId } : {}),
});
/** A defect a shared cause names (causes.ts): its cause and fix are the catalogue's. */
export const failWith = (summary: string, causeId: string): Verdict => ({
  status: "fail",
  summary,
  cause: "",
  causeId,
});
/** Could not run: `reason` names what would let it run (a required one makes exit 1). */
export const skip = (reason: string): Verdict => ({
  status: "skip",
  summary: reason,
  kind: "incomplete",
});
/** Does not apply, by what the caller said of the receiver (--auth none, --no-challenge...). */
export const notApplicable = (reason: string): Verdict => ({
  status: "skip",
  summary: reason,
  kind: "not-applicable",
});
export const inconclusive = (summary: string, control: string): Verdict => ({
  status: "inconclusive",
  summary,
  control,
});
