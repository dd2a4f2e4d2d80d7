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
}

/** Longest JSON.parse message echoed back; the parser's own text, never a stack. */
const PARSE_MESSAGE_MAX = 160;

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
  try {
    return { ok: true, value: JSON.parse(text), text };
  } catch (error) {
    return badRequest(`body is not valid JSON: ${parseMessage(error)}`);
  }
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
  reason: "request aborted",
  bodyUnread: true,
};

function badRequest(reason: string): BodyProblem {
  return { ok: false, status: 400, reason, bodyUnread: false };
}

/** V8's message without the quoted excerpt of the input it sometimes includes. */
function parseMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const withoutExcerpt = message
    .replace(/, ".*" is not valid JSON$/s, "")
    .replace(/^".*" is not valid JSON$/s, "unexpected input")
    .replace(/\s+/g, " ");
  return withoutExcerpt.length > PARSE_MESSAGE_MAX
    ? `${withoutExcerpt.slice(0, PARSE_MESSAGE_MAX)}...`
    : withoutExcerpt;
}
