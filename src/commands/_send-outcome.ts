import { toExchange } from "../simulator/exchange.js";
import type { Outcome, RequestSpec } from "../simulator/http-client.js";
import { describeOutcome } from "../simulator/outcome-classify.js";
import type { ResolvedVerifyOptions } from "../simulator/resolve-options.js";
import { percentile } from "../simulator/stats.js";
import { PROGRAM } from "./_command.js";

/** What `send --json` prints about one run. */
export interface SendRun {
  url: string;
  /** What was sent: "nested alert, critical", a file's path. */
  payload: string;
  /** The first request as it went on the wire, and its outcome. */
  first: { spec: RequestSpec; outcome: Outcome };
  outcomes: readonly Outcome[];
  durationMs: number;
  concurrency: number;
}

/**
 * `send --json`: one JSON document with the request sent (headers as sent, Authorization and
 * likely secrets as their length) and the answer (status, headers, body), with timings; for
 * more than one request, a summary of all of them too.
 */
export function sendJson(run: SendRun, options: ResolvedVerifyOptions): string {
  const { spec, outcome } = run.first;
  const { request, response } = toExchange("send", options.url, spec, outcome);
  const document = {
    url: run.url,
    payload: run.payload,
    request,
    response: {
      ...response,
      // The whole answer as kept (up to 64 KiB), not a transcript's first bytes.
      body: outcome.kind === "response" ? outcome.body : null,
    },
    timings: timings(outcome),
    ...(run.outcomes.length > 1 ? { summary: summary(run) } : {}),
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}

function timings(outcome: Outcome) {
  const setupMs = outcome.setupMs ?? null;
  const answerMs = setupMs === null ? null : Math.round((outcome.latencyMs - setupMs) * 10) / 10;
  return { totalMs: outcome.latencyMs, setupMs, answerMs };
}

function summary(run: SendRun) {
  const counts: Record<string, number> = {};
  for (const o of run.outcomes) counts[describeOutcome(o)] = (counts[describeOutcome(o)] ?? 0) + 1;
  const sorted = run.outcomes.map((o) => o.latencyMs).sort((a, b) => a - b);
  return {
    count: run.outcomes.length,
    concurrency: run.concurrency,
    durationMs: run.durationMs,
    requestsPerSecond: Math.round((run.outcomes.length / Math.max(run.durationMs, 1)) * 1000),
    outcomes: counts,
    latencyMs: {
      p50: percentile(sorted, 50),
      p90: percentile(sorted, 90),
      p99: percentile(sorted, 99),
      max: sorted.at(-1) ?? 0,
    },
  };
}

/**
 * The likely fix when an https request failed for lack of trust in either direction: the
 * server certificate was not trusted (--server-ca, or --pki for a `certs` test CA), or the
 * receiver refused a client that presented no certificate (--pki, --client-cert).
 */
export function sendHint(outcome: Outcome, options: ResolvedVerifyOptions): string | undefined {
  if (options.url.protocol !== "https:") return undefined;
  if (outcome.kind === "server-certificate-rejected") {
    const pki =
      options.pkiDir === null ? " (--pki DIR trusts the test CA of a 'certs' folder)" : "";
    return `${PROGRAM} send: the server certificate is not trusted: ${outcome.code}. Pass --server-ca FILE with the CA that issued it${pki}, or --insecure to skip the check.\n`;
  }
  const refused =
    outcome.kind === "refused" ||
    (outcome.kind === "response" && (outcome.status === 400 || outcome.status === 403));
  if (refused && options.netdata === null && !options.proxyHeaders) {
    return `${PROGRAM} send: refused without a client certificate: ${describeOutcome(outcome)}. Netdata presents one: pass --pki DIR (a folder from 'certs') or --client-cert FILE --client-key FILE.\n`;
  }
  return undefined;
}
