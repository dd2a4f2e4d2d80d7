import type { Severity } from "../protocol/notification-types.js";
import { DEFAULT_DB_PATH } from "../receiver/options.js";
import { LIST_MAX_LIMIT } from "../receiver/store-rows.js";
import type {
  NotificationFilter,
  NotificationStore,
  StoredNotification,
} from "../receiver/store-types.js";
import { terminalSafe } from "../receiver/terminal-text.js";
import { colourWanted, createStyle, type Style } from "../simulator/style.js";
import { CommandError, defineCommand, type OptionSpecs, PROGRAM, UsageError } from "./_command.js";
import { enumOption } from "./_enum-option.js";
import { refuseFolder } from "./_file-problem.js";
import { fitTable, severityColour } from "./_fit-table.js";
import { deliveriesTable, retryCommand } from "./_inbox-deliveries.js";
import { checkInboxFile } from "./_inbox-file.js";
import { jsonLines } from "./_inbox-json.js";
import { KIND_NAMES, storedKinds } from "./_kinds.js";
import { dbValue, isPostgresUrl, openStoreFor, shownDb } from "./_open-store.js";

const SEVERITIES: readonly Severity[] = ["critical", "warning", "clear", "info"];
const DEFAULT_LIMIT = 20;
/**
 * The narrowest HOST and ALERT get in a narrow terminal (cut with "…", after MESSAGE): with it
 * a table of a few hundred rows still fits 80 columns; below that, rows wrap.
 */
const MIN_NAME_COLUMN = 6;
const UNIT_MS: Readonly<Record<string, number>> = {
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

const OPTIONS = {
  db: {
    type: "string",
    description: "the inbox 'serve' writes: a SQLite file, or its postgres:// URL",
    default: DEFAULT_DB_PATH,
  },
  kind: { type: "string", description: `only this kind: ${KIND_NAMES.join(", ")}` },
  severity: { type: "string", description: `only this severity: ${SEVERITIES.join(", ")}` },
  since: {
    type: "string",
    description: "only received since: 2026-04-10T00:00:00Z, or ago: 90s, 15m, 2h, 7d",
  },
  limit: {
    type: "string",
    description: `at most this many, newest first (1-${LIST_MAX_LIMIT})`,
    default: String(DEFAULT_LIMIT),
  },
  json: { type: "boolean", description: "JSON lines (with the original body) instead of a table" },
  token: { type: "boolean", description: "print only the token of the latest test notification" },
  pending: {
    type: "boolean",
    description: "forwarding: deliveries waiting for a (re)try, with attempts and last error",
  },
  failed: { type: "boolean", description: "forwarding: deliveries given up on (dead letters)" },
  "all-failed": { type: "boolean", description: "with retry: put every failed delivery back" },
  wide: {
    type: "boolean",
    description:
      "whole messages, even when they do not fit the terminal (piped output always has them)",
  },
} satisfies OptionSpecs;

export const inboxCommand = defineCommand({
  name: "inbox",
  summary: "List notifications stored by the receiver, or the latest test token.",
  usage: [
    "inbox [--db FILE] [--kind K] [--severity S] [--since WHEN] [--limit N] [--json]",
    "inbox --token [--db FILE]",
    "inbox --pending|--failed [--db FILE] [--limit N] [--json]",
    "inbox retry ID|--all-failed [--db FILE]",
  ],
  examples: [
    [`${PROGRAM} inbox`, "the 20 newest notifications as a table"],
    [`${PROGRAM} inbox --token`, "the token to paste into the Netdata Cloud webhook form"],
    [
      `${PROGRAM} inbox --kind alert-nested --severity critical --since 24h`,
      "critical alerts of the last day",
    ],
    [`${PROGRAM} inbox --json --limit 1000 | jq .message`, "JSON lines for scripts"],
    [`${PROGRAM} inbox --failed`, "forwarding: deliveries given up on, with the last error"],
    [`${PROGRAM} inbox retry --all-failed`, "forwarding: queue them again (serve picks them up)"],
  ],
  options: OPTIONS,
  positionals: { min: 0, max: 2 },
  notes: `Reads the database without writing to it, so it is safe while 'serve' runs ('retry' writes,
also safe while 'serve' runs).
Exit codes: 0 listed (or retry --all-failed with nothing failed); 1 not there yet: no database
(serve creates it when it starts), no test token yet, or no failed delivery with that ID, so a
script can wait on them; 2 usage error, including a --db that is not an inbox or whose folder
does not exist.`,
  run: async ({ values, positionals, cwd, stdout, stderr, isTTY, env, columns }) => {
    const db = dbValue(values.db ?? DEFAULT_DB_PATH, cwd);
    const postgres = isPostgresUrl(db);
    if (!postgres) refuseFolder("--db", db, "Give the SQLite file 'serve --db' writes.");
    if (positionals.length > 0 || values["all-failed"]) {
      return retryCommand(positionals, values["all-failed"] === true, db, { stdout, stderr });
    }
    const filter = parseFilter(values);
    const store = await openReadOnly(db);
    const path = shownDb(db);
    try {
      if (values.token) {
        const latest = await store.latestTestToken();
        if (!latest) {
          throw new CommandError(
            `no test notification in ${path} yet. Click "Test" in the Netdata Cloud webhook form, then run this again.`,
          );
        }
        stdout(`${terminalSafe(latest.token)}\n`);
        return 0;
      }
      if (values.pending || values.failed) {
        if (values.pending && values.failed) {
          throw new UsageError("--pending and --failed were both given. Pass one of them.");
        }
        const status = values.pending ? "pending" : "failed";
        stdout(
          await deliveriesTable(store, status, filter.limit ?? DEFAULT_LIMIT, values.json === true),
        );
        return 0;
      }
      const rows = await store.list(filter);
      if (values.json) {
        stdout(jsonLines(rows.map(jsonRow)));
      } else if (rows.length === 0) stderr(`no notifications match in ${path}.\n`);
      else {
        const fit = values.wide === true || !isTTY ? undefined : columns;
        stdout(table(rows, fit, createStyle(colourWanted(isTTY, env))));
      }
      // With --json too, on stderr: stdout stays pure JSON lines.
      const total = rows.length === filter.limit ? await store.count(filter) : rows.length;
      if (total > rows.length) {
        stderr(
          `showing ${rows.length} of ${total}; --limit N shows more (up to ${LIST_MAX_LIMIT}).\n`,
        );
      }
      return 0;
    } finally {
      await store.close();
    }
  },
});

function openReadOnly(db: string): Promise<NotificationStore> {
  if (!isPostgresUrl(db)) checkInboxFile("--db", db);
  return openStoreFor(db, { readonly: true });
}

function parseFilter(
  values: Record<"kind" | "severity" | "since" | "limit", string | undefined>,
): NotificationFilter {
  const filter: NotificationFilter = { limit: parseLimit(values.limit) };
  if (values.kind !== undefined) filter.kind = storedKinds(values.kind);
  if (values.severity !== undefined)
    filter.severity = enumOption("--severity", values.severity, SEVERITIES, { noun: "severity" });
  if (values.since !== undefined) filter.since = parseSince(values.since, new Date());
  return filter;
}

function parseLimit(value: string | undefined): number {
  const text = value ?? String(DEFAULT_LIMIT);
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1 || n > LIST_MAX_LIMIT) {
    throw new UsageError(
      `--limit: expected 1-${LIST_MAX_LIMIT}, got ${JSON.stringify(text)}. Pass a whole number.`,
    );
  }
  return n;
}

