// Connections that never finish their TLS handshake are cut at the deadline and logged as one
// count per address per interval.
import * as net from "node:net";
import * as tls from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestReceiver, type TestReceiver } from "../helpers/receiver.js";

const IDLE = 5;
let receiver: TestReceiver;

beforeAll(async () => {
  receiver = await startTestReceiver({
    timeouts: { handshakeMs: 300, handshakeLogIntervalMs: 200 },
  });
});
afterAll(async () => {
  await receiver?.close();
});

/** A TCP connection from 127.0.0.2 that never sends a byte; resolves when the server closes it. */
function idleUntilClosed(): Promise<void> {
  return new Promise((resolve) => {
    const socket = net.connect({
      host: "127.0.0.1",
      port: receiver.handle.port,
      localAddress: "127.0.0.2",
    });
    socket.on("error", () => {});
    socket.on("close", () => resolve());
  });
}

describe("unfinished TLS handshakes", () => {
  it("are cut at the deadline and logged as one count for their address, not a line each", async () => {
    await Promise.all(Array.from({ length: IDLE }, idleUntilClosed));
    const line = await new Promise<Record<string, unknown>>((resolve) => {
      const poll = setInterval(() => {
        const found = receiver.logs.find("TLS handshakes failed")[0];
        if (found) {
          clearInterval(poll);
          resolve(found);
        }
      }, 50);
    });
    expect(line).toMatchObject({
      remote: "127.0.0.2",
      count: IDLE,
      reasons: { ERR_TLS_HANDSHAKE_TIMEOUT: IDLE },
    });
    expect(receiver.logs.lines.filter((l) => l.includes("TLS handshake")).length).toBe(1);
  });
});

describe("clients refused after their handshake", () => {
  /** A TLS client from 127.0.0.3 without a certificate; resolves when the server closes it. */
  const withoutCertificate = (): Promise<void> =>
    new Promise((resolve) => {
      // localAddress reaches the TCP connect, though tls's own types do not list it.
      const options = {
        host: "127.0.0.1",
        port: receiver.handle.port,
        localAddress: "127.0.0.3",
        rejectUnauthorized: false,
      };
      const socket = tls.connect(options as tls.ConnectionOptions);
      socket.on("error", () => {});
      socket.on("close", () => resolve());
    });

  it("log the first of a kind per address in full and count the rest, not a line each", async () => {
    const REFUSED = 12;
    for (let i = 0; i < REFUSED; i++) await withoutCertificate();
    const summary = await new Promise<Record<string, unknown>>((resolve) => {
      const poll = setInterval(() => {
        const found = receiver.logs
          .find("TLS clients refused before HTTP, again")
          .find((e) => e.remote === "127.0.0.3");
        if (found) {
          clearInterval(poll);
          resolve(found);
        }
      }, 50);
    });
    const full = receiver.logs
      .find("TLS client refused before HTTP")
      .filter((e) => e.remote === "127.0.0.3" && e.msg === "TLS client refused before HTTP");
    expect(full.length).toBeGreaterThanOrEqual(1);
    expect(full.length + Number(summary.count)).toBeGreaterThanOrEqual(REFUSED);
    expect(full.length).toBeLessThan(REFUSED / 2);
    expect(summary).toMatchObject({ codes: { no_certificate: expect.any(Number) } });
  });
});

describe("the connection limits behind a proxy", () => {
  /** Opens a connection from `localAddress`; resolves once it is open or already closed. */
  const connect = (port: number, localAddress: string): Promise<net.Socket> =>
    new Promise((resolve) => {
      const socket = net.connect({ host: "127.0.0.1", port, localAddress });
      socket.on("error", () => {});
      socket.once("connect", () => resolve(socket));
      socket.once("close", () => resolve(socket));
    });

  it("log each refusal as a count per address and cause: per address, and the server's own limit", async () => {
    const proxied = await startTestReceiver({ mode: "behind-proxy", maxConnections: 4 });
    const sockets: net.Socket[] = [];
    try {
      for (const address of ["127.0.0.1", "127.0.0.2", "127.0.0.3"]) {
        for (let i = 0; i < 3; i++) sockets.push(await connect(proxied.handle.port, address));
      }
      // Let the server see every connection before it is closed.
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      for (const socket of sockets) socket.destroy();
      await proxied.close();
    }
    const perAddress = proxied.logs.find(
      "connections refused: too many open connections from one address",
    );
    const full = proxied.logs.find("connections refused: the connection limit is reached");
    expect(perAddress).toContainEqual(
      expect.objectContaining({ remote: "127.0.0.1", count: 1, limit: 2 }),
    );
    expect(full).toContainEqual(
      expect.objectContaining({ remote: "127.0.0.3", count: 3, limit: 4 }),
    );
    // Nine connections, four slots: every refusal is counted once, under one cause.
    const refused = [...perAddress, ...full].reduce((sum, l) => sum + Number(l.count), 0);
    expect(refused).toBeGreaterThanOrEqual(5);
  });
});
