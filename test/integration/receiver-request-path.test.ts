// The webhook path is matched exactly, and log lines show the path the client asked for.
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isExactWebhookPath, requestedPath } from "../../src/receiver/webhook-path.js";
import {
  rawExchange,
  rawRequest,
  startTestReceiver,
  type TestReceiver,
} from "../helpers/receiver.js";

const VALID = readFileSync(
  new URL("../fixtures/captured/netdata-token.json", import.meta.url),
  "utf8",
);
let receiver: TestReceiver;

beforeAll(async () => {
  receiver = await startTestReceiver();
});
afterAll(async () => {
  await receiver?.close();
});

function postTo(path: string) {
  return rawExchange({
    port: receiver.handle.port,
    pkiDir: receiver.pkiDir,
    drive: (socket) => {
      socket.write(
        rawRequest({ path, body: VALID, headers: [["Content-Type", "application/json"]] }),
      );
    },
  });
}

describe("the webhook path", () => {
  it.each([
    "/WEBHOOKS/NETDATA",
    "/webhooks/netdata/",
    "/webhooks/netdata//",
    "//webhooks/netdata",
    "http://evil.example/webhooks/netdata",
  ])("answers 404 to %s, stores nothing and logs the path as requested", async (path) => {
    const before = await receiver.handle.store.count();
    const result = await postTo(path);
    expect(result.status).toBe(404);
    expect(await receiver.handle.store.count()).toBe(before);
    expect(receiver.logs.find("request refused").at(-1)).toMatchObject({ status: 404, path });
  });

  it("serves the exact path, with or without a query string", async () => {
    expect((await postTo("/webhooks/netdata")).status).toBe(200);
    expect((await postTo("/webhooks/netdata?x=1")).status).toBe(200);
  });
});

describe("webhook path helpers", () => {
  it("compare the raw request-target's path without normalising it", () => {
    expect(isExactWebhookPath("/webhooks/netdata?crc_token=a", "/webhooks/netdata")).toBe(true);
    expect(isExactWebhookPath("/webhooks/netdata/", "/webhooks/netdata")).toBe(false);
    expect(requestedPath("/a/b?secret=1")).toBe("/a/b");
    expect(requestedPath(`/${"x".repeat(500)}`)).toHaveLength(203);
  });
});
