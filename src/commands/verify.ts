import { access, writeFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { CHECK_CATALOGUE } from "../simulator/catalogue.js";
import { randomSeed } from "../simulator/random.js";
import {
  formatBaseline,
  formatCheckLine,
  formatHeader,
  formatSummary,
} from "../simulator/report-human.js";
import { reportToJson } from "../simulator/report-json.js";
import { reportToJunit } from "../simulator/report-junit.js";
import { verifyReceiver } from "../simulator/run.js";
import { colourWanted, createStyle } from "../simulator/style.js";
import type { Baseline, CheckResult, VerifyOptions, VerifyReport } from "../simulator/types.js";
import { type CommandContext, CommandError, defineCommand, UsageError } from "./_command.js";
import { refuseFolder } from "./_file-problem.js";
import { CHALLENGE_SECRET_ENV, readSecret, secretOptions } from "./_secrets.js";
import {
  asUsageErrors,
  oneOf,
  PROXY_HEADER_OPTIONS,
  proxyFromValues,
  TARGET_OPTIONS,
  targetFromValues,
  wholeNumber,
} from "./_target-options.js";

const list = (values: string[] | undefined) =>
  (values ?? [])
    .flatMap((v) => v.split(","))
    .map((v) => v.trim())
    .filter((v) => v.length > 0);

export const verifyCommand = defineCommand({
  name: "verify",
  summary: "Play Netdata Cloud against a receiver URL and report, check by check, what conforms.",
  usage: [
    "verify <url> [--pki DIR] [--auth bearer --bearer-token-file F] [--challenge-secret-file F]",
    "verify --list",
  ],
  examples: [
    [
      "netdata-webhook-kit verify https://127.0.0.1:8443/webhooks/netdata --pki certs/dev",
      "a dev receiver; secrets from NETDATA_BEARER_TOKEN, NETDATA_CHALLENGE_SECRET",
    ],
    [
      "netdata-webhook-kit verify https://hooks.example.com/webhooks/netdata --pki certs/dev --only mtls,auth",
      "only the mTLS and auth checks",
    ],
    [
      "netdata-webhook-kit verify https://hooks.example.com/webhooks/netdata --profile current --junit-file verify.xml",
      "current protocol only, JUnit for CI",
    ],
    [
      "netdata-webhook-kit verify http://127.0.0.1:8080/webhooks/netdata --proxy-headers --json",
      "an app behind a TLS proxy, mTLS played as the proxy's headers; JSON on stdout",
    ],
    [
      "netdata-webhook-kit verify https://127.0.0.1:8443/webhooks/netdata --pki certs/dev --observe-command 'netdata-webhook-kit inbox --json --limit 10000'",
      "and check that no refused request was stored",
    ],
  ],
  options: {
    profile: {
      type: "string",
      description: "current (test notification), legacy-crc (CRC challenge) or all",
      default: "all",
    },
    payloads: { type: "string", description: "flat, nested or all", default: "all" },
    ...TARGET_OPTIONS,
    ...secretOptions("challenge-secret", CHALLENGE_SECRET_ENV, "the CRC challenge secret"),
    "no-challenge": {
      type: "boolean",
      description:
        "the receiver has no legacy CRC challenge: the CRC checks do not apply (--profile current)",
    },
    only: {
      type: "string",
      multiple: true,
      description: "run only these check ids or prefixes (comma-separated)",
    },
    skip: {
      type: "string",
      multiple: true,
      description: "leave out these check ids or prefixes (comma-separated)",
    },
    seed: { type: "string", description: "seed of the payload generator, to replay a run" },
    ...PROXY_HEADER_OPTIONS,
    "observe-log": {
      type: "string",
      description:
        "a log the receiver writes: after the run, a refused request's canary found in it (from where the run started) fails its check",
    },
    "observe-command": {
      type: "string",
      description:
        "a shell command that prints what the receiver stored (e.g. 'netdata-webhook-kit inbox --json --limit 10000'; in it, netdata-webhook-kit and ndwk run this kit); canaries found in its output fail their checks",
    },
    verbose: {
      type: "boolean",
      description: "print every request and response of each check (secrets as their length)",
    },
    json: { type: "boolean", description: "print the full report as JSON on stdout" },
    "json-file": { type: "string", description: "write the full report as JSON to FILE" },
    "junit-file": { type: "string", description: "write a JUnit XML report to FILE" },
    list: {
      type: "boolean",
      description: "print the check catalogue (id, level, title) and exit; with --json as JSON",
    },
    wide: {
      type: "boolean",
      description:
        "whole lines, even when they do not fit the terminal (piped output always has them)",
    },
  },
  essential: [
    "pki",
    "auth",
    "bearer-token-file",
    "challenge-secret-file",
    "profile",
    "only",
    "skip",
    "proxy-headers",
    "observe-command",
    "observe-log",
    "json",
    "junit-file",
    "list",
  ],
  shortNotes: `Statuses: PASS, FAIL (cause and fix below the line), SKIP (with the reason) and
INCONCLUSIVE (a refusal that its control request shows proves nothing). A failed baseline
(reach, trust, mTLS, one notification) is diagnosed at the top.
Exit codes: 0 every required check ran and passed (or does not apply: --auth none,
--no-challenge), 1 one failed, was inconclusive or could not run (INCOMPLETE), or the
baseline failed, 2 usage error, 3 the target could not be reached.`,
  positionals: { min: 0, max: 1 },
  renamed: { junit: "junit-file" },
  formerValueSwitches: { json: "json-file" },
  notes: `First a baseline: reach the host, trust its certificate, complete mTLS as Netdata and POST
one notification with the given credentials. When it fails, one diagnosis (cause and fix) is
printed at the top and the checks that depend on it are reported as "not run: baseline failed".

Statuses:
  PASS          the receiver did what Netdata needs
  FAIL          it did not (cause and fix below the line)
  SKIP          not run, with the reason: it does not apply, --skip, the baseline, or it
                could not run (a required one makes the run INCOMPLETE, exit 1)
  INCONCLUSIVE  a negative check's request was refused, but so was its control (the same
                request without the defect): the refusal proves nothing
Levels (verify --list): required = Netdata's deliveries would fail, or a sender without
Netdata's identity or credentials would be accepted; everything else is recommended.

--proxy-headers talks plain HTTP to a receiver behind a TLS proxy (serve --behind-proxy) and
plays each client certificate as the proxy would forward it: X-Client-Verify SUCCESS,
FAILED:<reason> or NONE, and X-Client-DN with the certificate's RFC 2253 subject.
Every request verify expects to be refused carries a unique canary in its message.
With --observe-log FILE and/or --observe-command CMD, verify looks for them after the run: a
canary that shows up fails its check with "refused on the wire but handled inside".
A TLS alert or a failed handshake proves a refusal. A 4xx, or a close after the whole request
was written, is also what a receiver that handled the request first answers: without
--observe-* the summary says once that refusals were judged on the wire only.
Failures that share a cause are listed once under it, with one fix (--json: causes, causeId).
--verbose prints each check's requests and responses (secrets as their length); the --json
report always has them.
Netdata's delivery timeout is not documented: verify takes the CRC's 5 s as the delivery
budget, warns when --timeout-ms is above it, and delivery.latency warns when the median
accepted delivery takes longer.
The delivery checks post real notifications (about 100, from fictional spaces and hosts): run
verify against a test instance, or expect them in the receiver's inbox.

JUnit (--junit-file): failures + errors count exactly what makes the exit code 1 (failed,
inconclusive or incomplete required checks, the baseline, an unreadable --observe-* source as
<error>); a failed recommended check is <skipped message="recommended: ...">.

Exit codes:
  0  every required check ran and passed, or does not apply by what you said of the
     receiver (--auth none, --no-challenge, --proxy-headers) or was left out by --skip
  1  a required check failed, was inconclusive or could not run (INCOMPLETE: a secret,
     credentials or --pki not given, plain HTTP without --proxy-headers, --insecure;
     the line names what would let it run), the baseline failed, nothing --only chose
     ran, or an --observe-* source could not be read or does not watch this receiver
  2  usage or configuration error (also --only/--skip that select no check)
  3  the target could not be reached at all`,
  run: async (ctx) => {
    const { values } = ctx;
    if (values.list === true) {
      ctx.stdout(values.json === true ? catalogueJson() : catalogueListing());
      return 0;
    }
    if (ctx.positionals[0] === undefined) {
      throw new UsageError(
        "expected the receiver's webhook URL, e.g. 'verify https://hooks.example.com/webhooks/netdata --pki certs/dev' (or --list for the checks).",
      );
    }
    const seed = wholeNumber("--seed", values.seed, 0, 0xffffffff) ?? randomSeed();
    const options: VerifyOptions = {
      url: ctx.positionals[0] ?? "",
      profile: oneOf("--profile", values.profile, ["current", "legacy-crc", "all"], "all", {
        noun: "profile",
      }),
      payloads: oneOf("--payloads", values.payloads, ["flat", "nested", "all"], "all"),
      ...targetFromValues(values, ctx, "verify"),
      only: list(values.only),
      skip: list(values.skip),
      seed,
      ...proxyFromValues(values),
      ...(values["observe-log"] !== undefined
        ? { observeLog: resolve(ctx.cwd, values["observe-log"]) }
        : {}),
      ...(values["observe-command"] !== undefined
        ? { observeCommand: values["observe-command"] }
        : {}),
    };
    const secret = readSecret(values, "challenge-secret", CHALLENGE_SECRET_ENV, ctx);
    if (secret !== undefined) options.challengeSecret = secret;
    if (values["no-challenge"] === true) options.profile = noChallengeProfile(options, secret);
    const json = values.json === true ? "-" : values["json-file"];
    const outputs = await outputPaths(json, values["junit-file"], ctx.cwd);
    const fit = values.wide === true ? { ...ctx, columns: undefined } : ctx;
    const report = await runVerify(options, fit, {
      humanToStderr: json === "-",
      verbose: values.verbose === true,
    });
    await writeOutputs(report, outputs, ctx);
    return report.exitCode;
  },
});

/** --no-challenge says the receiver speaks only the current protocol: no CRC challenge. */
function noChallengeProfile(options: VerifyOptions, secret: string | undefined): "current" {
  if (secret !== undefined) {
    throw new UsageError(
      "--no-challenge says the receiver has no CRC challenge, but a challenge secret was given (--challenge-secret, its file or NETDATA_CHALLENGE_SECRET). Drop one of them.",
    );
  }
  if (options.profile === "legacy-crc") {
    throw new UsageError(
      "--no-challenge and --profile legacy-crc contradict each other: legacy-crc tests only the CRC challenge. Drop one of them.",
    );
  }
  return "current";
}

/** The rule that decides each check's level, as printed by --list. */
export const LEVEL_RULE =
  "required: Netdata's deliveries would fail, or a sender without Netdata's identity or credentials would be accepted. Everything else is recommended.";

/** The public catalogue as one JSON document: the level rule and each check, in order. */
function catalogueJson(): string {
  const checks = CHECK_CATALOGUE.map(({ id, level, title, fix }) => ({ id, level, title, fix }));
  return `${JSON.stringify({ levels: LEVEL_RULE, checks }, null, 2)}\n`;
}

/** The public catalogue: one line per check, in the order the checks run. */
function catalogueListing(): string {
  const width = Math.max(...CHECK_CATALOGUE.map((check) => check.id.length));
  const rows = CHECK_CATALOGUE.map(
    (check) => `${check.id.padEnd(width)}  ${check.level.padEnd(11)}  ${check.title}`,
  );
  return `${rows.join("\n")}\n\nLevels: ${LEVEL_RULE}\n`;
}

/** Runs verify with live output: a line per check as it completes, then the summary. */
export async function runVerify(
  options: VerifyOptions,
  io: Pick<CommandContext<Record<string, never>>, "stdout" | "stderr" | "isTTY" | "env"> & {
    columns?: number | undefined;
  },
  { humanToStderr = false, verbose = false }: { humanToStderr?: boolean; verbose?: boolean } = {},
): Promise<VerifyReport> {
  const out = humanToStderr ? io.stderr : io.stdout;
  const style = createStyle(!humanToStderr && colourWanted(io.isTTY, io.env));
  const { profile = "all", payloads = "all", auth } = options;
  const seed = options.seed ?? randomSeed();
  const settings = { profile, payloads, auth: auth?.scheme ?? "none", seed };
  // Printed with the first result, so a usage error is not preceded by a header.
  let headerShown = false;
  const header = () => {
    if (!headerShown) out(formatHeader(options.url, settings, style));
    headerShown = true;
  };
  const onBaseline = (baseline: Baseline) => {
    header();
    out(formatBaseline(baseline, style, verbose));
  };
  const causesShown = new Set<string>();
  const onCheck = (result: CheckResult) => {
    header();
    const columns = !humanToStderr && io.isTTY ? io.columns : undefined;
    out(formatCheckLine(result, style, { verbose, columns, causesShown }));
  };
  const report = await asUsageErrors(() =>
    verifyReceiver({ ...options, seed, onBaseline, onCheck }),
  );
  header();
  out(formatSummary(report, style));
  return report;
}

interface OutputPaths {
  json: string | null;
  junit: string | null;
}

/** Checked before the run, so a typo does not waste it. */
async function outputPaths(
  json: string | undefined,
  junit: string | undefined,
  cwd: string,
): Promise<OutputPaths> {
  const check = async (flag: string, value: string | undefined) => {
    if (value === undefined || value === "-") return value === "-" ? "-" : null;
    const path = resolve(cwd, value);
    refuseFolder(flag, path, "Give the path of the report file to write.");
    try {
      await access(dirname(path));
    } catch {
      throw new UsageError(
        `${flag}: the folder of ${JSON.stringify(value)} does not exist. Create it first.`,
      );
    }
    return path;
  };
  return { json: await check("--json-file", json), junit: await check("--junit-file", junit) };
}

async function writeOutputs(
  report: VerifyReport,
  paths: OutputPaths,
  io: { stdout: (text: string) => void; stderr: (text: string) => void },
): Promise<void> {
  const note = paths.json === "-" ? io.stderr : io.stdout;
  const write = async (path: string, text: string, what: string) => {
    try {
      await writeFile(path, text);
    } catch (error) {
      throw new CommandError(
        `failed to write the ${what} ${path}: ${(error as NodeJS.ErrnoException).code ?? error}`,
        2,
      );
    }
    note(`${what} written to ${path}\n`);
  };
  if (paths.json === "-") io.stdout(reportToJson(report));
  else if (paths.json) await write(paths.json, reportToJson(report), "JSON report");
  if (paths.junit) await write(paths.junit, reportToJunit(report), "JUnit report");
}
