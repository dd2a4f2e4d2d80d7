import type { NotificationKind, Severity } from "../protocol/notification-types.js";
import type { AcceptanceEvent, ReceiverEvents, RefusalEvent } from "../receiver/receiver-events.js";
import type { NotificationStore, StoredNotification } from "../receiver/store-types.js";
import { type ClientCertificateInfo, clientCertificateOf } from "./client-certificate.js";
import {
  displayOptional,
  displayText,
  MESSAGE_SHOWN_MAX,
  NAME_SHOWN_MAX,
  TOKEN_SHOWN_MAX,
} from "./display-text.js";
import { REFUSAL_REASONS, type RefusalReason, refusalReasonOf } from "./refusal-reason.js";

/** Notifications the page lists; older ones are in `inbox` and the log. */
export const CONSOLE_LIST_LENGTH = 50;
/**
 * Refusal rows kept per reason: a flood of one reason (say, failed TLS handshakes from many
 * addresses) replaces its own older rows, never another reason's.
 */
export const REFUSAL_ROWS_PER_REASON = 10;

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

/**
 * Refusals of one reason from one address, collapsed into one row: the latest one's facts,
 * how many there were and when the first came.
 */
export interface ConsoleRefusal {
  /** Identifies the row (reason and address); a later refusal of the same group replaces it. */
  group: number;
  /** Refusals in this row. */
  count: number;
  firstTime: string;
  /** The latest refusal's time. */
  time: string;
  reason: RefusalReason;
  reasonText: string;
  /** The receiver's precise reason (as logged and answered). */
  detail: string;
  /** null when the connection was cut before HTTP. */
  status: number | null;
  remote: string | null;
  method: string | null;
  /** The path asked for, never its query string (it may carry secrets). */
  path: string | null;
  certificate: ClientCertificateInfo | null;
  /** Refusals of this reason since the receiver started. */
  reasonTotal: number;
}

