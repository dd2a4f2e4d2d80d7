import { didYouMean } from "../did-you-mean.js";
import { listDeliveries, retryDeliveries } from "../outbox/outbox-admin.js";
import type { NotificationStore } from "../receiver/store-types.js";
import { terminalSafe } from "../receiver/terminal-text.js";
import { CommandError, PROGRAM, UsageError } from "./_command.js";
import { checkInboxFile } from "./_inbox-file.js";
import { jsonLines } from "./_inbox-json.js";
import { isPostgresUrl, openStoreFor, shownDb } from "./_open-store.js";

/** Width of the LAST ERROR column; longer errors end with "…" (--json has them whole). */
const ERROR_WIDTH = 60;

/** `inbox --pending` / `--failed`: a table, or JSON lines with `--json`. */
export async function deliveriesTable(
  store: NotificationStore,
  status: "pending" | "failed",
  limit: number,
  json: boolean,
): Promise<string> {
  const rows = await listDeliveries(store, status, limit);
  if (json) return jsonLines(rows);
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
        ? `started ${shortTime(r.lastAttemptAt).slice(11)} (in progress if serve runs)`
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

/** The actions `inbox` takes as its first word. */
const ACTIONS = ["retry"] as const;

/**
 * `inbox retry ID` or `inbox retry --all-failed`. With `--all-failed` and nothing failed,
 * a routine run (cron) succeeds with one line on stderr; a given ID that is not failed is
 * an error.
 */
export async function retryCommand(
  positionals: string[],
  allFailed: boolean,
  db: string,
  io: { stdout: (text: string) => void; stderr: (text: string) => void },
): Promise<number> {
  const [verb, id] = positionals;
  const usage = `Usage: ${PROGRAM} inbox retry ID|--all-failed`;
  if (verb === undefined) {
    throw new UsageError(
      `missing action: --all-failed goes with retry. Run '${PROGRAM} inbox retry --all-failed'.`,
    );
  }
  if (verb !== "retry") {
    const suggestion = didYouMean(verb, ACTIONS);
    const hint = suggestion ? `Did you mean ${suggestion}? ` : "";
    throw new UsageError(
      `unknown action: ${verb}. ${hint}The only action is retry; without one, inbox lists notifications.\n${usage}`,
    );
  }
  if (allFailed === (id !== undefined)) {
    throw new UsageError(
      `retry: give one delivery ID (from 'inbox --failed') or --all-failed.\n${usage}`,
    );
  }
  if (id !== undefined && !/^[1-9]\d{0,15}$/.test(id)) {
    throw new UsageError(
      `retry: not a delivery ID: ${JSON.stringify(id)}. Give a number such as 12, from 'inbox --failed'.`,
    );
  }
  if (!isPostgresUrl(db)) checkInboxFile("--db", db);
  const store = await openStoreFor(db);
  const path = shownDb(db);
  try {
    const ids = await retryDeliveries(store, id === undefined ? "all-failed" : Number(id));
    if (ids.length === 0 && id === undefined) {
      io.stderr(`nothing to retry: no failed deliveries in ${path}.\n`);
      return 0;
    }
    if (ids.length === 0) {
      throw new CommandError(
        `no failed delivery with ID ${id} in ${path}; 'inbox --failed' lists them.`,
      );
    }
    io.stdout(
      `queued again: ${ids.length} ${ids.length === 1 ? "delivery" : "deliveries"} (${ids.join(", ")}); a running serve delivers them within a second.\n`,
    );
    return 0;
  } finally {
    await store.close();
  }
}

function shortTime(iso: string | null): string {
  return iso ? iso.replace("T", " ").slice(0, 19) : "-";
}

function clip(text: string): string {
  return text.length > ERROR_WIDTH ? `${text.slice(0, ERROR_WIDTH - 1)}…` : text;
}
