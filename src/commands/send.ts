import { resolve } from "node:path";
import type { Outcome } from "../simulator/http-client.js";
import { describeOutcome, isSuccess } from "../simulator/outcome-classify.js";
import { createPayloadFactory, type PayloadFormat } from "../simulator/payloads/payload-factory.js";
import { schemeMismatch } from "../simulator/port-protocol.js";
import { createRandom, randomSeed } from "../simulator/random.js";
import { resolveVerifyOptions } from "../simulator/resolve-options.js";
import { deliveryRequest, onTheWire } from "../simulator/runtime.js";
import { sendNotifications } from "../simulator/send.js";
import { latencyLine } from "../simulator/stats.js";
import { type CommandContext, defineCommand, PROGRAM, UsageError } from "./_command.js";
import { readFlagFile } from "./_file-problem.js";
import { KIND_NAMES, parseKind } from "./_kinds.js";
import { sendHint, sendJson } from "./_send-outcome.js";
import {
  asUsageErrors,
  oneOf,
  PROXY_HEADER_OPTIONS,
  proxyFromValues,
  TARGET_OPTIONS,
  targetFromValues,
  wholeNumber,
} from "./_target-options.js";

const PROGRESS_BAR_WIDTH = 30;

function payloadSource(
  values: {
    kind?: string | undefined;
    format?: string | undefined;
    severity?: string | undefined;
    file?: string | undefined;
    seed?: string | undefined;
  },
  cwd: string,
): { label: string; body: (i: number) => string; notApplicable?: string[] } {
  if (values.file !== undefined) {
    if (values.kind !== undefined || values.severity !== undefined || values.format !== undefined) {
      throw new UsageError(
        "--file sends a payload as it is: leave out --kind, --format and --severity.",
      );
    }
    const path = resolve(cwd, values.file);
    const text = readFlagFile("--file", values.file, undefined, path);
    return { label: path, body: () => text };
  }
  const { family: kind, format: kindFormat } = parseKind(values.kind ?? "alert");
  if (kindFormat !== undefined && values.format !== undefined && values.format !== kindFormat) {
    throw new UsageError(
      `--format: contradicts --kind ${values.kind}: ${values.format}. Leave out --format, or pass --kind ${kind}.`,
    );
  }
  const format =
    kindFormat ?? oneOf<PayloadFormat>("--format", values.format, ["flat", "nested"], "nested");
  const seed = wholeNumber("--seed", values.seed, 0, 0xffffffff) ?? randomSeed();
  const factory = createPayloadFactory(createRandom(seed));
  if (kind === "test") {
    const ignored = (["format", "severity"] as const).filter((name) => values[name] !== undefined);
    return {
      label: "test notification",
      body: () => factory.test().body,
      notApplicable: ignored.map((name) => `--${name} with --kind test`),
    };
  }
  if (kind === "alert") {
    const severity = oneOf(
      "--severity",
      values.severity,
      ["critical", "warning", "clear"],
      "critical",
      {
        noun: "severity",
        meaning: "For --kind alert the severities are critical, warning and clear",
      },
    );
    return {
      label: `${format} alert, ${severity}`,
      body: () => factory.alert(format, severity).body,
    };
  }
  const severity = oneOf("--severity", values.severity, ["critical", "info"], "critical", {
    noun: "severity",
    meaning:
      "For --kind reachability the severities are critical (unreachable) and info (reachable)",
  });
  return {
    label: `${format} reachability, ${severity === "critical" ? "unreachable" : "reachable"}`,
    body: () => factory.reachability(format, severity === "info").body,
  };
}

function progressBar(done: number, total: number): string {
  const filled = Math.round((done / total) * PROGRESS_BAR_WIDTH);
  return `\r[${"#".repeat(filled)}${"-".repeat(PROGRESS_BAR_WIDTH - filled)}] ${done}/${total}`;
}

function statusCounts(outcomes: Outcome[]): string {
  const counts = new Map<string, number>();
  for (const o of outcomes)
    counts.set(describeOutcome(o), (counts.get(describeOutcome(o)) ?? 0) + 1);
  return [...counts].map(([what, n]) => `  ${what}: ${n}`).join("\n");
}

function exitCodeOf(outcomes: Outcome[]): number {
  if (outcomes.every(isSuccess)) return 0;
  return outcomes.every((o) => o.kind === "unreachable") ? 3 : 1;
}