/** Refusals per reason since start, in REFUSAL_REASONS order, reasons seen only. */
export type RefusalCounts = Array<{ reason: RefusalReason; reasonText: string; count: number }>;

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
  /** The receiver's webhook path, for saying which path a wrong one should have been. */
  webhookPath?: string;
  /** The header carrying the client DN the proxy verified (behind-proxy mode). */
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
  /** Newest first; at most REFUSAL_ROWS_PER_REASON rows of each reason. */
  private readonly recentRefusals: ConsoleRefusal[] = [];
  private readonly groups = new Map<string, number>();
  private readonly reasonCounts = new Map<RefusalReason, number>();
  private readonly subscribers = new Set<(update: ConsoleUpdate) => void>();
  private webhookPath: string | undefined;
  private lastGroup = 0;

  constructor(private readonly options: ConsoleFeedOptions) {
    this.webhookPath = options.webhookPath;
  }

  /** The webhook path, once the receiver listens. */
  setWebhookPath(path: string): void {
    this.webhookPath = path;
  }

  accepted(event: AcceptanceEvent): void {
    const certificate = clientCertificateOf(event.socket, event.rawHeaders, this.options.dnHeader);
    this.certificates.delete(event.id);
    this.certificates.set(event.id, certificate);
    if (this.certificates.size > CONSOLE_LIST_LENGTH) {
      const [oldest] = this.certificates.keys();
      if (oldest !== undefined) this.certificates.delete(oldest);
    }
    const n = event.notification;
    this.publish({
      type: "notification",
      data: {
        id: event.id,
        duplicate: event.duplicate,
        kind: n.kind,
        severity: n.severity,
        host: displayOptional(n.host, NAME_SHOWN_MAX),
        alert: displayOptional(n.alertName, NAME_SHOWN_MAX),
        message: displayText(n.message, MESSAGE_SHOWN_MAX),
        occurredAt: displayOptional(n.occurredAt, NAME_SHOWN_MAX),
        receivedAt: new Date().toISOString(),
        clientCn: displayOptional(event.clientCn, NAME_SHOWN_MAX),
        certificate,
      },
    });
    // One rule for the live token and the page: the test notification with the highest id
    // (the latest one stored). A redelivery of an older one does not bring its token back.
    if (n.kind === "test") {
      this.latestToken().then(
        (latest) => {
          if (latest) this.publish({ type: "token", data: latest });
        },
        () => {
          // The store closed or failed: the page shows the token on its next load.
        },
      );
    }
  }

  refused(event: RefusalEvent): void {
    const reason = refusalReasonOf(event);
    const reasonTotal = (this.reasonCounts.get(reason) ?? 0) + 1;
    this.reasonCounts.set(reason, reasonTotal);
    const key = `${reason} ${event.remote ?? ""}`;
    let group = this.groups.get(key);
    if (group === undefined) {
      this.lastGroup += 1;
      group = this.lastGroup;
      this.groups.set(key, group);
    }
    const at = this.recentRefusals.findIndex((r) => r.group === group);
    const previous = at >= 0 ? this.recentRefusals.splice(at, 1)[0] : undefined;
    const time = new Date().toISOString();
    const refusal: ConsoleRefusal = {
      group,
      count: (previous?.count ?? 0) + 1,
      firstTime: previous?.firstTime ?? time,
      time,
      reason,
      reasonText: REFUSAL_REASONS[reason],
      detail: displayText(this.detailOf(reason, event), MESSAGE_SHOWN_MAX),
      status: event.status,
      remote: displayOptional(event.remote, NAME_SHOWN_MAX),
      method: displayOptional(event.method, NAME_SHOWN_MAX),
      path: displayOptional(event.path === null ? null : pathOnly(event.path), NAME_SHOWN_MAX),
      certificate: clientCertificateOf(event.socket, event.rawHeaders, this.options.dnHeader),
      reasonTotal,
    };
    this.recentRefusals.unshift(refusal);
    const ofReason = this.recentRefusals.filter((r) => r.reason === reason);
    for (const dropped of ofReason.slice(REFUSAL_ROWS_PER_REASON)) {
      this.recentRefusals.splice(this.recentRefusals.indexOf(dropped), 1);
    }
    // Addresses whose rows are gone start a new row (and group) when they come back.
    if (this.groups.size > REFUSAL_ROWS_PER_REASON * 100) this.forgetDroppedGroups();
    this.publish({ type: "refusal", data: refusal });
  }

  /** The latest notifications, newest first. */
  async notifications(): Promise<ConsoleNotification[]> {
    const rows = await this.options.store.list({ limit: CONSOLE_LIST_LENGTH });
    return rows.map((row) => this.fromRow(row));
  }

  /** The latest refusals since start, newest first, repeated ones collapsed. */
  refusals(): readonly ConsoleRefusal[] {
    return this.recentRefusals;
  }

  /** Refusals per reason since start. */
  refusalCounts(): RefusalCounts {
    return (Object.keys(REFUSAL_REASONS) as RefusalReason[])
      .filter((reason) => this.reasonCounts.has(reason))
      .map((reason) => ({
        reason,
        reasonText: REFUSAL_REASONS[reason],
        count: this.reasonCounts.get(reason) ?? 0,
      }));
  }

  /** The token of the test notification with the highest id, as the page and events show it. */
  async latestToken(): Promise<ConsoleToken | null> {
    const latest = await this.options.store.latestTestToken();
    return latest && { ...latest, token: displayText(latest.token, TOKEN_SHOWN_MAX) };
  }

  /** Calls `listener` with every update until the returned function is called. */
  subscribe(listener: (update: ConsoleUpdate) => void): () => void {
    this.subscribers.add(listener);
    return () => this.subscribers.delete(listener);
  }

  private publish(update: ConsoleUpdate): void {
    for (const listener of this.subscribers) listener(update);
  }

  /** The receiver's reason, in the words of the console where the raw one misleads. */
  private detailOf(reason: RefusalReason, event: RefusalEvent): string {
    if (reason === "no_certificate") return "no client certificate presented";
    if (reason === "wrong_path" && this.webhookPath !== undefined) {
      return `${event.reason}; the webhook path is ${this.webhookPath}`;
    }
    return event.reason;
  }

  private forgetDroppedGroups(): void {
    const kept = new Set(this.recentRefusals.map((r) => r.group));
    for (const [key, group] of this.groups) if (!kept.has(group)) this.groups.delete(key);
  }

  private fromRow(row: StoredNotification): ConsoleNotification {
    return {
      id: row.id,
      duplicate: false,
      kind: row.kind,
      severity: row.severity,
      host: displayOptional(row.host, NAME_SHOWN_MAX),
      alert: displayOptional(row.alertName, NAME_SHOWN_MAX),
      message: displayText(row.message, MESSAGE_SHOWN_MAX),
      occurredAt: displayOptional(row.occurredAt, NAME_SHOWN_MAX),
      receivedAt: row.receivedAt,
      clientCn: displayOptional(row.clientCn, NAME_SHOWN_MAX),
      certificate: this.certificates.get(row.id) ?? null,
    };
  }
}

/** A request path without its query string. */
function pathOnly(path: string): string {
  const query = path.indexOf("?");
  return query < 0 ? path : path.slice(0, query);
}
