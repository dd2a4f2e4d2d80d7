// @ts-check
// Row 10: the PostgreSQL store against the SQLite store. Two reference receivers identical but
// for the store: a private PostgreSQL on loopback (fsync and synchronous_commit on) and a
// SQLite file (synchronous=FULL), each under keep-alive load with a unique body per request,
// so every answer is a committed new row.

import { findPostgresBin, startPostgres } from "../lib/postgres.js";
import { failureNotes, figure, latencyLines, ratio } from "../lib/row.js";
import { startReceiverProcess } from "../lib/setup.js";
import { compareKeepAlive, storedCountNotes } from "./keep-alive.js";

/** As Netdata Cloud's bursts reach a busy receiver; both stores commit concurrent inserts together. */
const POSTGRES_CONNECTIONS = 32;
const ROW_10_MIN_RATIO = 0.5;

/**
 * @param {import("../lib/setup.js").BenchContext} ctx
 * @returns {Promise<import("../lib/row.js").RowResult>}
 */
export async function measurePostgres(ctx) {
  const binDir = findPostgresBin();
  if (binDir === null) {
    throw new Error(
      "row 10 needs PostgreSQL (apt-get install postgresql): no /usr/lib/postgresql/*/bin/initdb",
    );
  }
  const server = await startPostgres(binDir);
  const pg = await startReceiverProcess(ctx, { name: "receiver-postgres", db: server.url });
  const sqlite = await startReceiverProcess(ctx, { name: "receiver-sqlite", synchronous: "full" });
  try {
    const { results, answered, cutOff } = await compareKeepAlive(
      ctx,
      "11",
      [
        { label: "PostgreSQL", url: pg.url },
        { label: "SQLite", url: sqlite.url },
      ],
      POSTGRES_CONNECTIONS,
    );
    const [a = [], b = []] = results;
    const main = figure(
      "PostgreSQL store",
      a.map((r) => r.rps),
      "notifications/s",
    );
    const base = figure(
      "SQLite store",
      b.map((r) => r.rps),
      "notifications/s",
    );
    const comparison = ratio(main, base);
    const latency = latencyLines(a, b);
    return {
      id: "11",
      what: "PostgreSQL store against SQLite, keep-alive, both durable",
      figure: main,
      baseline: base,
      comparison,
      target: { text: `>= ${ROW_10_MIN_RATIO}x`, met: comparison.value >= ROW_10_MIN_RATIO },
      extra: latency.lines,
      details: { connections: POSTGRES_CONNECTIONS, ...latency.details },
      notes: [
        ...failureNotes("row 10 PostgreSQL", a),
        ...failureNotes("row 10 SQLite", b),
        ...(await storedCountNotes("row 10 PostgreSQL", pg, answered[0] ?? 0, cutOff)),
        ...(await storedCountNotes("row 10 SQLite", sqlite, answered[1] ?? 0, cutOff)),
      ],
    };
  } finally {
    await pg.stop();
    await sqlite.stop();
    server.stop();
  }
}
