import { readFileSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import net, { type AddressInfo } from "node:net";
import { beforeAll, describe, expect, it } from "vitest";
import { verifyReceiver } from "../../src/simulator/run.js";
import { runCliCaptured } from "../helpers/cli.js";
import { pkiFile } from "../helpers/pki.js";
import { sharedTestPki } from "../helpers/receiver.js";

// The scheme of the URL does not match what the port speaks: verify and send name it.

let pkiDir: string;

beforeAll(async () => {
  pkiDir = await sharedTestPki();
});

async function withServer(server: net.Server, test: (port: number) => Promise<void>) {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    await test((server.address() as AddressInfo).port);
  } finally {
    for (const s of [server]) if (s instanceof http.Server) s.closeAllConnections();
    server.close();
  }
}

/** Like Python's http.server: reads a request line up to its newline, then answers HTTP. */
function lineReadingHttpServer(): net.Server {
  return net.createServer((socket) => {
    let seen = "";
    socket.on("data", (chunk: Buffer) => {
      seen += chunk.toString("latin1");
      if (seen.includes("\r\n\r\n"))
        socket.end("HTTP/1.0 404 Not Found\r\nContent-Length: 0\r\n\r\n");
    });
    socket.on("error", () => {});
  });
}

describe("an https:// URL on a plain-HTTP port", () => {
  it("says the port speaks plain HTTP, for a Node http server", async () => {
    await withServer(
      http.createServer((_req, res) => res.end()),
      async (port) => {
        const report = await verifyReceiver({
          url: `https://127.0.0.1:${port}/netdata`,
          only: ["auth"],
        });
        expect(report.baseline.diagnosis?.cause).toMatch(
          /this port speaks plain HTTP: use http:\/\/ \(with --allow-http, and --proxy-headers/,
        );
        expect(report.baseline.diagnosis?.fix).toContain(`http://127.0.0.1:${port}/netdata`);
        expect(report.exitCode).toBe(1);
      },
    );
  });

  it("says so for a server that waits for a request line the ClientHello never ends", async () => {
    await withServer(lineReadingHttpServer(), async (port) => {
      const report = await verifyReceiver({
        url: `https://127.0.0.1:${port}/netdata`,
        timeoutMs: 500,
        only: ["auth"],
      });
      expect(report.baseline.diagnosis?.cause).toMatch(/this port speaks plain HTTP/);
    });
  });

  it("gives the same hint in send", async () => {
    await withServer(
      http.createServer((_req, res) => res.end()),
      async (port) => {
        const run = await runCliCaptured(["send", `https://127.0.0.1:${port}/netdata`]);
        expect(run.stdout + run.stderr).toMatch(/this port speaks plain HTTP: use http:\/\//);
        expect(run.code).toBe(1);
      },
    );
  });
});

describe("an http:// URL on a TLS port", () => {
  it("says the port speaks TLS", async () => {
    const read = (name: "server" | "ca", ext: "pem" | "key") =>
      readFileSync(pkiFile(pkiDir, name, ext));
    await withServer(
      https.createServer({ key: read("server", "key"), cert: read("server", "pem") }, (_req, res) =>
        res.end(),
      ),
      async (port) => {
        const report = await verifyReceiver({
          url: `http://127.0.0.1:${port}/netdata`,
          allowHttp: true,
          only: ["auth"],
        });
        expect(report.baseline.diagnosis?.cause).toMatch(/this port speaks TLS: use https:\/\//);
        expect(report.baseline.diagnosis?.fix).toContain(`https://127.0.0.1:${port}/netdata`);
      },
    );
  });
});
