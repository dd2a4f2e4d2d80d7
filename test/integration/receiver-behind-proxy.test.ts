import { readFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ReceiverHandle, startReceiver } from "../../src/receiver/server.js";
import { openStore } from "../../src/receiver/store.js";
import { captureLogs } from "../helpers/receiver.js";

const tokenBody = readFileSync(
  new URL("../fixtures/captured/netdata-token.json", import.meta.url),
  "utf8",
);
const logs = captureLogs();
let receiver: ReceiverHandle;

beforeAll(async () => {
  // No host given: behind a proxy the receiver must bind loopback by itself.
  receiver = await startReceiver({
    mode: "behind-proxy",
    port: 0,
    store: openStore(":memory:"),
    logger: logs.write,
  });
});
afterAll(async () => {
  await receiver?.close();
  await receiver?.store.close();
});

let n = 0;
/** POSTs a distinct test notification with the given proxy headers. */
function post(headers: Record<string, string | string[]>) {
  const body = { ...JSON.parse(tokenBody), token: `proxy-${++n}` };
  let req = request(receiver.url).post("").set("Content-Type", "application/json");
  // superagent sends one header line per array item; its types only admit a string.
  for (const [name, value] of Object.entries(headers)) req = req.set(name, value as string);
  return req.send(body);
}

describe("behind-proxy mode", () => {
  it("speaks plain HTTP on 127.0.0.1 when no host is given", () => {
    expect(receiver.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/webhooks\/netdata$/);
    expect((receiver.server.address() as AddressInfo).address).toBe("127.0.0.1");
  });

  it("accepts a request the proxy verified, stores and logs the forwarded CN and DN", async () => {
    const dn = "CN=app.netdata.cloud,O=Netdata Inc.,C=US";
    const res = await post({ "X-Client-Verify": "SUCCESS", "X-Client-DN": dn });
    expect(res.status).toBe(200);
    const row = (await receiver.store.list({ limit: 1 }))[0];
    expect(row?.clientCn).toBe("app.netdata.cloud");
    expect(logs.find("notification stored").at(-1)).toMatchObject({
      client_cn: "app.netdata.cloud",
      client_dn: dn,
    });
  });

  it.each<[string, Record<string, string>, RegExp]>([
    ["without a DN header", { "X-Client-Verify": "SUCCESS" }, /X-Client-DN is missing/],
    ["with an empty DN header", { "X-Client-Verify": "SUCCESS", "X-Client-DN": "" }, /empty/],
    ["with a blank DN header", { "X-Client-Verify": "SUCCESS", "X-Client-DN": "  " }, /empty/],
  ])(
    "refuses a verified request %s with 403: the CN allow-list cannot be skipped",
    async (_name, headers, reason) => {
      const before = await receiver.store.count();
      const res = await post(headers);
      expect(res.status).toBe(403);
      expect(res.body.error).toMatch(reason);
      expect(await receiver.store.count()).toBe(before);
    },
  );

  it.each<[string, Record<string, string | string[]>, RegExp]>([
    ["no verification header", {}, /X-Client-Verify is missing/],
    [
      "a failed verification",
      { "X-Client-Verify": "FAILED:certificate has expired" },
      /not SUCCESS/,
    ],
    ["a lowercase success", { "X-Client-Verify": "success" }, /not SUCCESS/],
    ["no certificate", { "X-Client-Verify": "NONE" }, /not SUCCESS/],
    ["two verification headers", { "X-Client-Verify": ["SUCCESS", "SUCCESS"] }, /more than once/],
    [
      "a CN outside the allow-list",
      { "X-Client-Verify": "SUCCESS", "X-Client-DN": "CN=evil.example" },
      /CN is not allowed/,
    ],
    [
      "a look-alike CN",
      { "X-Client-Verify": "SUCCESS", "X-Client-DN": "CN=app.netdata.cloud.evil.example" },
      /CN is not allowed/,
    ],
    [
      "a forged OU that contains the CN",
      { "X-Client-Verify": "SUCCESS", "X-Client-DN": "CN=evil.example,OU=CN=app.netdata.cloud" },
      /CN is not allowed/,
    ],
    [
      "an escaped comma hiding the CN",
      {
        "X-Client-Verify": "SUCCESS",
        "X-Client-DN": "OU=x\\,CN=app.netdata.cloud,CN=evil.example",
      },
      /CN is not allowed/,
    ],
    [
      "two CNs",
      { "X-Client-Verify": "SUCCESS", "X-Client-DN": "CN=evil.example+CN=app.netdata.cloud" },
      /2 CN attributes/,
    ],
    [
      "the legacy slash DN",
      { "X-Client-Verify": "SUCCESS", "X-Client-DN": "/O=x/CN=app.netdata.cloud" },
      /legacy/,
    ],
    [
      "two DN headers",
      { "X-Client-Verify": "SUCCESS", "X-Client-DN": ["CN=app.netdata.cloud", "CN=x"] },
      /more than once/,
    ],
  ])("answers 403 with a reason to %s", async (_name, headers, reason) => {
    const before = await receiver.store.count();
    const res = await post(headers);
    expect(res.status).toBe(403);
    expect(res.body.error).toMatch(reason);
    expect(await receiver.store.count()).toBe(before);
  });

  it("checks the challenge GET too", async () => {
    const res = await request(receiver.url).get("?crc_token=abc");
    expect(res.status).toBe(403);
  });

  it("reads header names that were configured", async () => {
    const other = await startReceiver({
      mode: "behind-proxy",
      port: 0,
      store: openStore(":memory:"),
      logger: () => {},
      proxyHeaders: { verify: "SSL-Client-Verify", dn: "SSL-Client-S-DN" },
    });
    try {
      const ok = await request(other.url)
        .post("")
        .set("Content-Type", "application/json")
        .set("SSL-Client-Verify", "SUCCESS")
        .set("SSL-Client-S-DN", "CN=app.netdata.cloud")
        .send(tokenBody);
      const old = await request(other.url)
        .post("")
        .set("Content-Type", "application/json")
        .set("X-Client-Verify", "SUCCESS")
        .send(tokenBody);
      expect([ok.status, old.status]).toEqual([200, 403]);
    } finally {
      await other.close();
      await other.store.close();
    }
  });
});
