import { readFileSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import type { TLSSocket } from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyReceiver } from "../../src/simulator/run.js";
import { pkiFile } from "../helpers/pki.js";
import { sharedTestPki } from "../helpers/receiver.js";

// Receivers that refuse the client identity with a plain 403 (no TLS alert, no word about
// certificates or proxies in the body): the baseline must blame the identity, not credentials.

let pkiDir: string;
let direct: { url: string; server: https.Server };
let behindProxy: { url: string; server: http.Server };

const forbidden = (res: http.ServerResponse) => {
  res.writeHead(403, { "content-type": "application/json" });
  res.end('{"error":"forbidden"}');
};

async function listen<S extends http.Server>(server: S, scheme: string) {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, url: `${scheme}://127.0.0.1:${(server.address() as AddressInfo).port}/netdata` };
}

beforeAll(async () => {
  pkiDir = await sharedTestPki();
  const read = (name: Parameters<typeof pkiFile>[1], ext: "pem" | "key") =>
    readFileSync(pkiFile(pkiDir, name, ext));
  direct = await listen(
    https.createServer(
      {
        key: read("server", "key"),
        cert: read("server", "pem"),
        ca: read("ca", "pem"),
        requestCert: true,
        rejectUnauthorized: false,
      },
      (req, res) => {
        req.resume();
        const socket = req.socket as TLSSocket;
        const cn: unknown = socket.getPeerCertificate().subject?.CN;
        if (!socket.authorized || cn !== "app.netdata.cloud") return forbidden(res);
        res.end("{}");
      },
    ),
    "https",
  );
  behindProxy = await listen(
    http.createServer((req, res) => {
      req.resume();
      if (req.headers["x-client-verify"] !== "SUCCESS") return forbidden(res);
      res.end("{}");
    }),
    "http",
  );
});

afterAll(() => {
  direct.server.closeAllConnections();
  direct.server.close();
  behindProxy.server.closeAllConnections();
  behindProxy.server.close();
});

const serverCa = () => pkiFile(pkiDir, "ca", "pem");

describe("a 403 to the baseline names the identity verify presented", () => {
  it("says no client certificate was sent and points to --pki", async () => {
    const report = await verifyReceiver({ url: direct.url, serverCa: serverCa(), only: ["auth"] });
    expect(report.baseline.diagnosis?.cause).toMatch(
      /^HTTP 403 .*forbidden.*: verify sent no client certificate/,
    );
    expect(report.baseline.diagnosis?.fix).toMatch(/--pki DIR/);
  });

  it("says the certificate may be refused when one was sent, and points to the PKI and CN", async () => {
    const report = await verifyReceiver({
      url: direct.url,
      serverCa: serverCa(),
      clientCert: pkiFile(pkiDir, "client-untrusted", "pem"),
      clientKey: pkiFile(pkiDir, "client-untrusted", "key"),
      only: ["auth"],
    });
    expect(report.baseline.diagnosis?.cause).toMatch(
      /^HTTP 403 .*: the receiver may refuse the client certificate \S*client-untrusted\.pem/,
    );
    expect(report.baseline.diagnosis?.fix).toMatch(/--pki DIR.*CN app\.netdata\.cloud/);
  });

  it("points to --proxy-headers for a plain-HTTP app that got none", async () => {
    const report = await verifyReceiver({ url: behindProxy.url, allowHttp: true, only: ["auth"] });
    expect(report.baseline.diagnosis?.cause).toMatch(/^HTTP 403 .*: verify sent no proxy headers/);
    expect(report.baseline.diagnosis?.fix).toMatch(/--proxy-headers/);
  });
});

describe("a 401 stays a credentials refusal", () => {
  it("names the flags of the scheme the receiver wants, and only those", async () => {
    const basic = await listen(
      http.createServer((req, res) => {
        req.resume();
        res.writeHead(401, { "www-authenticate": 'Basic realm="netdata"' });
        res.end();
      }),
      "http",
    );
    try {
      const report = await verifyReceiver({
        url: basic.url,
        allowHttp: true,
        auth: { scheme: "bearer", token: "a-token" },
        only: ["auth"],
      });
      expect(report.baseline.diagnosis?.cause).toMatch(
        /^credentials refused: HTTP 401.*wants Basic/,
      );
      expect(report.baseline.diagnosis?.fix).toBe(
        "Pass the receiver's Basic credentials: --auth basic --basic-user U --basic-password-file F.",
      );
    } finally {
      basic.server.close();
    }
  });
});
