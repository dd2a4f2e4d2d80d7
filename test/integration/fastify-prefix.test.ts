// The Fastify plugin registered under a prefix serves the webhook at prefix + path, as
// Fastify routes it, and nowhere else.
import Fastify from "fastify";
import { afterAll, describe, expect, it } from "vitest";
import { netdataWebhookFastify } from "../../src/exports/fastify.js";
import { openStore } from "../../src/exports/sqlite.js";

const store = openStore(":memory:");
afterAll(() => store.close());

async function post(base: string, path: string, token: string): Promise<number> {
  const response = await fetch(`${base}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ message: "m", title: "Test Notification", token }),
  });
  await response.arrayBuffer();
  return response.status;
}

describe("netdataWebhookFastify under a prefix", () => {
  it.each([
    [{ prefix: "/p" }, "/p/webhooks/netdata", "/webhooks/netdata"],
    [{ prefix: "/webhooks", path: "/netdata" }, "/webhooks/netdata", "/netdata"],
    [{ prefix: "/a/b", path: "/hook" }, "/a/b/hook", "/hook"],
  ])("with %j answers at %s and 404 at %s", async (options, served, other) => {
    const app = Fastify();
    try {
      await app.register(netdataWebhookFastify, { store, clientIdentity: "none", ...options });
      const base = await app.listen({ port: 0, host: "127.0.0.1" });
      expect(await post(base, served, `t-${served}`)).toBe(200);
      expect(await post(base, other, `u-${served}`)).toBe(404);
    } finally {
      await app.close();
    }
  });
});
