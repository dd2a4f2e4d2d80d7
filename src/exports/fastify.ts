// netdata-webhook-kit/fastify: the receiver as a Fastify 5 plugin. Fastify is a peer
// dependency; only its types are imported here.
export { netdataWebhookFastify } from "../receiver/adapters/fastify.js";
export { netdataCheckContinue } from "../receiver/expect-continue.js";
export type { NetdataEndpointOptions } from "../receiver/options.js";
