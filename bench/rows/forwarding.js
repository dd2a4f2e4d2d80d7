// @ts-check
// Row 9: what forwarding costs receiving. Two reference receivers identical but for one
// forwarding sink (the outbox with a url sink, as `serve --forward-url` runs it, to an HTTP
// server in its own process): every new notification also writes a deliveries row in its
// transaction, and the worker POSTs it on while the load runs.
import { failureNotes, figure, latencyLines, ratio } from "../lib/row.js";
import { startReceiverProcess, startSinkProcess } from "../lib/setup.js";
import { compareKeepAlive, storedCountNotes } from "./keep-alive.js";

/** As row 1: enough connections to keep the receiver busy. */
const FORWARDING_CONNECTIONS = 32;
const ROW_9_MIN_RATIO = 0.8;

/**
 * @param {import("../lib/setup.js").BenchContext} ctx
 * @returns {Promise<import("../lib/row.js").RowResult>}
 */
export async function measureForwarding(ctx) {
  const sink = await startSinkProcess(ctx);
  const forwarding = await startReceiverProcess(ctx, {
    name: "receiver-forwarding",
    forwardUrl: sink.url,
  });
  const plain = await startReceiverProcess(ctx, { name: "receiver-no-forwarding" });
  try {
    const { results, answered, cutOff } = await compareKeepAlive(
      ctx,
      "9",
      [
        { label: "one forwarding sink", url: forwarding.url },
        { label: "no sink", url: plain.url },
      ],
      FORWARDING_CONNECTIONS,
    );
    const [a = [], b = []] = results;
    const main = figure(
      "one forwarding sink",
      a.map((r) => r.rps),
      "notifications/s",
    );
    const base = figure(
      "no sink",
      b.map((r) => r.rps),
      "notifications/s",
    );
    const comparison = ratio(main, base);
    const latency = latencyLines(a, b);
    const outbox = await forwarding.ask("outbox");
    const delivered = Number(/** @type {any} */ (await sink.ask("count")).count);
    return {
      id: "9",
      what: "receiving with one forwarding sink (url, local HTTP) vs none",
      figure: main,
      baseline: base,
      comparison,
      target: { text: `>= ${ROW_9_MIN_RATIO}x`, met: comparison.value >= ROW_9_MIN_RATIO },
      extra: [
        ...latency.lines,
        {
          what: "forwarded to the sink during the runs",
          figure: `${delivered} (${Number(outbox.pending)} still pending at the end)`,
          baseline: "",
        },
      ],
      details: {
        connections: FORWARDING_CONNECTIONS,
        forwarded: delivered,
        pendingAtEnd: Number(outbox.pending),
        ...latency.details,
      },
      notes: [
        ...failureNotes("row 9 forwarding", a),
        ...failureNotes("row 9 no sink", b),
        ...(await storedCountNotes("row 9 forwarding", forwarding, answered[0] ?? 0, cutOff)),
        ...(await storedCountNotes("row 9 no sink", plain, answered[1] ?? 0, cutOff)),
      ],
    };
  } finally {
    await forwarding.stop();
    await plain.stop();
    await sink.stop();
  }
}
