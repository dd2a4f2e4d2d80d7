import type { Server } from "node:net";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createReceiverApp } from "../../src/receiver/app.js";
import { startReceiver } from "../../src/receiver/server.js";
import { type ReceiverOptions, resolveServerOptions } from "../../src/receiver/server-options.js";
import { openStore } from "../../src/receiver/store.js";
import { rawExchange, rawRequest, sharedTestPki, startTestReceiver } from "../helpers/receiver.js";

describe("startReceiver and createReceiverApp validate their options once, naming the option", () => {
  const store = openStore(":memory:");

  it.each([
    [
      { port: 70000 },
      "startReceiver: port: out of range: 70000. Pass a whole number from 0 to 65535.",
    ],
    [{ port: 0 }, "startReceiver: tls: direct mode needs { cert, key, ca }"],
    [
      { port: 0, tls: { cert: "/nope.pem", key: "k", ca: "c" } },
      'startReceiver: tls.cert: failed to read "/nope.pem": ENOENT',
    ],
    [
      { port: 0, mode: "behind-proxy", timeouts: { headersMs: 5000, requestMs: 1000 } },
      "timeouts.headersMs: (5000) must not exceed timeouts.requestMs (1000)",
    ],
    [
      { port: 0, mode: "behind-proxy", timeouts: { handshakeMs: 0 } },
      "timeouts.handshakeMs: expected a positive integer, got 0",
    ],
    [
      { port: 0, mode: "behind-proxy", host: "" },
      'startReceiver: host: expected an address such as "127.0.0.1"',
    ],
    [
      {
        port: 0,
        mode: "behind-proxy",
        store: undefined,
        db: "postgres://receiver@127.0.0.1/netdata",
      },
      "startReceiver: db: is a PostgreSQL URL, and db is a SQLite file",
    ],
  ] as const)("startReceiver(%j) throws %s", async (options, message) => {
    await expect(
      startReceiver({ store, logger: () => {}, ...options } as ReceiverOptions),
    ).rejects.toThrow(message);
  });

  it.each([
    [
      { mode: "tunnel" },
      'createReceiverApp: mode: expected "direct" or "behind-proxy", got "tunnel"',
    ],
    [{ path: "/hooks/:id" }, "createReceiverApp: path: expected a path such as"],
    [
      { clientIdentity: "header" },
      'createReceiverApp: clientIdentity: expected "tls", "proxy-headers" or "none", got "header"',
    ],
    [{ challengeSecret: "" }, "createReceiverApp: challengeSecret: expected a non-empty string"],
    [
      { auth: { scheme: "basic", username: "a:b", password: "p" } },
      "createReceiverApp: auth: basic user must not contain ':'",
    ],
    [
      { store: {} },
      "createReceiverApp: store: expected an object with an insert(notification, key, meta) method",
    ],
  ])("createReceiverApp(%j) throws a TypeError: %s", (options, message) => {
    const build = () => createReceiverApp({ store, ...(options as object) });
    expect(build).toThrow(TypeError);
    expect(build).toThrow(message);
  });

  it("defaults to 8443 direct, and to 127.0.0.1:8080 behind a proxy (where `proxy` forwards)", async () => {
    expect(resolveServerOptions({ mode: "behind-proxy" })).toMatchObject({
      host: "127.0.0.1",
      port: 8080,
    });
    const pki = await sharedTestPki();
    const tls = {
      cert: join(pki, "server.pem"),
      key: join(pki, "server.key"),
      ca: join(pki, "ca.pem"),
    };
    expect(resolveServerOptions({ tls })).toMatchObject({ host: undefined, port: 8443 });
  });

  it("says why it could not listen", async () => {
    const first = await startReceiver({ store, mode: "behind-proxy", port: 0, logger: () => {} });
    try {
      await expect(
        startReceiver({ store, mode: "behind-proxy", port: first.port, logger: () => {} }),
      ).rejects.toThrow(
        /failed to listen on 127\.0\.0\.1:\d+: listen EADDRINUSE.*Another process uses that port/,
      );
    } finally {
      await first.close();
    }
  });
});

/** Waits until the server counts `n` open connections (closes are noticed asynchronously). */
async function waitForConnections(server: Server, n: number): Promise<void> {
  for (let i = 0; i < 50; i++) {
    const open = await new Promise<number>((resolve) =>
      server.getConnections((_e, count) => resolve(count)),
    );
    if (open === n) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`the server still has connections other than ${n}`);
}

describe("the connection cap", () => {
  it("drops connections beyond maxConnections and serves again once they close", async () => {
    const receiver = await startTestReceiver({ maxConnections: 2 });
    const pkiDir = await sharedTestPki();
    const hold = () => {
      let release = (): void => {};
      const released = new Promise<void>((resolve) => {
        release = resolve;
      });
      const exchange = rawExchange({
        port: receiver.handle.port,
        pkiDir,
        drive: (socket) => released.then(() => void socket.destroy()),
        timeoutMs: 5000,
      });
      return { exchange, release };
    };
    try {
      const held = [hold(), hold()];
      await new Promise((resolve) => setTimeout(resolve, 300));
      const third = await rawExchange({
        port: receiver.handle.port,
        pkiDir,
        drive: () => {},
        timeoutMs: 3000,
      });
      expect(third.timedOut).toBe(false);
      expect(third.closedAfterMs).toBeLessThan(1000);
      for (const h of held) h.release();
      await Promise.all(held.map((h) => h.exchange));
      await waitForConnections(receiver.handle.server, 0);
      const after = await rawExchange({
        port: receiver.handle.port,
        pkiDir,
        drive: (socket) =>
          void socket.write(rawRequest({ method: "GET", path: "/", contentLength: false })),
      });
      expect(after.status).toBe(404);
    } finally {
      await receiver.close();
    }
  });
});
