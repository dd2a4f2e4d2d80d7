// The package root: the protocol, the node:http and fetch receivers, and the tools (verify,
// proxy configs, dev PKI). It loads no framework and no native addon; those sit behind their
// own subpaths: netdata-webhook-kit/express, /fastify, /sqlite (the store and forwarding
// outbox), /console. Each part here is also a subpath that loads only that part (/protocol,
// /node, /fetch, /verify, /proxy, /pki).
export * from "./exports/fetch.js";
export * from "./exports/node.js";
export * from "./exports/pki.js";
export * from "./exports/protocol.js";
export * from "./exports/proxy.js";
export * from "./exports/verify.js";
