// Connections that never finish their TLS handshake are cut at the deadline and logged as one
// count per address per interval.
import * as net from "node:net";
import * as tls from "node:tls";
import { describe, expect, it } from "vitest";
import { startTestReceiver } from "../helpers/receiver.js";

const IDLE = 5;

/** A TCP connection from 127.0.0.2 that never sends a byte; resolves when the server closes it. */
function idleUntilClosed(port: number): Promise<void> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port, localAddress: "127.0.0.2" });
    socket.on("error", () => {});
    socket.on("close", () => resolve());
  });
}

describe("unfinished TLS handshakes", () => {
  it("are cut at the deadline and logged as one count for their address, not a line each", async () => {
    // One interval longer than the test: the counts come out when the receiver stops.
    const receiver = await startTestReceiver({
      timeouts: { handshakeMs: 300, handshakeLogIntervalMs: 600_000 },
    });
    try {
      await Promise.all(Array.from({ length: IDLE }, () => idleUntilClosed(receiver.handle.port)));
    } finally {
      await receiver.close();
    }
    const lines = receiver.logs.find("TLS handshakes failed");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      remote: "127.0.0.2",
      count: IDLE,
      reasons: { ERR_TLS_HANDSHAKE_TIMEOUT: IDLE },
    });
    expect(receiver.logs.lines.filter((l) => l.includes("TLS handshake")).length).toBe(1);
  });

  it("are logged by the interval's timer while the receiver runs", async () => {
    const receiver = await startTestReceiver({
      timeouts: { handshakeMs: 300, handshakeLogIntervalMs: 200 },
    });
    try {
      await idleUntilClosed(receiver.handle.port);
      await new Promise<void>((resolve) => {
        const poll = setInterval(() => {
          if (receiver.logs.find("TLS handshakes failed").length === 0) return;
          clearInterval(poll);
          resolve();
        }, 50);
      });
      expect(receiver.logs.find("TLS handshakes failed")[0]).toMatchObject({ remote: "127.0.0.2" });
    } finally {
      await receiver.close();
    }
  });
});

describe("clients refused after their handshake", () => {
  /** A TLS client from 127.0.0.3 without a certificate; resolves when the server closes it. */
  const withoutCertificate = (port: number): Promise<void> =>
    new Promise((resolve) => {
      // localAddress reaches the TCP connect, though tls's own types do not list it.
      const options = {
        host: "127.0.0.1",
        port,
        localAddress: "127.0.0.3",
        rejectUnauthorized: false,
      };
      const socket = tls.connect(options as tls.ConnectionOptions);
      socket.on("error", () => {});
      socket.on("close", () => resolve());
    });

  it("log the first of a kind per address in full and count the rest, not a line each", async () => {
    const REFUSED = 12;
    // One interval longer than the test: the counts come out when the receiver stops.
    const own = await startTestReceiver({ timeouts: { handshakeLogIntervalMs: 600_000 } });
    try {
      // The server logs each refusal before it closes the connection.
      for (let i = 0; i < REFUSED; i++) await withoutCertificate(own.handle.port);
    } finally {
      await own.close();
    }
    const mine = (e: Record<string, unknown>) => e.remote === "127.0.0.3";
    const full = own.logs.find("TLS client refused before HTTP").filter(mine);
    const again = own.logs.find("TLS clients refused before HTTP, again").filter(mine);
    expect(full.filter((e) => e.msg === "TLS client refused before HTTP")).toHaveLength(1);
    expect(again).toHaveLength(1);
    expect(again[0]).toMatchObject({ count: REFUSED - 1, codes: { no_certificate: REFUSED - 1 } });
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
