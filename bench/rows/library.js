// @ts-check
// Row 10: the library path. `netdataWebhookNode` (the node:http adapter) as the request listener
// of a `node:https` server with mutual TLS, the SQLite store with synchronous=FULL and every
// check (exact client CN, bearer auth, challenge secret, schema), against the raw node:https
// baseline with the same TLS setup, keep-alive, one run of each in turn.
import { failureNotes, figure, latencyLines, ratio } from "../lib/row.js";
import { startBaselineProcess, startReceiverProcess } from "../lib/setup.js";
import { KEEP_ALIVE_CONNECTIONS } from "./direct.js";
import { compareKeepAlive, storedCountNotes } from "./keep-alive.js";

const ROW_10_MIN_RATIO = 0.4;

/**
 * @param {import("../lib/setup.js").BenchContext} ctx
 * @returns {Promise<import("../lib/row.js").RowResult>}
 */
export async function measureLibrary(ctx) {
  const adapter = await startReceiverProcess(ctx, { name: "node-adapter", adapter: "node" });
  const raw = await startBaselineProcess(ctx, "raw-https");
  try {
    const { results, answered, cutOff } = await compareKeepAlive(
      ctx,
      "10",
      [
        { label: "netdataWebhookNode", url: adapter.url },
        { label: "raw node:https", url: raw.url },
      ],
      KEEP_ALIVE_CONNECTIONS,
    );
    const [a = [], b = []] = results;
    const rps = (/** @type {import("../lib/load.js").LoadResult[]} */ runs) =>
      runs.map((r) => r.rps);
    const main = figure("netdataWebhookNode", rps(a), "req/s");
    const base = figure("raw node:https", rps(b), "req/s");
    const comparison = ratio(main, base);
    const latency = latencyLines(a, b);
    return {
      id: "10",
      what: "library: netdataWebhookNode on node:https, mTLS, keep-alive, full checks + durable store",
      figure: main,
      baseline: base,
      comparison,
      target: { text: `>= ${ROW_10_MIN_RATIO}x`, met: comparison.value >= ROW_10_MIN_RATIO },
      extra: latency.lines,
      details: { connections: KEEP_ALIVE_CONNECTIONS, ...latency.details },
      notes: [
        ...failureNotes("row 10 netdataWebhookNode", a),
        ...failureNotes("row 10 baseline", b),
        ...(await storedCountNotes("row 10 netdataWebhookNode", adapter, answered[0] ?? 0, cutOff)),
      ],
    };
  } finally {
    await adapter.stop();
    await raw.stop();
  }
}
