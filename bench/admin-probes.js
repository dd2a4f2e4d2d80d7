// @ts-check
// `node bench/admin-probes.js`: do /healthz and /readyz answer a new client while other
// addresses flood the admin port with keep-alive pollers? Starts `serve --admin-port` (from
// dist/, built by `npm run build`) as a child process, opens ADDRESSES x POLLERS keep-alive
// connections from 127.0.0.2.. that poll PATH back to back, and meanwhile probes /healthz and
// /readyz from 127.0.0.1 on a new connection each, as a liveness probe does. Prints the share
// of probes answered within PROBE_DEADLINE_MS (target >= 95%) and writes the figures to
// bench/results/admin-probes.json. Timing never fails it: exit 0 whatever the share, 1 when
// the receiver could not be started. Linux: 127.0.0.0/8 is all loopback there.
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import * as http from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

/** What a liveness probe waits before it counts a failure (Kubernetes' default is 1 s). */
const PROBE_DEADLINE_MS = 1000;
/** Share of probes that must be answered in time. */
const TARGET_ANSWERED = 0.95;

const { values } = parseArgs({
  options: {
    addresses: { type: "string", default: "5" },
    pollers: { type: "string", default: "32" },
    path: { type: "string", default: "/healthz" },
    seconds: { type: "string", default: "20" },
    "probe-every-ms": { type: "string", default: "250" },
  },
});
const ADDRESSES = Number(values.addresses);
const POLLERS = Number(values.pollers);
const DURATION_MS = Number(values.seconds) * 1000;
const PROBE_EVERY_MS = Number(values["probe-every-ms"]);
const POLL_PATH = String(values.path);

const REPO = fileURLToPath(new URL("..", import.meta.url));
const RESULTS = join(REPO, "bench", "results", "admin-probes.json");

/** @returns {Promise<{ child: import("node:child_process").ChildProcess, port: number, dir: string }>} */
async function startServe() {
  const dir = mkdtempSync(join(tmpdir(), "ndwk-admin-probes-"));
  const child = spawn(
    process.execPath,
    [
      join(REPO, "dist", "cli.js"),
      "serve",
      "--behind-proxy",
      "--port",
      "0",
      "--admin-port",
      "0",
      "--db",
      join(dir, "inbox.db"),
    ],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  let out = "";
  const port = await new Promise((resolve, reject) => {
    child.stdout?.on("data", (chunk) => {
      out += chunk;
      const line = out.split("\n").find((l) => l.includes('"msg":"admin console listening"'));
      if (line) resolve(new URL(JSON.parse(line).url).port);
    });
    child.once("exit", (code) => reject(new Error(`serve exited (${code}) before listening`)));
  });
  child.stdout?.resume();
  return { child, port: Number(port), dir };
}

/**
 * One keep-alive connection from `localAddress` asking for `path` again as soon as each answer
 * ends, until `stop()` is called; reconnects when the server closes it.
 * @param {number} port @param {string} localAddress @param {() => boolean} stopped
 * @param {{ answers: number, errors: number }} counts
 */
function poll(port, localAddress, stopped, counts) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1, localAddress });
  return new Promise((resolve) => {
    const once = () => {
      if (stopped()) {
        agent.destroy();
        resolve(undefined);
        return;
      }
      const req = http.get({ host: "127.0.0.1", port, path: POLL_PATH, agent }, (res) => {
        res.resume();
        res.on("end", () => {
          counts.answers++;
          setImmediate(once);
        });
      });
      req.on("error", () => {
        counts.errors++;
        setTimeout(once, 10);
      });
    };
    once();
  });
}

/**
 * A probe as a liveness check makes it: a new connection, one GET, a deadline.
 * @param {number} port @param {string} path
 * @returns {Promise<{ ok: boolean, ms: number, status: number | null, error?: string }>}
 */
function probe(port, path) {
  const started = performance.now();
  return new Promise((resolve) => {
    const req = http.get(
      { host: "127.0.0.1", port, path, agent: false, localAddress: "127.0.0.1" },
      (res) => {
        res.resume();
        res.on("end", () => {
          const ms = performance.now() - started;
          resolve({
            ok: ms <= PROBE_DEADLINE_MS && res.statusCode === 200,
            ms,
            status: res.statusCode ?? null,
          });
        });
      },
    );
    req.setTimeout(PROBE_DEADLINE_MS, () =>
      req.destroy(new Error("no answer within the deadline")),
    );
    req.on("error", (error) =>
      resolve({ ok: false, ms: performance.now() - started, status: null, error: error.message }),
    );
  });
}

async function main() {
  let serve;
  try {
    serve = await startServe();
  } catch (error) {
    process.stderr.write(`failed to start serve: ${/** @type {Error} */ (error).message}\n`);
    return 1;
  }
  let stop = false;
  const counts = { answers: 0, errors: 0 };
  const pollers = [];
  for (let a = 0; a < ADDRESSES; a++) {
    for (let p = 0; p < POLLERS; p++) {
      pollers.push(poll(serve.port, `127.0.0.${a + 2}`, () => stop, counts));
    }
  }
  const probes = [];
  const deadline = performance.now() + DURATION_MS;
  let n = 0;
  while (performance.now() < deadline) {
    probes.push(probe(serve.port, n++ % 2 === 0 ? "/healthz" : "/readyz"));
    await new Promise((r) => setTimeout(r, PROBE_EVERY_MS));
  }
  const results = await Promise.all(probes);
  stop = true;
  await Promise.all(pollers);
  serve.child.kill("SIGTERM");
  await new Promise((r) => serve.child.once("exit", r));
  rmSync(serve.dir, { recursive: true, force: true });

  const answered = results.filter((r) => r.ok).length;
  const share = answered / results.length;
  const sorted = results.map((r) => r.ms).sort((a, b) => a - b);
  const p = (q) =>
    Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0);
  const summary = {
    when: new Date().toISOString(),
    flood: {
      addresses: ADDRESSES,
      pollersPerAddress: POLLERS,
      path: POLL_PATH,
      pollAnswers: counts.answers,
      pollErrors: counts.errors,
    },
    probes: results.length,
    answeredWithinDeadline: answered,
    share: Number(share.toFixed(3)),
    target: TARGET_ANSWERED,
    met: share >= TARGET_ANSWERED,
    probeMs: { p50: p(0.5), p95: p(0.95), max: Math.round(sorted.at(-1) ?? 0) },
    failures: [...new Set(results.filter((r) => !r.ok).map((r) => r.error ?? `HTTP ${r.status}`))],
  };
  mkdirSync(join(REPO, "bench", "results"), { recursive: true });
  writeFileSync(RESULTS, `${JSON.stringify(summary, null, 2)}\n`);
  process.stdout.write(
    `admin probes under ${ADDRESSES} x ${POLLERS} keep-alive pollers of ${POLL_PATH}: ${answered}/${results.length} answered within ${PROBE_DEADLINE_MS} ms (${(share * 100).toFixed(1)}%, target >= ${TARGET_ANSWERED * 100}%: ${summary.met ? "met" : "NOT met"}); p50 ${summary.probeMs.p50} ms, p95 ${summary.probeMs.p95} ms; pollers got ${counts.answers} answers, ${counts.errors} errors\n`,
  );
  if (summary.failures.length > 0)
    process.stdout.write(`probe failures: ${summary.failures.join("; ")}\n`);
  return 0;
}

process.exitCode = await main();
