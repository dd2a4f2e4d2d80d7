import type { Socket } from "node:net";
import { OptionError } from "../../validate/option-error.js";
import { isClosing, markClosing } from "../closing-refusal.js";
import {
  type ClientIdentitySource,
  checkStore,
  type NetdataEndpointOptions,
  resolveEndpointOptions,
} from "../options.js";
import { createWebhookPipeline, type WebhookReply } from "../pipeline.js";
import { readStreamBody } from "../read-body.js";
import { isExactWebhookPath, requestedPath } from "../webhook-path.js";

const CALLER = "netdataWebhookFetch";

/** Options of netdataWebhookFetch: the client is identified by the proxy's headers. */
export interface NetdataFetchOptions extends Omit<NetdataEndpointOptions, "clientIdentity"> {
  /** Default "proxy-headers": fetch runtimes do not expose the TLS peer, so "tls" is refused. */
  clientIdentity?: Exclude<ClientIdentitySource, "tls">;
}

/** What the runtime knows about the connection and a `Request` does not carry. */
export interface FetchConnectionInfo {
  /** The peer's address (Hono: `getConnInfo(c).remote.address`; Bun: `server.requestIP(req)`). */
  remoteAddress?: string | undefined;
  /**
   * The Node request underneath, where the runtime has one (`@hono/node-server`:
   * `c.env.incoming`). Its `url` is the request target as sent, which a WHATWG `Request` has
   * already normalised (`/a/./b` becomes `/a/b`), its raw headers show a repeated header a
   * `Request` joins, and its socket lets a refusal that closes the connection leave the
   * requests pipelined behind it unprocessed.
   */
  incoming?:
    | { url?: string | undefined; socket?: Socket | undefined; rawHeaders?: readonly string[] }
    | undefined;
}

/**
 * The receiver as a web-standard handler, `(request, info?) => Promise<Response>`, for Hono,
 * Next.js route handlers, Bun and Deno. These runtimes do not show the TLS peer, so the
 * client is identified by the headers of the TLS-terminating proxy in front
 * (`X-Client-Verify`, `X-Client-DN`), believed only when `info.remoteAddress` is one of
 * `trustedProxies` (default loopback). A `Request` merges repeated headers into one value,
 * so a repeated header is refused as a malformed one. Loads no framework and no database:
 * bring a store (any object with `insert`).
 */
export function netdataWebhookFetch(
  options: NetdataFetchOptions,
): (request: Request, info?: FetchConnectionInfo) => Promise<Response> {
  if ((options as { clientIdentity?: unknown } | undefined)?.clientIdentity === "tls") {
    throw new OptionError(
      CALLER,
      "clientIdentity",
      'fetch handlers cannot see the client certificate; use "proxy-headers" behind a TLS proxy (the default), or netdataWebhookNode for direct mTLS',
    );
  }
  const resolved = resolveEndpointOptions(options as NetdataEndpointOptions, CALLER, undefined, {
    clientIdentity: "proxy-headers",
  });
  const pipeline = createWebhookPipeline(resolved, checkStore(options.store, CALLER));
  return async (request, info) => {
    const socket = info?.incoming?.socket;
    if (isClosing(socket)) return new Response(null, { status: 400, headers: CLOSE });
    const url = new URL(request.url);
    // The target as sent where the runtime shows it; else the normalised one of the Request.
    const target = info?.incoming?.url ?? `${url.pathname}${url.search}`;
    // The headers as sent where the runtime shows them: a Request joins a repeated header
    // into one value, so a second X-Client-DN could not be told from a DN with a comma.
    const rawHeaders = info?.incoming?.rawHeaders ?? joinedHeaders(request.headers);
    const reply = await pipeline.handle({
      method: request.method,
      path: requestedPath(target),
      atEndpoint: isExactWebhookPath(target, resolved.path),
      query: url.search.slice(1),
      rawHeaders,
      socket: undefined,
      remote: info?.remoteAddress,
      readBody: (limit) =>
        readStreamBody(request.body, request.headers.get("content-length"), limit),
    });
    if (reply.close) markClosing(socket);
    return toResponse(reply);
  };
}

const CLOSE = { Connection: "close" };

function joinedHeaders(headers: Headers): string[] {
  const raw: string[] = [];
  headers.forEach((value, name) => {
    raw.push(name, value);
  });
  return raw;
}

function toResponse(reply: WebhookReply): Response {
  const headers = new Headers(reply.headers);
  headers.set("Content-Type", "application/json; charset=utf-8");
  if (reply.close) headers.set("Connection", "close");
  return new Response(JSON.stringify(reply.body), { status: reply.status, headers });
}
