import { existsSync } from "node:fs";
import { listDeliveries, retryDeliveries } from "../outbox/outbox-admin.js";
import { openStore } from "../receiver/store.js";
import type { NotificationStore } from "../receiver/store-types.js";
import { terminalSafe } from "../receiver/terminal-text.js";
import { CommandError, PROGRAM, UsageError } from "./_command.js";

/** Width of the LAST ERROR column; longer errors end with "…" (--json has them whole). */
const ERROR_WIDTH = 60;

/** `inbox --pending` / `--failed`: a table, or JSON lines with `--json`. */
export function deliveriesTable(
  store: NotificationStore,
  status: "pending" | "failed",
  limit: number,
  json: boolean,
): string {
  const rows = listDeliveries(store, status, limit);
  if (json) return rows.map((r) => `${JSON.stringify(r)}\n`).join("");
  if (rows.length === 0) return `no ${status} deliveries.\n`;
  const when = status === "pending" ? "NEXT ATTEMPT (UTC)" : "GAVE UP (UTC)";
  const header = [
    "DELIVERY",
    "NOTIFICATION",
    "SINK",
    "KIND",
    "SEVERITY",
    "ATTEMPTS",
    when,
    "LAST ERROR",
  ];
  const cells = rows.map((r) =>
    [
      String(r.id),
      String(r.notificationId),
      r.sink,
      r.kind,
      r.severity,
      String(r.attempts),
      r.inProgress
        ? `in progress since ${shortTime(r.lastAttemptAt).slice(11)}`
        : shortTime(status === "pending" ? r.nextAttemptAt : r.finishedAt),
      clip(r.lastError ?? "-"),
    ].map(terminalSafe),
  );
  const widths = header.map((h, i) =>
    Math.max(h.length, ...cells.map((row) => row[i]?.length ?? 0)),
  );
  const line = (row: string[]) =>
    `${row.map((c, i) => (i === row.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join("  ")}\n`;
  return line(header) + cells.map(line).join("");
}

/** `inbox retry ID` or `inbox retry --all-failed`. */
export function retryCommand(
  positionals: string[],
  allFailed: boolean,
  path: string,
  stdout: (text: string) => void,
): number {
  const [verb, id] = positionals;
  const usage = `Usage: ${PROGRAM} inbox retry ID|--all-failed`;
  if (verb !== "retry") {
    throw new UsageError(
      `inbox: unknown action ${JSON.stringify(verb ?? "")}; the only action is retry.\n${usage}`,
    );
  }
  if (allFailed === (id !== undefined)) {
    throw new UsageError(
      `inbox retry: give one delivery ID (from 'inbox --failed') or --all-failed.\n${usage}`,
    );
  }
  if (id !== undefined && !/^[1-9]\d{0,15}$/.test(id)) {
    throw new UsageError(
      `inbox retry: expected a delivery ID such as 12 (from 'inbox --failed'), got ${JSON.stringify(id)}.`,
    );
  }
  if (!existsSync(path)) {
    throw new CommandError(
      `no database at ${path}. The receiver creates it: ${PROGRAM} serve --db ${path}`,
    );
  }
  let store: NotificationStore;
  try {
    store = openStore(path);
  } catch (error) {
    throw new CommandError((error as Error).message);
  }
  try {
    const ids = retryDeliveries(store, id === undefined ? "all-failed" : Number(id));
    if (ids.length === 0) {
      const what = id === undefined ? "no failed deliveries" : `no failed delivery with ID ${id}`;
      throw new CommandError(`${what} in ${path}; 'inbox --failed' lists them.`);
    }
    stdout(
      `queued again: ${ids.length} ${ids.length === 1 ? "delivery" : "deliveries"} (${ids.join(", ")}); a running serve delivers them within a second.\n`,
    );
    return 0;
  } finally {
    void store.close();
  }
}

function shortTime(iso: string | null): string {
  return iso ? iso.replace("T", " ").slice(0, 19) : "-";
}

function clip(text: string): string {
  return text.length > ERROR_WIDTH ? `${text.slice(0, ERROR_WIDTH - 1)}…` : text;
}
