// The generated nginx config keeps its connections to the receiver open: several
// notifications, each on a new client connection to nginx, reach the receiver over one
// upstream connection.
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderProxyConfig } from "../../src/proxy/proxy-config.js";
import { netdataWebhookNode } from "../../src/receiver/adapters/node.js";
import { openStore } from "../../src/receiver/store.js";
import { pkiFile } from "../helpers/pki.js";
import { mtlsRequest, sharedTestPki } from "../helpers/receiver.js";
import { findServerBinary, type RunningServer, startNginx } from "../helpers/servers.js";

const nginx = findServerBinary("nginx");
const tokenBody = readFileSync(
  new URL("../fixtures/captured/netdata-token.json", import.meta.url),
  "utf8",
);
let pkiDir: string;
beforeAll(async () => {
  pkiDir = await sharedTestPki();
});
const store = openStore(":memory:");
afterAll(() => store.close());

describe.skipIf(nginx.skip)(`nginx in front of the receiver (${nginx.label})`, () => {
  it("reuses one upstream connection for successive notifications", async () => {
    let connections = 0;
    const receiver = createServer(
      netdataWebhookNode({ store, clientIdentity: "proxy-headers", logger: () => {} }),
    );
    receiver.on("connection", () => {
      connections += 1;
    });
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    const upstream = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
    let proxy: RunningServer | undefined;
    try {
      proxy = await startNginx((port) =>
        renderProxyConfig("nginx", {
          serverName: "localhost",
          cert: pkiFile(pkiDir, "server", "pem"),
          key: pkiFile(pkiDir, "server", "key"),
          clientCa: pkiFile(pkiDir, "ca", "pem"),
          upstream,
          listen: `127.0.0.1:${port}`,
        }),
      );
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) {
        const body = JSON.stringify({ ...JSON.parse(tokenBody), token: `keepalive-${i}` });
        const reply = await mtlsRequest({
          url: `https://127.0.0.1:${proxy.port}/webhooks/netdata`,
          pkiDir,
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body,
        });
        statuses.push(reply.status);
      }
      expect(statuses).toEqual([200, 200, 200, 200, 200]);
      expect(connections).toBe(1);
    } finally {
      await proxy?.stop();
      receiver.closeAllConnections();
      await new Promise<void>((resolve) => receiver.close(() => resolve()));
    }
  });
});
