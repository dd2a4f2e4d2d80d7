// @ts-check
// Rows 5, 6 and 7: whole CLI commands, timed from spawn to exit.
import { execPath } from "node:process";
import { alternate, timeCommand } from "../lib/commands.js";
import { difference, figure, ratio } from "../lib/row.js";
import { CLI, OPENSSL_PKI_SCRIPT, REPO_DIR, startReceiverProcess } from "../lib/setup.js";
import { formatNumber } from "../lib/stats.js";

const ROW_5_MAX_MEDIAN_MS = 3000;
const ROW_7_MAX_EXTRA_MS = 150;
/** Cold starts are short and noisy: twice the usual number of runs. */
const COLD_START_RUNS_FACTOR = 2;

/**
 * Row 5: `verify --profile all` against a local reference receiver in direct mode, with the
 * dev PKI, bearer auth and the challenge secret, so that every check runs.
 * @param {import("../lib/setup.js").BenchContext} ctx
 * @returns {Promise<import("../lib/row.js").RowResult>}
 */
export async function measureVerify(ctx) {
  const receiver = await startReceiverProcess(ctx, { name: "receiver-verify" });
  try {
    const args = [
      CLI,
      "verify",
      receiver.url,
      "--profile",
      "all",
      "--pki",
      ctx.pkiDir,
      "--auth",
      "bearer",
      "--bearer-token-file",
      ctx.bearerTokenFile,
      "--challenge-secret-file",
      ctx.challengeSecretFile,
    ];
    const [runs = []] = await alternate(ctx.runs, [
      async (/** @type {number} */ round) => {
        const run = await timeCommand(execPath, args, { cwd: REPO_DIR });
        ctx.progress(
          `row 5: run ${round + 1}/${ctx.runs} verify: ${formatNumber(run.ms)} ms, exit ${run.code}`,
        );
        return run;
      },
    ]);
    const main = figure(
      "verify --profile all",
      runs.map((r) => r.ms),
      "ms",
    );
    const failed = runs.filter((r) => r.code !== 0);
    const summary = /^.*\d+ passed.*$/m.exec(runs[runs.length - 1]?.output ?? "")?.[0]?.trim();
    return {
      id: "5",
      what: "verify --profile all against the local receiver (--pki, auth, challenge)",
      figure: main,
      baseline: null,
      comparison: null,
      target: {
        text: `median < ${ROW_5_MAX_MEDIAN_MS} ms`,
        met: main.median < ROW_5_MAX_MEDIAN_MS,
      },
      extra: [],
      details: { exitCodes: runs.map((r) => r.code), lastSummary: summary ?? null },
      notes: failed.map(
        (r) => `row 5: verify exited ${r.code}:\n${r.output.split("\n").slice(-15).join("\n")}`,
      ),
    };
  } finally {
    await receiver.stop();
  }
}

/**
 * Row 6: `certs --pki DIR --force` against the same PKI made by an openssl script.
 * @param {import("../lib/setup.js").BenchContext} ctx
 * @param {(kitDir: string, opensslDir: string) => string[]} compare differences between the two sets
 * @returns {Promise<import("../lib/row.js").RowResult>}
 */
export async function measureCerts(ctx, compare) {
  const kitDir = `${ctx.tmp}/pki-certs-command`;
  const opensslDir = `${ctx.tmp}/pki-openssl`;
  const sides = [
    { label: "certs", program: execPath, args: [CLI, "certs", "--pki", kitDir, "--force"] },
    { label: "openssl script", program: "sh", args: [OPENSSL_PKI_SCRIPT, opensslDir] },
  ];
  /** @type {string[]} */
  const failures = [];
  const time = async (/** @type {(typeof sides)[number]} */ side) => {
    const run = await timeCommand(side.program, side.args, { cwd: REPO_DIR });
    if (run.code !== 0)
      failures.push(`row 6: ${side.label} exited ${run.code}: ${run.output.trim()}`);
    return run.ms;
  };
  for (const side of sides) await time(side);
  const [a = [], b = []] = await alternate(
    ctx.runs,
    sides.map((side) => async (/** @type {number} */ round) => {
      const ms = await time(side);
      ctx.progress(`row 6: run ${round + 1}/${ctx.runs} ${side.label}: ${formatNumber(ms)} ms`);
      return ms;
    }),
  );
  const main = figure("netdata-webhook-kit certs", a, "ms");
  const base = figure("openssl-pki.sh", b, "ms");
  const comparison = ratio(main, base);
  return {
    id: "6",
    what: "certs: the whole dev PKI (13 P-256 certificates)",
    figure: main,
    baseline: base,
    comparison,
    target: { text: "no slower (<= 1x)", met: comparison.value <= 1 },
    extra: [],
    details: {},
    notes: [...new Set(failures), ...compare(kitDir, opensslDir).map((d) => `row 6: ${d}`)],
  };
}

/**
 * Row 7: `node dist/cli.js --help` against `node -e 0`.
 * @param {import("../lib/setup.js").BenchContext} ctx
 * @returns {Promise<import("../lib/row.js").RowResult>}
 */
export async function measureColdStart(ctx) {
  const runs = ctx.runs * COLD_START_RUNS_FACTOR;
  const sides = [
    { label: "cli --help", args: [CLI, "--help"] },
    { label: "node -e 0", args: ["-e", "0"] },
  ];
  for (const side of sides) await timeCommand(execPath, side.args);
  const [a = [], b = []] = await alternate(
    runs,
    sides.map((side) => async () => (await timeCommand(execPath, side.args)).ms),
  );
  ctx.progress(`row 7: ${runs} cold starts each done`);
  const main = figure("node dist/cli.js --help", a, "ms");
  const base = figure("node -e 0", b, "ms");
  const comparison = difference(main, base);
  return {
    id: "7",
    what: "CLI cold start: --help",
    figure: main,
    baseline: base,
    comparison,
    target: { text: `< +${ROW_7_MAX_EXTRA_MS} ms`, met: comparison.value < ROW_7_MAX_EXTRA_MS },
    extra: [],
    details: { runs },
    notes: [],
  };
}
