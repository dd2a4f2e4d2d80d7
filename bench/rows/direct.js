// @ts-check
// Rows 1 and 2: the reference receiver terminating mutual TLS itself. Row 1 keeps connections
// open and is measured against the framework floor (the raw baseline's handler inside Express 5
// + helmet: what a framework costs before a receiver does anything), and for scale against raw
// node:https with the same TLS set-up; row 2 makes a new TLS handshake for every request and is
// measured against raw node:https.
import { alternate } from "../lib/commands.js";
import { handshakePerRequestLoad } from "../lib/load.js";
import { failureNotes, figure, latencyLines, ratio } from "../lib/row.js";
import { startBaselineProcess, startReceiverProcess } from "../lib/setup.js";
import { formatNumber, formatSummary, round } from "../lib/stats.js";
import { compareKeepAlive, storedCountNotes } from "./keep-alive.js";

/** Concurrent keep-alive connections (rows 1, 3): enough to keep one server core busy. */
export const KEEP_ALIVE_CONNECTIONS = 32;
/** Concurrent ab requests (row 2), each on its own new connection. */
const HANDSHAKE_CONCURRENCY = 8;
/** Row 1 against the framework floor (Express 5 + helmet with the raw handler). */
const ROW_1_MIN_RATIO = 0.6;
const ROW_2_MIN_RATIO = 0.9;

/**
 * @param {import("../lib/setup.js").BenchContext} ctx
 * @returns {Promise<import("../lib/row.js").RowResult[]>}
 */
export async function measureDirect(ctx) {
  const receiver = await startReceiverProcess(ctx, { name: "receiver-direct" });
  const raw = await startBaselineProcess(ctx, "raw-https");
  const framework = await startBaselineProcess(ctx, "express-helmet");
  try {
    return [
      await keepAliveRow(ctx, receiver, raw, framework),
      await handshakeRow(ctx, receiver, raw),
    ];
  } finally {
    await receiver.stop();
    await raw.stop();
    await framework.stop();
  }
}

/**
 * @param {import("../lib/setup.js").BenchContext} ctx
 * @param {import("../lib/children.js").Child} receiver
 * @param {import("../lib/children.js").Child} raw
 * @param {import("../lib/children.js").Child} framework Express 5 + helmet, for scale
 * @returns {Promise<import("../lib/row.js").RowResult>}
 */
async function keepAliveRow(ctx, receiver, raw, framework) {
  const { results, answered, cutOff } = await compareKeepAlive(
    ctx,
    "1",
    [
      { label: "receiver", url: receiver.url },
      { label: "raw node:https", url: raw.url },
      { label: "Express 5 + helmet (for scale)", url: framework.url },
    ],
    KEEP_ALIVE_CONNECTIONS,
  );
  const [a = [], b = [], c = []] = results;
  const rps = (/** @type {import("../lib/load.js").LoadResult[]} */ runs) => runs.map((r) => r.rps);
  const main = figure("reference receiver", rps(a), "req/s");
  const base = figure("raw node:https", rps(b), "req/s");
  const scale = figure("Express 5 + helmet, raw handler", rps(c), "req/s");
  const comparison = ratio(main, scale);
  const againstRaw = ratio(main, base);
  const latency = latencyLines(a, b);
  return {
    id: "1",
    what: "receiver, direct mTLS, keep-alive, full checks + durable store",
    figure: main,
    baseline: scale,
    comparison,
    target: { text: `>= ${ROW_1_MIN_RATIO}x`, met: comparison.value >= ROW_1_MIN_RATIO },
    extra: [
      ...latency.lines,
      {
        what: "for scale: raw node:https (the receiver's TLS set-up, parse, answer)",
        figure: formatSummary(base),
        baseline: `receiver ${round(againstRaw.value)}x of raw; Express + helmet ${round(ratio(scale, base).value)}x of raw`,
      },
    ],
    details: {
      connections: KEEP_ALIVE_CONNECTIONS,
      raw: base,
      ratioToRaw: againstRaw,
      ...latency.details,
    },
    notes: [
      ...failureNotes("row 1 receiver", a),
      ...failureNotes("row 1 baseline", b),
      ...failureNotes("row 1 Express + helmet", c),
      ...(await storedCountNotes("row 1 receiver", receiver, answered[0] ?? 0, cutOff)),
    ],
  };
}

/**
 * @param {import("../lib/setup.js").BenchContext} ctx
 * @param {import("../lib/children.js").Child} receiver
 * @param {import("../lib/children.js").Child} raw
 * @returns {Promise<import("../lib/row.js").RowResult>}
 */
async function handshakeRow(ctx, receiver, raw) {
  const sides = [
    { label: "receiver", url: receiver.url },
    { label: "raw node:https", url: raw.url },
  ];
  const load = (/** @type {string} */ url, /** @type {number} */ durationS) =>
    handshakePerRequestLoad({
      url,
      bearerToken: ctx.bearerToken,
      certAndKeyFile: ctx.certAndKeyFile,
      bodyFile: ctx.bodyFile,
      concurrency: HANDSHAKE_CONCURRENCY,
      durationS,
    });
  for (const side of sides) await load(side.url, 1);
  const [a = [], b = []] = await alternate(
    ctx.runs,
    sides.map((side) => async (/** @type {number} */ round) => {
      const result = await load(side.url, ctx.durationS);
      ctx.progress(
        `row 2: run ${round + 1}/${ctx.runs} ${side.label}: ${formatNumber(result.rps)} req/s, p99 ${result.p99Ms} ms (${result.protocol})`,
      );
      return result;
    }),
  );
  const main = figure(
    "reference receiver",
    a.map((r) => r.rps),
    "req/s",
  );
  const base = figure(
    "raw node:https",
    b.map((r) => r.rps),
    "req/s",
  );
  const comparison = ratio(main, base);
  const latency = latencyLines(a, b);
  return {
    id: "2",
    what: "the same, new TLS handshake per request (ab)",
    figure: main,
    baseline: base,
    comparison,
    target: { text: `>= ${ROW_2_MIN_RATIO}x`, met: comparison.value >= ROW_2_MIN_RATIO },
    extra: latency.lines,
    details: {
      concurrency: HANDSHAKE_CONCURRENCY,
      tls: [...new Set([...a, ...b].map((r) => r.protocol))],
      ...latency.details,
    },
    notes: [
      ...failureNotes("row 2 receiver", a),
      ...failureNotes("row 2 baseline", b),
      "row 2: ab sends one body file, so after the first request the receiver answers " +
        '"duplicate": true (parsed, checked and keyed as any notification, then answered from the keys the store remembers: no transaction, no fsync); the raw baseline parses the same body',
    ],
  };
}
