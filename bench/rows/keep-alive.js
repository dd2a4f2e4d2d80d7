// @ts-check
// Keep-alive load on two servers in turn (A B A B ...), each warmed up first. Shared by the
// rows that compare throughput: 1 (receiver vs raw), 3 (behind nginx vs direct), 4 (durability).
import { alternate } from "../lib/commands.js";
import { keepAliveLoad } from "../lib/load.js";
import { formatNumber } from "../lib/stats.js";

/** Unmeasured load before the runs: JIT, SQLite's cache, TLS session state. */
const WARM_UP_S = 1;

/**
 * @typedef {object} LoadSide
 * @property {string} label
 * @property {string} url
 */

/**
 * @param {import("../lib/setup.js").BenchContext} ctx
 * @param {string} row
 * @param {LoadSide[]} sides
 * @param {number} connections
 * @returns {Promise<{ results: import("../lib/load.js").LoadResult[][], answered: number[],
 *   cutOff: number }>} `answered`: 2xx answers per side, warm-up included (to compare with the
 *   rows stored); `cutOff`: at most this many requests per side were in flight when a run
 *   ended, so the receiver may have stored them without their answer being counted
 */
export async function compareKeepAlive(ctx, row, sides, connections) {
  const load = (/** @type {LoadSide} */ side, /** @type {number} */ durationS) =>
    keepAliveLoad({
      url: side.url,
      bearerToken: ctx.bearerToken,
      tls: ctx.clientTls,
      connections,
      durationS,
    });
  const answered = [];
  for (const side of sides) answered.push((await load(side, WARM_UP_S)).ok);
  const results = await alternate(
    ctx.runs,
    sides.map((side) => async (/** @type {number} */ round) => {
      const result = await load(side, ctx.durationS);
      ctx.progress(
        `row ${row}: run ${round + 1}/${ctx.runs} ${side.label}: ${formatNumber(result.rps)} req/s, p99 ${result.p99Ms} ms`,
      );
      return result;
    }),
  );
  return {
    results,
    answered: answered.map(
      (warm, i) => warm + (results[i] ?? []).reduce((sum, r) => sum + r.ok, 0),
    ),
    cutOff: (ctx.runs + 1) * connections,
  };
}

/**
 * A note when the receiver stored fewer rows than it answered 2xx to (the bodies were not all
 * unique: a duplicate is answered but not stored), or more than the answers plus the requests
 * cut off at the end of each run.
 * @param {string} label
 * @param {import("../lib/children.js").Child} receiver
 * @param {number} answered
 * @param {number} cutOff
 * @returns {Promise<string[]>}
 */
export async function storedCountNotes(label, receiver, answered, cutOff) {
  const count = Number((await receiver.ask("count")).count);
  return count >= answered && count <= answered + cutOff
    ? []
    : [
        `${label}: ${answered} notifications answered 2xx (+${cutOff} at most cut off) but ${count} rows stored`,
      ];
}
