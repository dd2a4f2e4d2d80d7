import { OptionError } from "../../validate/option-error.js";
import { OPTION_NAMES, refuseUnknownOptions } from "../option-names.js";
import type { ClientIdentitySource } from "../options.js";
import type { WebhookReply } from "../pipeline.js";
import { readStreamBody } from "../read-body.js";
import { isExactWebhookPath, requestedPath } from "../webhook-path.js";
import { createEndpoint, type NetdataEndpointOptions } from "./endpoint-options.js";

/** Options of netdataWebhookFetch: the client is identified by the proxy's headers. */
export interface NetdataFetchOptions extends Omit<NetdataEndpointOptions, "clientIdentity"> {
  /** Default "proxy-headers": fetch runtimes do not expose the TLS peer, so "tls" is refused. */
  clientIdentity?: Exclude<ClientIdentitySource, "tls">;
}

/** What the runtime knows about the connection and a `Request` does not carry. */
export interface FetchConnectionInfo {
  /** The peer's address (Hono: `getConnInfo(c).remote.address`; Bun: `server.requestIP(req)`). */
  remoteAddress?: string | undefined;
}

/**
 * The receiver as a web-standard handler, `(request, info?) => Promise<Response>`, for Hono,
 * Next.js route handlers, Bun and Deno. These runtimes do not show the TLS peer, so the
 * client is identified by the headers of the TLS-terminating proxy in front
 * (`X-Client-Verify`, `X-Client-DN`), believed only when `info.remoteAddress` is one of
 * `trustedProxies` (default loopback). A `Request` merges repeated headers into one value,
 * so a repeated header is refused as a malformed one.
 */
export function netdataWebhookFetch(
  options: NetdataFetchOptions,
): (request: Request, info?: FetchConnectionInfo) => Promise<Response> {
  refuseUnknownOptions(options, OPTION_NAMES.endpoint, "netdataWebhookFetch");
  const source: string = options?.clientIdentity ?? "proxy-headers";
  if (source === "tls") {
    throw new OptionError(
      "netdataWebhookFetch",
      "clientIdentity",
      'fetch handlers cannot see the client certificate; use "proxy-headers" behind a TLS proxy (the default), or netdataWebhookNode for direct mTLS',
    );
  }
  const { pipeline, path } = createEndpoint(
    { ...options, clientIdentity: source as ClientIdentitySource },
    "netdataWebhookFetch",
  );
  return async (request, info) => {
    const url = new URL(request.url);
    const target = `${url.pathname}${url.search}`;
    const rawHeaders: string[] = [];
    request.headers.forEach((value, name) => {
      rawHeaders.push(name, value);
    });
    const reply = await pipeline.handle({
      method: request.method,
      path: requestedPath(target),
      atEndpoint: isExactWebhookPath(target, path),
      query: url.search.slice(1),
      rawHeaders,
      socket: undefined,
      remote: info?.remoteAddress,
      readBody: (limit) =>
        readStreamBody(request.body, request.headers.get("content-length"), limit),
    });
    return toResponse(reply);
  };
}

function toResponse(reply: WebhookReply): Response {
  const headers = new Headers(reply.headers);
  headers.set("Content-Type", "application/json; charset=utf-8");
  if (reply.close) headers.set("Connection", "close");
  return new Response(JSON.stringify(reply.body), { status: reply.status, headers });
}
