import { createServer } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderProxyConfig } from "../../src/proxy/proxy-config.js";
import { verifyReceiver } from "../../src/simulator/run.js";
import type { VerifyOptions } from "../../src/simulator/types.js";
import { pkiFile } from "../helpers/pki.js";
import { sharedTestPki } from "../helpers/receiver.js";
import {
  findServerBinary,
  type RunningServer,
  startApache,
  startNginx,
} from "../helpers/servers.js";

// A proxy in front answers for itself when it refuses a client or cannot reach the receiver:
// verify names such an answer as the proxy's, with the proxy's fix, not the receiver's.

const NGINX = findServerBinary("nginx");
const APACHE = findServerBinary("apache2");

let pkiDir: string;
let upstream: string;

/** A loopback port nobody listens on: bound, then released. */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

beforeAll(async () => {
  pkiDir = await sharedTestPki();
  upstream = `http://127.0.0.1:${await closedPort()}`;
});

const site = (server: "nginx" | "apache") => (port: number) =>
  renderProxyConfig(server, {
    serverName: "localhost",
    cert: pkiFile(pkiDir, "server", "pem"),
    key: pkiFile(pkiDir, "server", "key"),
    clientCa: pkiFile(pkiDir, "ca", "pem"),
    upstream,
    listen: `127.0.0.1:${port}`,
  });

const options = (proxy: RunningServer, extra: Partial<VerifyOptions> = {}): VerifyOptions => ({
  url: `https://127.0.0.1:${proxy.port}/webhooks/netdata`,
  serverCa: pkiFile(pkiDir, "ca", "pem"),
  auth: { scheme: "bearer", token: "proxy-answers-token" },
  challengeSecret: "proxy-answers-secret",
  only: ["auth"],
  ...extra,
});

describe.skipIf(NGINX.skip)(`nginx's own answers (${NGINX.label})`, () => {
  let proxy: RunningServer;
  beforeAll(async () => {
    proxy = await startNginx(site("nginx"));
  });
  afterAll(async () => {
    await proxy?.stop();
  });

  it("reads 400 'No required SSL certificate was sent' as nginx asking for a client certificate: --pki", async () => {
    const report = await verifyReceiver(options(proxy));
    expect(report.baseline.diagnosis?.cause).toMatch(/nginx/);
    expect(report.baseline.diagnosis?.cause).toMatch(/client certificate/);
    expect(report.baseline.diagnosis?.fix).toContain("--pki");
    expect(report.baseline.diagnosis?.fix).not.toMatch(/Accept notifications/);
  });

  it("reads a 502 as nginx failing to reach the receiver behind it", async () => {
    const report = await verifyReceiver(options(proxy, { pkiDir }));
    expect(report.baseline.diagnosis?.cause).toMatch(/nginx.*(502|upstream)/);
    expect(report.baseline.diagnosis?.fix).toMatch(/--upstream/);
    expect(report.baseline.diagnosis?.fix).not.toMatch(/read the receiver's log/i);
  });
});

describe.skipIf(APACHE.skip)(`Apache's own answers (${APACHE.label})`, () => {
  let proxy: RunningServer;
  beforeAll(async () => {
    proxy = await startApache(site("apache"));
  });
  afterAll(async () => {
    await proxy?.stop();
  });

  it("reads a 503 error page as Apache failing to reach the receiver behind it", async () => {
    const report = await verifyReceiver(options(proxy, { pkiDir }));
    expect(report.baseline.diagnosis?.cause).toMatch(/Apache.*(503|upstream)/);
    expect(report.baseline.diagnosis?.fix).toMatch(/--upstream/);
  });
});
