import type { ClientIdentitySource } from "../options.js";
import { optionError } from "../options.js";
import type { WebhookReply } from "../pipeline.js";
import { readStreamBody } from "../read-body.js";
import {
  createEndpoint,
  type NetdataEndpointOptions,
  NOT_FOUND,
  placeOf,
} from "./endpoint-options.js";

/** Options of netdataWebhookFetch: the client is identified by the proxy's headers. */
export interface NetdataFetchOptions extends Omit<NetdataEndpointOptions, "clientIdentity"> {
  /** Default "proxy-headers": fetch runtimes do not expose the TLS peer, so "tls" is refused. */
  clientIdentity?: Exclude<ClientIdentitySource, "tls">;
}

/**
 * The receiver as a web-standard handler, `(request: Request) => Promise<Response>`, for
 * Hono, Next.js route handlers, Bun and Deno. These runtimes do not show the TLS peer, so
 * the client is identified by the headers of the TLS-terminating proxy in front
 * (`X-Client-Verify`, `X-Client-DN`). A `Request` merges repeated headers into one value,
 * so a repeated header is refused as a malformed one.
 */
export function netdataWebhookFetch(
  options: NetdataFetchOptions,
): (request: Request) => Promise<Response> {
  const source: string = options?.clientIdentity ?? "proxy-headers";
  if (source === "tls") {
    throw optionError(
      "netdataWebhookFetch",
      "clientIdentity",
      'fetch handlers cannot see the client certificate; use "proxy-headers" behind a TLS proxy (the default), or netdataWebhookNode for direct mTLS',
    );
  }
  const { pipeline, path } = createEndpoint(
    { ...options, clientIdentity: source as ClientIdentitySource },
    "netdataWebhookFetch",
  );
  return async (request) => {
    const url = new URL(request.url);
    const place = placeOf(url.pathname, path);
    if (place === "elsewhere") return toResponse(NOT_FOUND);
    const rawHeaders: string[] = [];
    request.headers.forEach((value, name) => {
      rawHeaders.push(name, value);
    });
    const reply = await pipeline.handle({
      method: request.method,
      path: url.pathname,
      atEndpoint: place === "endpoint",
      query: url.search.slice(1),
      rawHeaders,
      socket: undefined,
      remote: undefined,
      readBody: (limit) =>
        readStreamBody(request.body, request.headers.get("content-length"), limit),
    });
    return toResponse(reply ?? NOT_FOUND);
  };
}

function toResponse(reply: WebhookReply): Response {
  const headers = new Headers(reply.headers);
  headers.set("Content-Type", "application/json; charset=utf-8");
  if (reply.close) headers.set("Connection", "close");
  return new Response(JSON.stringify(reply.body), { status: reply.status, headers });
}
