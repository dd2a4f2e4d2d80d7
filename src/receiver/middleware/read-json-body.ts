import type { IncomingMessage } from "node:http";
import { headerValues } from "../../protocol/auth.js";

export type JsonBodyResult =
  | { ok: true; value: unknown; text: string }
  | { ok: false; status: 400 | 413 | 415; reason: string; bodyUnread: boolean };

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

/**
 * Reads, decodes (strict UTF-8) and parses a JSON body, stopping as soon as it exceeds
 * `limitBytes`. Compressed bodies are never inflated, so the limit is on the bytes received.
 */
export async function readJsonBody(
  req: IncomingMessage,
  limitBytes: number,
): Promise<JsonBodyResult> {
  const declared = Number(req.headers["content-length"] ?? Number.NaN);
  if (declared > limitBytes) return tooLarge(limitBytes, true);
  const raw = await readLimited(req, limitBytes);
  if (!raw.ok) return raw;
  if (raw.body.length === 0) return badRequest("body is empty; send a JSON object");
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(raw.body);
  } catch {
    return badRequest("body is not valid UTF-8");
  }
  try {
    return { ok: true, value: JSON.parse(text), text };
  } catch (error) {
    return badRequest(`body is not valid JSON: ${parseMessage(error)}`);
  }
}

type RawResult = { ok: true; body: Buffer } | Extract<JsonBodyResult, { ok: false }>;

function readLimited(req: IncomingMessage, limitBytes: number): Promise<RawResult> {
  if (req.readableEnded || req.readableDidRead) {
    // Another middleware (express.json()?) consumed the stream first.
    return Promise.reject(
      new Error("the request body was already read; mount netdataWebhook() before body parsers"),
    );
  }
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (result: RawResult): void => {
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onError);
      req.off("aborted", onError);
      req.off("close", onError);
      if (!result.ok) req.pause();
      resolve(result);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limitBytes) finish(tooLarge(limitBytes, true));
      else chunks.push(chunk);
    };
    const onEnd = (): void => finish({ ok: true, body: Buffer.concat(chunks, size) });
    const onError = (): void =>
      finish({ ok: false, status: 400, reason: "request aborted", bodyUnread: true });
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onError);
    req.on("aborted", onError);
    req.on("close", onError);
  });
}

function tooLarge(limitBytes: number, bodyUnread: boolean): Extract<JsonBodyResult, { ok: false }> {
  return {
    ok: false,
    status: 413,
    reason: `body is larger than the limit of ${limitBytes} bytes`,
    bodyUnread,
  };
}

function badRequest(reason: string): Extract<JsonBodyResult, { ok: false }> {
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
