// Connections that never finish their TLS handshake are cut at the deadline and logged as one
// count per address per interval.
import * as net from "node:net";
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
