import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { OPTION_NAMES, refuseUnknownOptions } from "../option-names.js";
import { DEFAULT_WEBHOOK_PATH as DEFAULT_PATH } from "../options.js";
import type { NetdataEndpointOptions } from "./endpoint-options.js";
import { netdataWebhookNode } from "./node.js";

/** What Fastify's `register` adds to a plugin's options. */
interface FastifyRegisterOptions {
  prefix?: string;
  logLevel?: string;
  logSerializers?: unknown;
}

/**
 * The receiver as a Fastify (5) plugin:
 * `await app.register(netdataWebhookFastify, { store, path: "/webhooks/netdata" })`.
 * Fastify does not parse the body of these routes: the pipeline reads the raw request with
 * its own limit, as on plain Node, and sees the TLS socket, so direct mTLS works when Fastify
 * serves HTTPS with `requestCert: true`. The plugin's body parser stays inside its own scope.
 * Only types are imported from fastify: the package does not load it.
 */
export async function netdataWebhookFastify(
  app: FastifyInstance,
  options: NetdataEndpointOptions,
): Promise<void> {
  // Fastify hands a plugin its own register options too.
  refuseUnknownOptions(
    options,
    [...OPTION_NAMES.endpoint, "prefix", "logLevel", "logSerializers"],
    "netdataWebhookFastify",
  );
  const {
    prefix: _prefix,
    logLevel: _logLevel,
    logSerializers: _logSerializers,
    ...rest
  } = options as NetdataEndpointOptions & FastifyRegisterOptions;
  const path = rest.path ?? DEFAULT_PATH;
  // Registered under a prefix, the routes below get it and so does the URL the listener sees.
  const listener = netdataWebhookNode(
    app.prefix ? { ...rest, path: `${app.prefix}${path}` } : rest,
    "netdataWebhookFastify",
  );
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", (_request, _payload, done) => done(null, undefined));
  const handler = (request: FastifyRequest, reply: FastifyReply): void => {
    reply.hijack();
    listener(request.raw, reply.raw);
  };
  app.all(path, handler);
  app.all(`${path}/*`, handler);
}
