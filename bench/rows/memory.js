// @ts-check
// Row 8: the receiver's resident memory (VmRSS of its process) when idle, after 10,000
// accepted notifications and after 10,000 more. Each run is a new receiver process with an
// empty store; the notifications are unique and sent over a few kept-alive connections.
// RSS also holds garbage not yet collected and heap space V8 keeps for later, so it moves
// by several MB from one reading to the next. To tell that apart from a leak, the receiver
// runs with --expose-gc (which changes nothing until gc() is called) and, after the idle and
// the last RSS reading, collects its garbage and reports the V8 heap still in use.
import { keepAliveLoad } from "../lib/load.js";
import { figure } from "../lib/row.js";
import { startReceiverProcess } from "../lib/setup.js";
import { formatNumber, formatSummary } from "../lib/stats.js";

const NOTIFICATIONS_PER_PHASE = 10_000;
/** A handful of connections, as a Netdata sender might keep open. */
const MEMORY_CONNECTIONS = 8;
/** Pause before each reading, so the reading is of a receiver at rest. */
const SETTLE_MS = 1000;
const MAX_RSS_MB = 120;
/**
 * "No growth": the second 10,000 may add less than this. A leak of 500 bytes per notification
 * (a fifth of one body) would add 5 MB; V8's heap moves by a few MB between readings anyway.
 */
const MAX_GROWTH_MB = 5;
const MB = 1024 * 1024;

/**
 * @param {import("../lib/setup.js").BenchContext} ctx
 * @returns {Promise<import("../lib/row.js").RowResult>}
 */
export async function measureMemory(ctx) {
  /** @type {{ idle: number[], first: number[], second: number[], heapIdle: number[], heapEnd: number[] }} */
  const mb = { idle: [], first: [], second: [], heapIdle: [], heapEnd: [] };
  const notes = [];
  for (let run = 0; run < ctx.runs; run++) {
    const receiver = await startReceiverProcess(ctx, {
      name: `receiver-memory-${run + 1}`,
      execArgv: ["--expose-gc"],
    });
    const heapAfterGc = async () => Number((await receiver.ask("collect-garbage")).heapUsed) / MB;
    try {
      const reading = async () => {
        await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
        return receiver.rssBytes() / MB;
      };
      const phase = async () => {
        const result = await keepAliveLoad({
          url: receiver.url,
          bearerToken: ctx.bearerToken,
          tls: ctx.clientTls,
          connections: MEMORY_CONNECTIONS,
          amount: NOTIFICATIONS_PER_PHASE,
        });
        if (result.bad > 0)
          notes.push(`row 8 run ${run + 1}: ${result.bad} requests not answered 2xx`);
        return reading();
      };
      mb.idle.push(await reading());
      mb.heapIdle.push(await heapAfterGc());
      mb.first.push(await phase());
      mb.second.push(await phase());
      mb.heapEnd.push(await heapAfterGc());
      const { count } = await receiver.ask("count");
      if (count !== 2 * NOTIFICATIONS_PER_PHASE)
        notes.push(`row 8 run ${run + 1}: ${count} rows stored`);
      ctx.progress(
        `row 8: run ${run + 1}/${ctx.runs}: RSS idle ${formatNumber(mb.idle.at(-1) ?? 0)} MB, ` +
          `+10k ${formatNumber(mb.first.at(-1) ?? 0)} MB, +20k ${formatNumber(mb.second.at(-1) ?? 0)} MB`,
      );
    } finally {
      await receiver.stop();
    }
  }
  const idle = figure("RSS idle", mb.idle, "MB");
  const first = figure("RSS after 10,000", mb.first, "MB");
  const second = figure("RSS after 20,000", mb.second, "MB");
  const growth = figure(
    "growth over the second 10,000",
    mb.second.map((x, i) => x - (mb.first[i] ?? 0)),
    "MB",
  );
  const peak = Math.max(idle.median, first.median, second.median);
  const heapIdle = figure("V8 heap after full GC, idle", mb.heapIdle, "MB");
  const heapEnd = figure("V8 heap after full GC, after 20,000", mb.heapEnd, "MB");
  return {
    id: "8",
    what: "receiver RSS: idle / +10,000 / +20,000 notifications",
    figure: second,
    baseline: null,
    comparison: null,
    target: {
      text: `< ${MAX_RSS_MB} MB, growth < ${MAX_GROWTH_MB} MB`,
      met: peak < MAX_RSS_MB && growth.median < MAX_GROWTH_MB,
    },
    extra: [
      { what: "RSS idle", figure: formatSummary(idle), baseline: "" },
      { what: "RSS after 10,000", figure: formatSummary(first), baseline: "" },
      { what: "growth over the second 10,000", figure: formatSummary(growth), baseline: "" },
      {
        what: "V8 heap after full GC: idle / after 20,000",
        figure: `${formatNumber(heapIdle.median)} / ${formatNumber(heapEnd.median)} MB`,
        baseline: "",
      },
    ],
    details: {
      connections: MEMORY_CONNECTIONS,
      idle,
      afterFirst: first,
      afterSecond: second,
      growth,
      heapIdle,
      heapEnd,
    },
    notes,
  };
}
