import type { Outcome, RequestSpec } from "./http-client.js";
import { describeOutcome } from "./outcome-classify.js";
import type { Exchange } from "./types.js";

const TARGET_SHOWN_CHARS = 160;
const BODY_SHOWN_CHARS = 500;

/** Never the credential itself: `Bearer <43 chars>`. */
export function redactAuthorization(value: string | string[] | undefined): string | null {
  if (value === undefined) return null;
  const values = Array.isArray(value) ? value : [value];
  if (values.length === 0) return null;
  return values
    .map((v) => {
      const match = /^(\S+)( +)(.*)$/s.exec(v);
      return match ? `${match[1]} <${match[3]?.length ?? 0} chars>` : `<${v.length} chars>`;
    })
    .join(" | ");
}

function shorten(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}… (${text.length} chars)` : text;
}

function headerOf(spec: RequestSpec, name: string): string | string[] | undefined {
  const entry = Object.entries(spec.headers ?? {}).find(([key]) => key.toLowerCase() === name);
  return entry?.[1];
}

/** What a report shows of one request and its outcome. */
export function toExchange(label: string, url: URL, spec: RequestSpec, outcome: Outcome): Exchange {
  const query = spec.query === undefined ? url.search : spec.query ? `?${spec.query}` : "";
  const contentType = headerOf(spec, "content-type");
  return {
    label,
    request: {
      method: spec.method,
      target: shorten(`${url.pathname}${query}`, TARGET_SHOWN_CHARS),
      identity: spec.identity?.name ?? null,
      authorization: redactAuthorization(headerOf(spec, "authorization")),
      contentType: contentType === undefined ? null : String(contentType),
      bodyBytes: spec.body === undefined ? 0 : Buffer.byteLength(spec.body),
    },
    response: {
      outcome: describeOutcome(outcome),
      status: outcome.kind === "response" ? outcome.status : null,
      latencyMs: outcome.latencyMs,
      tlsProtocol: outcome.tls?.protocol ?? null,
      body: outcome.kind === "response" ? shorten(outcome.body, BODY_SHOWN_CHARS) : null,
    },
  };
}
