import type { NotificationKind, Severity } from "../protocol/notification-types.js";
import type { AcceptanceEvent, ReceiverEvents, RefusalEvent } from "../receiver/receiver-events.js";
import type { NotificationStore, StoredNotification } from "../receiver/store-types.js";
import { type ClientCertificateInfo, clientCertificateOf } from "./client-certificate.js";
import { REFUSAL_REASONS, type RefusalReason, refusalReasonOf } from "./refusal-reason.js";

/** Notifications and refusals the page lists; older ones are in `inbox` and the log. */
export const CONSOLE_LIST_LENGTH = 50;
/** Longest message kept for the page, in characters. */
const MESSAGE_SHOWN_MAX = 500;

/** One notification as the console shows it. Every string is untrusted text. */
export interface ConsoleNotification {
  id: number;
  duplicate: boolean;
  kind: NotificationKind;
  severity: Severity;
  host: string | null;
  alert: string | null;
  message: string;
  occurredAt: string | null;
  receivedAt: string;
  clientCn: string | null;
  /** null for rows received before this process started, or without a certificate. */
  certificate: ClientCertificateInfo | null;
}

/** One refused connection or request. */
export interface ConsoleRefusal {
  seq: number;
  time: string;
  reason: RefusalReason;
  reasonText: string;
  /** The receiver's precise reason (as logged and answered). */
  detail: string;
  /** null when the connection was cut before HTTP. */
  status: number | null;
  remote: string | null;
  method: string | null;
  path: string | null;
  certificate: ClientCertificateInfo | null;
}

export interface ConsoleToken {
  token: string;
  id: number;
  receivedAt: string;
}

export type ConsoleUpdate =
  | { type: "notification"; data: ConsoleNotification }
  | { type: "refusal"; data: ConsoleRefusal }
  | { type: "token"; data: ConsoleToken };

export interface ConsoleFeedOptions {
  store: NotificationStore;
  /** The proxy's header names (behind-proxy mode). */
  verifyHeader: string;
  dnHeader: string;
}

/**
 * What the console page shows, kept as the receiver tells it: the latest notifications (from
 * the store, with the certificate facts of those received since start), the latest refusals
 * (in memory only) and the latest test token. Subscribers (the page's event stream) get each
 * change as it happens.
 */
export class ConsoleFeed implements ReceiverEvents {
  private readonly certificates = new Map<number, ClientCertificateInfo | null>();
  private readonly recentRefusals: ConsoleRefusal[] = [];
  private readonly subscribers = new Set<(update: ConsoleUpdate) => void>();
  private seq = 0;

  constructor(private readonly options: ConsoleFeedOptions) {}

  accepted(event: AcceptanceEvent): void {
    const certificate = clientCertificateOf(event.socket, event.rawHeaders, this.options.dnHeader);
    this.certificates.delete(event.id);
    this.certificates.set(event.id, certificate);
    if (this.certificates.size > CONSOLE_LIST_LENGTH) {
      const [oldest] = this.certificates.keys();
      if (oldest !== undefined) this.certificates.delete(oldest);
    }
    const n = event.notification;
    const receivedAt = new Date().toISOString();
    this.publish({
      type: "notification",
      data: {
        id: event.id,
        duplicate: event.duplicate,
        kind: n.kind,
        severity: n.severity,
        host: n.host,
        alert: n.alertName,
        message: clipMessage(n.message),
        occurredAt: n.occurredAt,
        receivedAt,
        clientCn: event.clientCn,
        certificate,
      },
    });
    if (n.kind === "test" && n.token !== null) {
      this.publish({ type: "token", data: { token: n.token, id: event.id, receivedAt } });
    }
  }

  refused(event: RefusalEvent): void {
    const reason = refusalReasonOf(event, this.options.verifyHeader);
    this.seq += 1;
    const refusal: ConsoleRefusal = {
      seq: this.seq,
      time: new Date().toISOString(),
      reason,
      reasonText: REFUSAL_REASONS[reason],
      detail: event.reason,
      status: event.status,
      remote: event.remote,
      method: event.method,
      path: event.path,
      certificate: clientCertificateOf(event.socket, event.rawHeaders, this.options.dnHeader),
    };
    this.recentRefusals.unshift(refusal);
    this.recentRefusals.length = Math.min(this.recentRefusals.length, CONSOLE_LIST_LENGTH);
    this.publish({ type: "refusal", data: refusal });
  }

  /** The latest notifications, newest first. */
  notifications(): ConsoleNotification[] {
    return this.options.store.list({ limit: CONSOLE_LIST_LENGTH }).map((row) => this.fromRow(row));
  }

  /** The latest refusals since start, newest first. */
  refusals(): readonly ConsoleRefusal[] {
    return this.recentRefusals;
  }

  latestToken(): ConsoleToken | null {
    return this.options.store.latestTestToken();
  }

  /** Calls `listener` with every update until the returned function is called. */
  subscribe(listener: (update: ConsoleUpdate) => void): () => void {
    this.subscribers.add(listener);
    return () => this.subscribers.delete(listener);
  }

  private publish(update: ConsoleUpdate): void {
    for (const listener of this.subscribers) listener(update);
  }

  private fromRow(row: StoredNotification): ConsoleNotification {
    return {
      id: row.id,
      duplicate: false,
      kind: row.kind,
      severity: row.severity,
      host: row.host,
      alert: row.alertName,
      message: clipMessage(row.message),
      occurredAt: row.occurredAt,
      receivedAt: row.receivedAt,
      clientCn: row.clientCn,
      certificate: this.certificates.get(row.id) ?? null,
    };
  }
}

function clipMessage(message: string): string {
  return message.length > MESSAGE_SHOWN_MAX ? `${message.slice(0, MESSAGE_SHOWN_MAX)}...` : message;
}
