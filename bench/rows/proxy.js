// @ts-check
// Row 3: the reference receiver in behind-proxy mode behind nginx with the kit's generated
// config, against the same receiver terminating mTLS itself. Both get the same keep-alive
// load with unique bodies; nginx opens a new upstream connection per request, as the
// generated config says (no upstream keepalive).
import { join } from "node:path";
import { startNginx } from "../lib/nginx.js";
import { failureNotes, figure, latencyLines, ratio } from "../lib/row.js";
import { startReceiverProcess } from "../lib/setup.js";
import { KEEP_ALIVE_CONNECTIONS } from "./direct.js";
import { compareKeepAlive, storedCountNotes } from "./keep-alive.js";

/**
 * @param {import("../lib/setup.js").BenchContext} ctx
 * @param {string} nginxPath
 * @returns {Promise<import("../lib/row.js").RowResult>}
 */
export async function measureBehindNginx(ctx, nginxPath) {
  const behind = await startReceiverProcess(ctx, {
    name: "receiver-behind-nginx",
    mode: "behind-proxy",
  });
  const direct = await startReceiverProcess(ctx, { name: "receiver-direct" });
  /** @type {Awaited<ReturnType<typeof startNginx>> | undefined} */
  let nginx;
  try {
    nginx = await startNginx({
      nginx: nginxPath,
      prefix: join(ctx.tmp, "nginx"),
      upstream: new URL(behind.url).origin,
      tls: ctx.serverTls,
    });
    const { results, answered, cutOff } = await compareKeepAlive(
      ctx,
      "3",
      [
        { label: "receiver behind nginx", url: nginx.url },
        { label: "receiver direct", url: direct.url },
      ],
      KEEP_ALIVE_CONNECTIONS,
    );
    const [a = [], b = []] = results;
    const main = figure(
      "receiver behind nginx",
      a.map((r) => r.rps),
      "req/s",
    );
    const base = figure(
      "receiver direct",
      b.map((r) => r.rps),
      "req/s",
    );
    const latency = latencyLines(a, b);
    return {
      id: "3",
      what: "receiver behind the generated nginx config",
      figure: main,
      baseline: base,
      comparison: ratio(main, base),
      target: { text: "report ratio", met: null },
      extra: latency.lines,
      details: { connections: KEEP_ALIVE_CONNECTIONS, nginxWorkers: "auto", ...latency.details },
      notes: [
        ...failureNotes("row 3 behind nginx", a),
        ...failureNotes("row 3 direct", b),
        ...(await storedCountNotes("row 3 behind nginx", behind, answered[0] ?? 0, cutOff)),
        ...(await storedCountNotes("row 3 direct", direct, answered[1] ?? 0, cutOff)),
      ],
    };
  } finally {
    await nginx?.stop();
    await behind.stop();
    await direct.stop();
  }
}
