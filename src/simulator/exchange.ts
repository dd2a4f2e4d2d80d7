import type { Outcome, RequestSpec } from "./http-client.js";
import { describeOutcome } from "./outcome-classify.js";
import type { Exchange } from "./types.js";

const TARGET_SHOWN_CHARS = 160;
/** How much of each body a transcript keeps. */
export const TRANSCRIPT_BODY_BYTES = 512;
const REQUEST_BODY_SHOWN_BYTES = 200;
const HEADER_SHOWN_CHARS = 200;

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

/** The first `bytes` bytes of a body as text, with the total when cut. */
function bodyStart(body: string | Buffer | undefined, bytes: number): string {
  if (body === undefined) return "";
  const buffer = Buffer.isBuffer(body) ? body : Buffer.from(body);
  const start = buffer.subarray(0, bytes).toString("utf8");
  return buffer.length > bytes ? `${start}… (${buffer.length} bytes)` : start;
}

/** Header names whose values are likely secrets (`--header "X-Api-Key: ..."`). */
const SECRET_HEADER = /auth|token|key|secret|cookie|password|signature/i;

/** Headers as sent, in order; Authorization and likely secrets as their length. */
function requestHeaders(spec: RequestSpec): Array<[string, string]> {
  const rows: Array<[string, string]> = [];
  for (const [name, value] of Object.entries(spec.headers ?? {})) {
    const lower = name.toLowerCase();
    for (const one of Array.isArray(value) ? value : [value]) {
      const shown =
        lower === "authorization"
          ? (redactAuthorization(one) ?? "")
          : SECRET_HEADER.test(lower)
            ? `<${one.length} chars>`
            : shorten(one, HEADER_SHOWN_CHARS);
      rows.push([lower, shown]);
    }
  }
  return rows;
}

function responseHeaders(outcome: Outcome): Record<string, string> {
  if (outcome.kind !== "response") return {};
  return Object.fromEntries(
    Object.entries(outcome.headers)
      .filter(([name]) => name !== "set-cookie")
      .map(([name, value]) => [name, shorten([value ?? ""].flat().join(", "), HEADER_SHOWN_CHARS)]),
  );
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
      headers: requestHeaders(spec),
      bodyBytes: spec.body === undefined ? 0 : Buffer.byteLength(spec.body),
      bodyStart: bodyStart(spec.body, REQUEST_BODY_SHOWN_BYTES),
    },
    response: {
      outcome: describeOutcome(outcome),
      status: outcome.kind === "response" ? outcome.status : null,
      latencyMs: outcome.latencyMs,
      tlsProtocol: outcome.tls?.protocol ?? null,
      headers: responseHeaders(outcome),
      body: outcome.kind === "response" ? bodyStart(outcome.body, TRANSCRIPT_BODY_BYTES) : null,
    },
  };
}
