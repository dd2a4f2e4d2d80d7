import type { ClientCertificateInfo } from "./client-certificate.js";
import {
  type ConsoleNotification,
  type ConsoleRefusal,
  type ConsoleToken,
  REFUSAL_ROWS_PER_REASON,
  type RefusalCounts,
} from "./console-feed.js";
import type { SinkRow } from "./forwarding-stats.js";
import { type Html, html } from "./html.js";

export interface ConsolePageData {
  webhookUrl: string;
  mode: "direct" | "behind-proxy";
  token: ConsoleToken | null;
  notifications: readonly ConsoleNotification[];
  refusals: readonly ConsoleRefusal[];
  refusalCounts: RefusalCounts;
  /** undefined: forwarding is not configured. */
  forwarding: readonly SinkRow[] | undefined;
}

/**
 * The console as one server-rendered page: complete without JavaScript (reload to refresh);
 * console.js, served beside it, adds live updates and the copy button. Every value from a
 * notification, a certificate or a request goes through `html`, which escapes it.
 */
export function renderConsolePage(data: ConsolePageData): string {
  return `<!doctype html>\n${html`<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Netdata webhook receiver console</title>
<link rel="icon" href="/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/console.css">
<script src="/console.js" defer></script>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header>
<h1>Netdata webhook receiver</h1>
<p>Webhook URL <code>${data.webhookUrl}</code> (${data.mode === "direct" ? "direct mutual TLS" : "behind a TLS proxy"}).
<span id="live-status" role="status">Reload the page to see what arrived since.</span></p>
</header>
<main id="main">
${tokenSection(data.token)}
${refusalSection(data.refusals, data.refusalCounts)}
${notificationSection(data.notifications)}
${data.forwarding ? forwardingSection(data.forwarding) : ""}
</main>
</body>
</html>
`}`;
}

function tokenSection(token: ConsoleToken | null): Html {
  return html`<section aria-labelledby="token-heading" class="token-section">
<h2 id="token-heading">Test token</h2>
<p>In Netdata Cloud, press <strong>Test</strong> in the webhook form, then paste this token into the form.</p>
<p class="token-line"><output id="token" class="token" aria-label="latest test token">${token?.token ?? ""}</output>
<button type="button" id="copy-token" hidden${token ? "" : " disabled"}>Copy token</button>
<span id="copy-status" role="status"></span></p>
<p id="token-meta">${token ? html`From notification ${token.id}, received <time datetime="${token.receivedAt}">${token.receivedAt}</time>.` : "No test notification yet."}</p>
</section>`;
}

function refusalSection(refusals: readonly ConsoleRefusal[], counts: RefusalCounts): Html {
  const items = counts.map(
    (c) =>
      html`<li data-reason="${c.reason}"><span class="reason reason-${c.reason}">${c.reasonText}</span> <span class="count">${c.count}</span></li>`,
  );
  return html`<section aria-labelledby="refusals-heading">
<h2 id="refusals-heading">Refused connections and requests</h2>
<p>Why the receiver turned a sender away: when Netdata's test fails, look here first.
Repeated refusals of one reason from one address share a row; each reason keeps its latest ${REFUSAL_ROWS_PER_REASON} rows.</p>
<ul id="refusal-counts" aria-label="Refusals per reason since the receiver started">${items}</ul>
<table id="refusals">
<caption class="visually-hidden">Refusals, newest first</caption>
<thead><tr><th scope="col">Time</th><th scope="col">Reason</th><th scope="col">Detail</th><th scope="col">Answer</th><th scope="col">From</th><th scope="col">Client certificate</th></tr></thead>
<tbody>${refusals.length > 0 ? refusals.map(refusalRow) : emptyRow(6, "No refusals since the receiver started.")}</tbody>
</table>
</section>`;
}

function refusalRow(r: ConsoleRefusal): Html {
  const answer = r.status === null ? "connection closed" : `HTTP ${r.status}`;
  const request = r.method ? ` ${r.method} ${r.path ?? ""}` : "";
  const repeats =
    r.count > 1
      ? html`<br><span class="repeat">${r.count} times since <time datetime="${r.firstTime}">${r.firstTime}</time></span>`
      : "";
  return html`<tr data-group="${r.group}" data-reason="${r.reason}" data-count="${r.count}">
<td><time datetime="${r.time}">${r.time}</time>${repeats}</td>
<td><span class="reason reason-${r.reason}">${r.reasonText}</span></td>
<td class="detail">${r.detail}</td>
<td>${answer}${request}</td>
<td>${r.remote ?? "unknown"}</td>
<td>${certificateCell(r.certificate, null)}</td>
</tr>`;
}

function notificationSection(notifications: readonly ConsoleNotification[]): Html {
  return html`<section aria-labelledby="notifications-heading">
<h2 id="notifications-heading">Notifications</h2>
<table id="notifications">
<caption class="visually-hidden">Notifications, newest first</caption>
<thead><tr><th scope="col">Received</th><th scope="col">Kind</th><th scope="col">Severity</th><th scope="col">Host</th><th scope="col">Alert</th><th scope="col">Message</th><th scope="col">Client certificate</th></tr></thead>
<tbody>${notifications.length > 0 ? notifications.map(notificationRow) : emptyRow(7, "No notifications yet.")}</tbody>
</table>
</section>`;
}

function notificationRow(n: ConsoleNotification): Html {
  return html`<tr data-id="${n.id}">
<td><time datetime="${n.receivedAt}">${n.receivedAt}</time>${n.duplicate ? html` <span class="badge">redelivery</span>` : ""}</td>
<td>${n.kind}</td>
<td><span class="severity severity-${n.severity}">${n.severity}</span></td>
<td>${n.host ?? "-"}</td>
<td>${n.alert ?? "-"}</td>
<td class="message">${n.message}</td>
<td>${certificateCell(n.certificate, n.clientCn)}</td>
</tr>`;
}

function certificateCell(c: ClientCertificateInfo | null, cn: string | null): Html {
  if (c === null) return html`${cn ? `CN=${cn} (details not recorded)` : "none presented"}`;
  const validity =
    c.validFrom && c.validTo ? `${c.validFrom} to ${c.validTo}` : "not forwarded by the proxy";
  return html`<dl class="cert">
<dt>Subject</dt><dd>${c.subject ?? "-"}</dd>
<dt>Issuer</dt><dd>${c.issuer ?? (c.source === "proxy" ? "not forwarded by the proxy" : "-")}</dd>
<dt>Valid</dt><dd>${validity}</dd>
</dl>`;
}

function forwardingSection(sinks: readonly SinkRow[]): Html {
  const rows = sinks.map(
    (s) =>
      html`<tr><th scope="row">${s.sink}</th><td>${s.pending}</td><td>${s.delivered}</td><td>${s.failed}</td></tr>`,
  );
  return html`<section aria-labelledby="forwarding-heading">
<h2 id="forwarding-heading">Forwarding</h2>
<table id="forwarding">
<caption class="visually-hidden">Deliveries per sink</caption>
<thead><tr><th scope="col">Sink</th><th scope="col">Pending</th><th scope="col">Delivered</th><th scope="col">Failed</th></tr></thead>
<tbody>${rows.length > 0 ? rows : emptyRow(4, "No sinks.")}</tbody>
</table>
</section>`;
}

function emptyRow(columns: number, text: string): Html {
  return html`<tr class="empty"><td colspan="${columns}">${text}</td></tr>`;
}