export const sendCommand = defineCommand({
  name: "send",
  summary: "Send one (or many) notifications to a receiver, as Netdata Cloud would.",
  usage: [
    "send <url> [--kind KIND] [--format flat|nested] [--severity S] [--pki DIR]",
    "send <url> --file payload.json",
    "send <url> --count N --concurrency C",
  ],
  examples: [
    [
      "netdata-webhook-kit send https://127.0.0.1:8443/webhooks/netdata --pki certs/dev",
      "one nested critical alert",
    ],
    [
      "netdata-webhook-kit send https://hooks.example.com/webhooks/netdata --kind test --pki certs/dev",
      "a test notification: its token shows in the receiver",
    ],
    [
      "netdata-webhook-kit send https://hooks.example.com/webhooks/netdata --file payload.json --pki certs/dev",
      "a payload of your own, as is",
    ],
    [
      "netdata-webhook-kit send https://hooks.example.com/webhooks/netdata --count 1000 --concurrency 20 --pki certs/dev",
      "a load run with latency percentiles",
    ],
    [
      "netdata-webhook-kit send http://127.0.0.1:8080/webhooks/netdata --proxy-headers --pki certs/dev --json",
      "the app behind a TLS proxy, as the proxy forwards Netdata; JSON on stdout",
    ],
  ],
  options: {
    kind: {
      type: "string",
      description: `${KIND_NAMES.join(", ")} (alert-nested = --kind alert --format nested) [default: alert]`,
    },
    format: { type: "string", description: "flat or nested [default: nested]" },
    severity: {
      type: "string",
      description:
        "alert: critical, warning or clear; reachability: critical (unreachable) or info (reachable)",
    },
    file: {
      type: "string",
      description: "send this file's bytes as the body instead of a generated payload",
    },
    count: {
      type: "string",
      description: "how many to send (each a fresh notification with new ids)",
      default: "1",
    },
    concurrency: { type: "string", description: "how many at a time", default: "1" },
    seed: { type: "string", description: "seed of the payload generator" },
    json: {
      type: "boolean",
      description:
        "print one JSON document on stdout: the request sent, the answer (status, headers, body) and timings; secrets as their length",
    },
    ...TARGET_OPTIONS,
    ...PROXY_HEADER_OPTIONS,
  },
  positionals: { min: 1, max: 1 },
  notes:
    "Exit codes: 0 every answer was 2xx, 1 one was not, 2 usage error, 3 the target could not be reached.",
  run: async (ctx) => {
    const { values } = ctx;
    const source = payloadSource(values, ctx.cwd);
    const count = wholeNumber("--count", values.count, 1, 1_000_000) ?? 1;
    const concurrency = wholeNumber("--concurrency", values.concurrency, 1, 1000) ?? 1;
    const notApplicable = [...(source.notApplicable ?? [])];
    if (concurrency > count)
      notApplicable.push(`--concurrency ${concurrency} with --count ${count}`);
    for (const what of notApplicable) {
      ctx.stderr(
        `${PROGRAM} send: warning: option does not apply: ${what}. It is ignored; leave it out.\n`,
      );
    }
    const url = ctx.positionals[0] ?? "";
    const options = await asUsageErrors(() =>
      resolveVerifyOptions({
        url,
        ...targetFromValues(values, ctx, "send"),
        ...proxyFromValues(values),
      }),
    );
    if (options.url.protocol === "http:" && !options.allowHttp) {
      throw new UsageError(
        "the URL is http; Netdata only calls https. Pass --allow-http for a receiver behind a TLS proxy.",
      );
    }
    const showProgress = count > 1 && ctx.isTTY;
    // The first body is kept for --json, which shows the request as it went on the wire.
    let firstBody = "";
    const result = await sendNotifications(options, {
      body: (i) => {
        const body = source.body(i);
        if (i === 0) firstBody = body;
        return body;
      },
      count,
      concurrency,
      ...(showProgress
        ? { onProgress: (done, total) => ctx.stderr(progressBar(done, total)) }
        : {}),
    });
    if (showProgress) ctx.stderr("\n");
    const [first] = result.outcomes;
    if (values.json === true && first) {
      const spec = onTheWire(options, {
        ...deliveryRequest(options, { body: firstBody }),
        timeoutMs: options.timeoutMs,
      });
      ctx.stdout(
        sendJson(
          { url, payload: source.label, first: { spec, outcome: first }, ...result, concurrency },
          options,
        ),
      );
    } else {
      report(ctx, source.label, url, result.outcomes, result.durationMs, concurrency);
    }
    const failed = result.outcomes.find((o) => !isSuccess(o));
    const mismatch = failed ? await schemeMismatch(options.url, failed) : null;
    if (mismatch) ctx.stderr(`${PROGRAM} send: ${mismatch}.\n`);
    const hint = failed && !mismatch ? sendHint(failed, options) : undefined;
    if (hint) ctx.stderr(hint);
    return exitCodeOf(result.outcomes);
  },
});

function report(
  io: Pick<CommandContext<Record<string, never>>, "stdout">,
  label: string,
  url: string,
  outcomes: Outcome[],
  durationMs: number,
  concurrency: number,
): void {
  const [first] = outcomes;
  if (outcomes.length === 1 && first) {
    const body =
      first.kind === "response" ? `\n${first.body}${first.body.endsWith("\n") ? "" : "\n"}` : "\n";
    io.stdout(`POST ${url} (${label})\n${describeOutcome(first)} in ${timing(first)}${body}`);
    return;
  }
  const rate = Math.round((outcomes.length / Math.max(durationMs, 1)) * 1000);
  io.stdout(
    `POST ${url} (${label}) x${outcomes.length}, concurrency ${concurrency}: ${(durationMs / 1000).toFixed(2)} s, ${rate} req/s\n` +
      `${statusCounts(outcomes)}\nlatency: ${latencyLine(
        outcomes.map((o) => o.latencyMs),
        [50, 90, 99],
      )}\n`,
  );
}

/** "642.1 ms (set-up 600.3 ms: connection and TLS; answer 41.8 ms: the receiver)". */
function timing(outcome: Outcome): string {
  if (outcome.setupMs === undefined) return `${outcome.latencyMs} ms`;
  const answer = Math.round((outcome.latencyMs - outcome.setupMs) * 10) / 10;
  return `${outcome.latencyMs} ms (set-up ${outcome.setupMs} ms: connection and TLS; answer ${answer} ms: the receiver)`;
}
