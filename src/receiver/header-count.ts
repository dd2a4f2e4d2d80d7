import { MAX_REQUEST_HEADERS } from "./limits.js";

/**
 * The reason for a 431 when a request carries more than `max` headers, else undefined. The
 * HTTP server must read at least `max + 1` headers (`server.maxHeadersCount`) for this to see
 * an overflow; startReceiver sets that.
 */
export function headerCountProblem(
  rawHeaders: readonly string[],
  max: number = MAX_REQUEST_HEADERS,
): string | undefined {
  const count = rawHeaders.length / 2;
  if (count <= max) return undefined;
  return `the request has more than ${max} headers; the receiver reads no more than that`;
}
