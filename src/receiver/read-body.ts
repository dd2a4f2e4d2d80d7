import type { IncomingMessage } from "node:http";
import { type RawBodyResult, REQUEST_ABORTED, tooLarge } from "./json-body.js";

/**
 * Reads a Node request body, stopping as soon as it exceeds `limitBytes`. Compressed bodies
 * are never inflated, so the limit is on the bytes received.
 */
export function readNodeBody(req: IncomingMessage, limitBytes: number): Promise<RawBodyResult> {
  const declared = Number(req.headers["content-length"] ?? Number.NaN);
  if (declared > limitBytes) return Promise.resolve(tooLarge(limitBytes));
  if (req.readableEnded || req.readableDidRead) {
    // Another middleware (express.json()?) consumed the stream first.
    return Promise.reject(
      new Error("the request body was already read; mount netdataWebhook() before body parsers"),
    );
  }
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (result: RawBodyResult): void => {
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
      if (size > limitBytes) finish(tooLarge(limitBytes));
      else chunks.push(chunk);
    };
    const onEnd = (): void =>
      finish({
        ok: true,
        body: chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size),
      });
    const onError = (): void => finish(REQUEST_ABORTED);
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onError);
    req.on("aborted", onError);
    req.on("close", onError);
  });
}

/** Reads a web-standard body stream (`Request.body`) with the same limit and answers. */
export async function readStreamBody(
  stream: ReadableStream<Uint8Array> | null,
  declaredLength: string | null,
  limitBytes: number,
): Promise<RawBodyResult> {
  if (Number(declaredLength ?? Number.NaN) > limitBytes) return tooLarge(limitBytes);
  if (stream === null) return { ok: true, body: new Uint8Array(0) };
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.length;
      if (size > limitBytes) {
        void reader.cancel().catch(() => {});
        return tooLarge(limitBytes);
      }
      chunks.push(value);
    }
  } catch {
    return REQUEST_ABORTED;
  }
  return { ok: true, body: Buffer.concat(chunks, size) };
}
