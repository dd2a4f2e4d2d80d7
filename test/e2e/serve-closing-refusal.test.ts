// The real `serve` process over real TLS sockets: after a refusal that closes the connection
// nothing more is read, and `Expect: 100-continue` gets the auth decision before any 100.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore } from "../../src/receiver/store.js";
import {
  rawExchange,
  rawRequest,
  type ServeProcess,
  sharedTestPki,
  spawnServe,
  TEST_SECRETS,
} from "../helpers/receiver.js";

let dir: string;
let pkiDir: string;
let serve: ServeProcess;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "ndwk-closing-"));
  pkiDir = await sharedTestPki();
  writeFileSync(join(dir, "token.txt"), `${TEST_SECRETS.bearerToken}\n`, { mode: 0o600 });
  serve = await spawnServe(
    ["--dev", "--pki", pkiDir, "--port", "0", "--db", "inbox.db", "--auth", "bearer"].concat([
      "--bearer-token-file",
      "token.txt",
    ]),
    { cwd: dir },
  );
});
afterAll(async () => {
  serve?.child.kill("SIGTERM");
  await serve?.exited;
  rmSync(dir, { recursive: true, force: true });
});

const body = (token: string) => JSON.stringify({ message: "m", title: "Test Notification", token });
const JSON_TYPE = ["Content-Type", "application/json"] as const;
const GOOD_AUTH = ["Authorization", `Bearer ${TEST_SECRETS.bearerToken}`] as const;

async function storedTokens(): Promise<Array<string | null>> {
  const store = openStore(join(dir, "inbox.db"), { readonly: true });
  try {
    return (await store.list()).map((n) => n.token);
  } finally {
    await store.close();
  }
}

describe("serve after a closing refusal", () => {
  it("neither processes nor answers a request pipelined behind a 401 with Connection: close", async () => {
    const refused = rawRequest({
      body: body("refused"),
      headers: [["Connection", "keep-alive"], JSON_TYPE, ["Authorization", "Bearer wrong"]],
    }).toString("latin1");
    // rawRequest adds "Connection: close"; the first request must keep the connection open.
    const first = Buffer.from(refused.replace("Connection: close\r\n", ""), "latin1");
    const second = rawRequest({ body: body("pipelined"), headers: [JSON_TYPE, GOOD_AUTH] });
    const result = await rawExchange({
      port: serve.port,
      pkiDir,
      drive: (socket) => {
        socket.write(Buffer.concat([first, second]));
      },
    });
    expect(result.status).toBe(401);
    expect(result.raw.match(/^HTTP\/1\.1 /gm)).toHaveLength(1);
    expect(await storedTokens()).not.toContain("pipelined");
  });
});

describe("serve with Expect: 100-continue", () => {
  it("answers a refused request with its 401 and never with 100 Continue", async () => {
    const result = await rawExchange({
      port: serve.port,
      pkiDir,
      drive: (socket) => {
        // Headers only: a client that expects 100 waits before sending the body.
        const head = rawRequest({
          body: body("expect-refused"),
          headers: [JSON_TYPE, ["Authorization", "Bearer wrong"], ["Expect", "100-continue"]],
        }).toString("latin1");
        socket.write(head.slice(0, head.indexOf("\r\n\r\n") + 4), "latin1");
      },
    });
    expect(result.status).toBe(401);
    expect(result.raw).not.toContain("100 Continue");
  });

  it("answers a body declared over the limit with 413 and never with 100 Continue", async () => {
    const result = await rawExchange({
      port: serve.port,
      pkiDir,
      drive: (socket) => {
        const head = rawRequest({
          headers: [
            JSON_TYPE,
            GOOD_AUTH,
            ["Expect", "100-continue"],
            ["Content-Length", "10000000"],
          ],
        }).toString("latin1");
        socket.write(head, "latin1");
      },
    });
    expect(result.status).toBe(413);
    expect(result.raw).not.toContain("100 Continue");
  });

  it("sends 100 Continue once the checks pass, then stores the body", async () => {
    const payload = body("expect-accepted");
    const request = rawRequest({
      body: payload,
      headers: [JSON_TYPE, GOOD_AUTH, ["Expect", "100-continue"]],
    }).toString("latin1");
    const head = request.slice(0, request.indexOf("\r\n\r\n") + 4);
    const result = await rawExchange({
      port: serve.port,
      pkiDir,
      drive: (socket) =>
        new Promise<void>((resolve) => {
          socket.once("data", (chunk: Buffer) => {
            expect(chunk.toString("latin1")).toMatch(/^HTTP\/1\.1 100 Continue\r\n/);
            socket.write(payload);
            resolve();
          });
          socket.write(head, "latin1");
        }),
    });
    expect(result.raw).toMatch(/^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200 /);
    expect(await storedTokens()).toContain("expect-accepted");
  });
});