/** An ISO 8601 instant with a date, or a duration back from now such as 15m (unit in any case). */
export function parseSince(value: string, now: Date): Date {
  const ago = /^(\d+)([smhd])$/i.exec(value);
  if (ago) {
    const unit = (ago[2] ?? "s").toLowerCase();
    return new Date(now.getTime() - Number(ago[1]) * (UNIT_MS[unit] ?? 0));
  }
  if (/^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(value)) {
    const date = new Date(value);
    if (!Number.isNaN(date.getTime())) return date;
  }
  throw new UsageError(
    `--since: not a date or a duration: ${JSON.stringify(value)}. Pass a date such as 2026-04-10T00:00:00Z, or a time back from now such as 90s, 15m, 24h, 7d.`,
  );
}

function jsonRow(row: StoredNotification): Omit<StoredNotification, "originalJson"> {
  const { originalJson: _, ...rest } = row;
  return rest;
}

function table(rows: StoredNotification[], columns: number | undefined, style: Style): string {
  const header = ["ID", "RECEIVED (UTC)", "KIND", "SEVERITY", "HOST", "ALERT", "MESSAGE"];
  const cells = rows.map((r) =>
    [
      String(r.id),
      r.receivedAt.replace("T", " ").slice(0, 19),
      r.kind,
      r.severity,
      r.host ?? (r.nodes.length > 1 ? `${r.nodes.length} nodes` : "-"),
      r.alertName ?? (r.token ? `token ${r.token}` : "-"),
      r.message,
    ].map(terminalSafe),
  );
  const severityColumn = header.indexOf("SEVERITY");
  return fitTable(header, cells, {
    columns,
    shrink: [
      { column: header.indexOf("HOST"), min: MIN_NAME_COLUMN },
      { column: header.indexOf("ALERT"), min: MIN_NAME_COLUMN },
    ],
    colour: (column, text) => (column === severityColumn ? severityColour(style, text) : undefined),
  });
}
