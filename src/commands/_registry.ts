import type { Command } from "./_command.js";

interface Entry {
  summary: string;
  load: () => Promise<Command>;
}

/**
 * Every subcommand, loaded only when it runs so `--help` stays fast. Summaries live here
 * (not in the command files) for the same reason; a test checks they match.
 */
export const COMMANDS: Record<string, Entry> = {
  demo: {
    summary: "start a receiver with a test PKI and verify it end to end (what npm start runs)",
    load: async () => (await import("./demo.js")).demoCommand,
  },
  serve: {
    summary: "run the reference receiver (mTLS, CRC, auth, durable SQLite inbox)",
    load: async () => (await import("./serve.js")).serveCommand,
  },
  inbox: {
    summary: "list notifications stored by the receiver, or the latest test token",
    load: async () => (await import("./inbox.js")).inboxCommand,
  },
  verify: {
    summary: "play Netdata Cloud against a receiver URL and report conformance",
    load: async () => (await import("./verify.js")).verifyCommand,
  },
  send: {
    summary: "send one (or many) notifications to a receiver",
    load: async () => (await import("./send.js")).sendCommand,
  },
  proxy: {
    summary: "print an nginx or Apache config that verifies Netdata's client certificate",
    load: async () => (await import("./proxy.js")).proxyCommand,
  },
  init: {
    summary: "create a new receiver project from a template",
    load: async () => (await import("./init.js")).initCommand,
  },
  certs: {
    summary: "write a development PKI (test CA, server and client certificates)",
    load: async () => (await import("./certs.js")).certsCommand,
  },
  crc: {
    summary: "print the answer to a legacy crc_token challenge",
    load: async () => (await import("./crc.js")).crcCommand,
  },
};
