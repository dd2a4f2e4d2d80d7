// The package root: what users call. Each part is also a subpath of its own
// (netdata-webhook-kit/receiver, /verify, /proxy, /pki) that loads only that part.
// The operator console is netdata-webhook-kit/console only: the root does not load it.
export * from "./exports/pki.js";
export * from "./exports/protocol.js";
export * from "./exports/proxy.js";
export * from "./exports/receiver.js";
export * from "./exports/verify.js";
