import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import * as net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore } from "../../src/receiver/store.js";
import {
  leakedSecrets,
  rawExchange,
  rawRequest,
  type ServeProcess,
  sharedTestPki,
  spawnServe,
  TEST_SECRETS,
} from "../helpers/receiver.js";

const TOKEN_BODY = readFileSync(
  new URL("../fixtures/captured/netdata-token.json", import.meta.url),
  "utf8",
);

let dir: string;
let pkiDir: string;
let serve: ServeProcess | undefined;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "ndwk-shutdown-"));
  pkiDir = await sharedTestPki();
});
afterAll(() => {
  serve?.child.kill("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
});

/** Resolves when a TCP connection to the port is refused. */
function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(false);
    });
    socket.once("error", (error: NodeJS.ErrnoException) => resolve(error.code === "ECONNREFUSED"));
  });
}

describe("graceful shutdown", () => {
  it("answers an in-flight request with 200 after SIGTERM, refuses new connections, then exits 0", async () => {
    serve = await spawnServe(
      ["--dev", "--pki", pkiDir, "--port", "0", "--db", join(dir, "inbox.db"), "--auth", "bearer"],
      {
        cwd: dir,
        env: {
          NETDATA_BEARER_TOKEN: TEST_SECRETS.bearerToken,
          NETDATA_CHALLENGE_SECRET: TEST_SECRETS.challengeSecret,
        },
      },
    );
    const running = serve;
    const request = rawRequest({
      headers: [
        ["Content-Type", "application/json"],
        ["Authorization", `Bearer ${TEST_SECRETS.bearerToken}`],
      ],
      body: TOKEN_BODY,
    });
    const half = request.length - 20;
    let refusedWhileStopping: boolean | undefined;
    const inFlight = rawExchange({
      port: running.port,
      pkiDir,
      drive: async (socket) => {
        socket.write(request.subarray(0, half));
        await sleep(300); // the server has the headers and part of the body
        running.child.kill("SIGTERM");
        await sleep(300);
        refusedWhileStopping = await refused(running.port);
        socket.write(request.subarray(half));
      },
    });
    const reply = await inFlight;
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.body)).toMatchObject({ status: "accepted", kind: "test" });
    expect(refusedWhileStopping).toBe(true);
    expect(await running.exited).toBe(0);

    const { stdout, stderr } = running.output();
    const messages = stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line).msg);
    expect(messages.at(-1)).toBe("receiver stopped");
    const stopping = messages.indexOf("received SIGTERM; shutting down");
    expect(stopping).toBeGreaterThan(-1);
    expect(stopping).toBeLessThan(messages.indexOf("notification stored"));
    expect(leakedSecrets([stdout, stderr])).toEqual([]);

    const store = openStore(join(dir, "inbox.db"), { readonly: true });
    expect(await store.count()).toBe(1);
    await store.close();
  });
});
