import { headerValues } from "../protocol/auth.js";

/** The bytes of a body, or why they could not be read. */
export type RawBodyResult = { ok: true; body: Uint8Array } | BodyProblem;

export type JsonBodyResult = { ok: true; value: unknown; text: string } | BodyProblem;

export interface BodyProblem {
  ok: false;
  status: 400 | 413 | 415;
  reason: string;
  /** True when bytes may still be on the way: the answer must close the connection. */
  bodyUnread: boolean;
  /** True when the connection ended (client gone, or cut off by a timeout): no answer reaches anyone. */
  aborted?: true;
}

/** A JSON string escape of a surrogate code unit; only such an escape can make a lone one. */
const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/;
/** In a `u` regex a surrogate pair is one code point, so \p{Cs} matches only a lone half. */
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * The Content-Type check: `application/json`, optionally `; charset=utf-8` (any case).
 * Returns the reason for a 415, or undefined when acceptable.
 */
export function contentTypeProblem(rawHeaders: readonly string[]): string | undefined {
  const values = headerValues(rawHeaders, "content-type");
  if (values.length === 0) return "Content-Type is missing; send application/json";
  if (values.length > 1) return "Content-Type was sent more than once";
  const [mediaType = "", ...params] = (values[0] ?? "").split(";");
  if (mediaType.trim().toLowerCase() !== "application/json") {
    return `Content-Type ${JSON.stringify(mediaType.trim().slice(0, 80))} is not supported; send application/json`;
  }
  for (const param of params) {
    const [name = "", value = ""] = param.split("=", 2);
    if (name.trim().toLowerCase() !== "charset") continue;
    const charset = value
      .trim()
      .replace(/^"(.*)"$/, "$1")
      .toLowerCase();
    if (charset !== "utf-8" && charset !== "utf8") {
      return `charset ${JSON.stringify(charset.slice(0, 40))} is not supported; JSON is UTF-8`;
    }
  }
  const encodings = headerValues(rawHeaders, "content-encoding");
  if (encodings.some((e) => e.trim().toLowerCase() !== "identity")) {
    return "Content-Encoding is not supported; send the JSON uncompressed";
  }
  return undefined;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** Decodes (strict UTF-8) and parses the bytes of a body. */
export function parseJsonBody(body: Uint8Array): JsonBodyResult {
  if (body.length === 0) return badRequest("body is empty; send a JSON object");
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    return badRequest("body is not valid UTF-8");
  }
  let value: unknown;
  let wellFormed = true;
  try {
    value = SURROGATE_ESCAPE.test(text)
      ? JSON.parse(text, (key, v: unknown) => {
          if (LONE_SURROGATE.test(key) || (typeof v === "string" && LONE_SURROGATE.test(v))) {
            wellFormed = false;
          }
          return v;
        })
      : JSON.parse(text);
  } catch (error) {
    return badRequest(`body is not valid JSON${whereParsingFailed(error, text)}`);
  }
  // Such text is not Unicode: it cannot be stored, logged or re-encoded as UTF-8 unchanged.
  if (!wellFormed)
    return badRequest("body holds a lone surrogate (\\ud800-\\udfff), not Unicode text");
  return { ok: true, value, text };
}

export function tooLarge(limitBytes: number): BodyProblem {
  return {
    ok: false,
    status: 413,
    reason: `body is larger than the limit of ${limitBytes} bytes`,
    bodyUnread: true,
  };
}

export const REQUEST_ABORTED: BodyProblem = {
  ok: false,
  status: 400,
  reason: "the connection ended before the whole body arrived",
  bodyUnread: true,
  aborted: true,
};

function badRequest(reason: string): BodyProblem {
  return { ok: false, status: 400, reason, bodyUnread: false };
}

/**
 * Where JSON.parse gave up, as " (line L, column C)", or "" when V8 does not say. Never any
 * of V8's own text, which quotes an excerpt of the (unauthenticated) body.
 */
function whereParsingFailed(error: unknown, text: string): string {
  const message = error instanceof Error ? error.message : "";
  if (message === "Unexpected end of JSON input") return " (it ends early)";
  const position = /at position (\d+)/.exec(message)?.[1];
  if (position === undefined) return "";
  const before = text.slice(0, Number(position));
  const line = before.split("\n").length;
  const column = before.length - before.lastIndexOf("\n");
  return ` (line ${line}, column ${column})`;
}
