// @ts-check
// `npm run bench`: measures the kit against lean baselines and prints one table; every run
// of every figure goes to bench/results/latest.json. See bench/README.md for what each row measures.
// Timing never fails the bench: it exits 0 whether targets are met or not, 1 when a
// measurement could not be made, 2 when a required program is missing.
import { loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { describeMachine, ensureBuild, ensureTools, PreflightError } from "./lib/preflight.js";

const USAGE = `Usage: npm run bench [-- --runs N] [--duration S] [--only 1,2,...] [--cpu-prof]

  npm run bench                  every row, 5 runs each, 5 s per load run (about 5 minutes)
  npm run bench -- --only 4,8    just rows 4 and 8
  npm run bench -- --cpu-prof    receiver processes write CPU profiles to bench/.tmp/profiles

Options:
  --runs N       measurements per figure (default 5, at least 5 for a result worth quoting)
  --duration S   seconds per load run (default 5)
  --only LIST    comma-separated row numbers (1-11); rows 1 and 2 always run together
  --cpu-prof     start receiver processes with node --cpu-prof
`;

const ROW_IDS = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11"];
const REPO_DIR = fileURLToPath(new URL("..", import.meta.url));
const RESULTS_PATH = fileURLToPath(new URL("./results/latest.json", import.meta.url));
const PROFILES_DIR = fileURLToPath(new URL("./.tmp/profiles", import.meta.url));
const started = performance.now();
/** The machine is shared: its load average (1, 5, 15 min) when the bench starts and ends. */
const loadAtStart = loadavg();

/** @param {string} message */
function progress(message) {
  const seconds = Math.round((performance.now() - started) / 1000);
  const clock = `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}`;
  process.stderr.write(`[bench ${clock}] ${message}\n`);
}

function options() {
  const { values } = parseArgs({
    options: {
      runs: { type: "string", default: "5" },
      duration: { type: "string", default: "5" },
      only: { type: "string" },
      "cpu-prof": { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  const runs = Number(values.runs);
  const durationS = Number(values.duration);
  if (!Number.isInteger(runs) || runs < 1)
    throw new PreflightError(`--runs: expected a whole number >= 1, got "${values.runs}".`, 2);
  if (!(durationS >= 1))
    throw new PreflightError(`--duration: expected seconds >= 1, got "${values.duration}".`, 2);
  const only = values.only?.split(",").map((id) => id.trim()) ?? ROW_IDS;
  const unknown = only.filter((id) => !ROW_IDS.includes(id));
  if (unknown.length > 0)
    throw new PreflightError(`--only: no row ${unknown.join(", ")}; rows are 1-11.`, 2);
  return { runs, durationS, only: new Set(only), cpuProf: values["cpu-prof"] === true };
}

async function main() {
  const settings = options();
  ensureBuild(REPO_DIR, progress);
  const tools = ensureTools(progress);
  // Imported after the build: they load the kit from dist/.
  const { prepare, removeStores } = await import("./lib/setup.js");
  const { comparePkiSets } = await import("./lib/pki-compare.js");
  const { measureDirect } = await import("./rows/direct.js");
  const { measureBehindNginx } = await import("./rows/proxy.js");
  const { measureDurability } = await import("./rows/durability.js");
  const { measureVerify, measureCerts, measureColdStart } = await import("./rows/commands.js");
  const { measureMemory } = await import("./rows/memory.js");
  const { measureForwarding } = await import("./rows/forwarding.js");
  const { measurePostgres } = await import("./rows/postgres.js");
  const { measureLibrary } = await import("./rows/library.js");
  const { renderMarkdown, renderTable, writeResults } = await import("./lib/report.js");
  // The flags the CLI's shebang gives `serve`, so the receiver runs as deployed.
  const { RECEIVER_NODE_FLAGS } = await import("../dist/receiver/limits.js");

  progress(
    `${settings.runs} runs per figure, ${settings.durationS} s per load run; details in bench/README.md`,
  );
  const ctx = await prepare({
    runs: settings.runs,
    durationS: settings.durationS,
    receiverExecArgv: [
      ...RECEIVER_NODE_FLAGS,
      ...(settings.cpuProf ? ["--cpu-prof", `--cpu-prof-dir=${PROFILES_DIR}`] : []),
    ],
    progress,
  });
  const wanted = (/** @type {string[]} */ ...ids) => ids.some((id) => settings.only.has(id));
  /** @type {import("./lib/row.js").RowResult[]} */
  const rows = [];
  if (wanted("1", "2")) rows.push(...(await measureDirect(ctx)));
  if (wanted("3")) rows.push(await measureBehindNginx(ctx, /** @type {string} */ (tools.nginx)));
  if (wanted("4")) rows.push(await measureDurability(ctx));
  if (wanted("5")) rows.push(await measureVerify(ctx));
  if (wanted("6")) rows.push(await measureCerts(ctx, comparePkiSets));
  if (wanted("7")) rows.push(await measureColdStart(ctx));
  if (wanted("8")) rows.push(await measureMemory(ctx));
  if (wanted("9")) rows.push(await measureForwarding(ctx));
  if (wanted("11")) rows.push(await measurePostgres(ctx));
  if (wanted("10")) rows.push(await measureLibrary(ctx));
  removeStores(ctx);

  const { versions, ...described } = describeMachine(tools);
  const round2 = (/** @type {number[]} */ load) => load.map((n) => Math.round(n * 100) / 100);
  const loadAverage = { start: round2(loadAtStart), end: round2(loadavg()) };
  const machine = { ...described.machine, loadAverage };
  const wallTimeS = Math.round((performance.now() - started) / 100) / 10;
  const notes = rows.flatMap((row) => row.notes);
  const markdown = renderMarkdown(rows);
  writeResults(RESULTS_PATH, {
    generatedAt: new Date().toISOString(),
    command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(" ")}` : ""}`,
    wallTimeS,
    machine,
    versions,
    settings: { runs: settings.runs, loadDurationS: settings.durationS, rows: [...settings.only] },
    rows,
    notes,
    markdown,
  });
  const machineLine = `${machine.cores} cores ${machine.cpuModel}, ${machine.totalMemoryGiB} GiB, ${machine.os}; Node ${versions.node}, OpenSSL ${versions.nodeOpenssl} (CLI: ${versions.opensslCli}); load average (1/5/15 min) ${loadAverage.start.join(" ")} at the start, ${loadAverage.end.join(" ")} at the end`;
  process.stdout.write(`\n${renderTable(rows)}\n\n${machineLine}\n`);
  if (notes.length > 0)
    process.stdout.write(`\nNotes:\n${notes.map((n) => `- ${n}`).join("\n")}\n`);
  process.stdout.write(`\nEvery run: bench/results/latest.json. Wall time: ${wallTimeS} s.\n`);
}

main().catch((error) => {
  if (error instanceof PreflightError) {
    process.stderr.write(`bench: ${error.message}\n`);
    process.exit(error.exitCode);
  }
  process.stderr.write(
    `bench: failed to measure: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
