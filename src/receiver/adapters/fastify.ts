import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import {
  checkStore,
  ENDPOINT_OPTION_NAMES,
  type NetdataEndpointOptions,
  resolveEndpointOptions,
} from "../options.js";
import { createNodeListener } from "./node.js";

/** What Fastify's `register` adds to a plugin's options. */
const FASTIFY_REGISTER_OPTIONS = ["prefix", "logLevel", "logSerializers"];
const CALLER = "netdataWebhookFastify";

/**
 * The receiver as a Fastify (5) plugin:
 * `await app.register(netdataWebhookFastify, { store, path: "/webhooks/netdata" })`.
 * Fastify does not parse the body of these routes: the pipeline reads the raw request with
 * its own limit, as on plain Node, and sees the TLS socket, so direct mTLS works when Fastify
 * serves HTTPS with `requestCert: true`. The plugin's body parser stays inside its own scope.
 * Fastify's router is case-sensitive and sees the raw target, and the listener matches the
 * path exactly: `/WEBHOOKS/NETDATA`, dot segments and the absolute form are 404s.
 * Only types are imported from fastify: the package does not load it.
 */
export async function netdataWebhookFastify(
  app: FastifyInstance,
  options: NetdataEndpointOptions,
): Promise<void> {
  // Fastify hands a plugin its own register options too.
  const known = [...ENDPOINT_OPTION_NAMES, ...FASTIFY_REGISTER_OPTIONS];
  const resolved = resolveEndpointOptions(options, CALLER, known);
  const store = checkStore(options.store, CALLER);
  // Registered under a prefix, the routes below get it and so does the URL the listener sees.
  const listener = createNodeListener(
    { ...resolved, path: `${app.prefix}${resolved.path}` },
    store,
  );
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", (_request, _payload, done) => done(null, undefined));
  const handler = (request: FastifyRequest, reply: FastifyReply): void => {
    reply.hijack();
    listener(request.raw, reply.raw);
  };
  app.all(resolved.path, handler);
  app.all(`${resolved.path}/*`, handler);
}
