import { readFileSync } from "node:fs";
import https from "node:https";
import { type AddressInfo, createServer, type Server } from "node:net";
import tls from "node:tls";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { type Connection, sendRequest } from "../../src/simulator/http-client.js";
import { isRefusal } from "../../src/simulator/outcome-classify.js";
import { pkiFile } from "../helpers/pki.js";
import { sharedTestPki } from "../helpers/receiver.js";

let pkiDir: string;
let server: Server | undefined;

beforeAll(async () => {
  pkiDir = await sharedTestPki();
});

afterEach(async () => {
  const s = server;
  server = undefined;
  if (s) await new Promise((resolve) => s.close(resolve));
});

const serverTls = () => ({
  key: readFileSync(pkiFile(pkiDir, "server", "key")),
  cert: readFileSync(pkiFile(pkiDir, "server", "pem")),
});

async function listen(s: Server): Promise<Connection> {
  server = s;
  await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve));
  const { port } = s.address() as AddressInfo;
  return {
    url: new URL(`https://127.0.0.1:${port}/hook`),
    serverCa: readFileSync(pkiFile(pkiDir, "ca", "pem"), "utf8"),
    insecure: false,
  };
}

describe("the verify HTTP client", () => {
  it("gives up on a server that accepts TCP and never starts TLS, within the timeout", async () => {
    const sockets: import("node:net").Socket[] = [];
    const connection = await listen(createServer((socket) => sockets.push(socket)));
    const outcome = await sendRequest(connection, { method: "GET", timeoutMs: 300 });
    for (const s of sockets) s.destroy();
    expect(outcome).toMatchObject({ kind: "timeout", stage: "handshake" });
    expect(outcome.latencyMs).toBeLessThan(1500);
  });

  it("gives up on a server that completes TLS and never answers HTTP", async () => {
    const sockets: tls.TLSSocket[] = [];
    const connection = await listen(
      tls.createServer(serverTls(), (socket) => sockets.push(socket)),
    );
    const outcome = await sendRequest(connection, { method: "POST", body: "{}", timeoutMs: 300 });
    for (const s of sockets) s.destroy();
    expect(outcome).toMatchObject({
      kind: "timeout",
      stage: "request",
      tls: { protocol: "TLSv1.3" },
    });
  });

  it("counts a connection closed right after the TLS 1.3 handshake as a refusal", async () => {
    const connection = await listen(tls.createServer(serverTls(), (socket) => socket.destroy()));
    const outcome = await sendRequest(connection, { method: "POST", body: "{}", timeoutMs: 2000 });
    expect(outcome).toMatchObject({ kind: "refused", stage: "request" });
    expect(isRefusal(outcome)).toBe(true);
  });

  it("reports a 413 sent while the body is still uploading, not the broken pipe after it", async () => {
    const s = https.createServer(serverTls(), (_req, res) => {
      res.writeHead(413, { connection: "close" });
      res.end('{"error":"too large"}');
    });
    const connection = await listen(s);
    const outcome = await sendRequest(connection, {
      method: "POST",
      body: "x".repeat(4 * 1024 * 1024),
      timeoutMs: 3000,
    });
    s.closeAllConnections();
    expect(isRefusal(outcome)).toBe(true);
    if (outcome.kind === "response") expect(outcome.status).toBe(413);
  });

  it("names a server certificate that is not trusted", async () => {
    const connection = await listen(https.createServer(serverTls(), (_req, res) => res.end()));
    const { serverCa: _, ...untrusting } = connection;
    const outcome = await sendRequest(untrusting, { method: "GET", timeoutMs: 2000 });
    expect(outcome.kind).toBe("server-certificate-rejected");
    (server as https.Server).closeAllConnections();
  });
});
