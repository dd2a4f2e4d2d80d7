// Any JSON a client sends gets a 2xx or a 4xx, never a 5xx: bad input must not reach the 503
// kept for store failures (Netdata would redeliver it forever). Property-based, through the
// real app over a real socket.
//
// The run is fixed (seed and count) in `npm test`. To search longer with another seed:
//   NDWK_FUZZ_SEED=12345 NDWK_FUZZ_RUNS=50000 npx vitest run test/integration/receiver-any-json.test.ts
import { readdirSync, readFileSync } from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createReceiverApp } from "../../src/receiver/app.js";
import { openStore } from "../../src/receiver/store.js";
import type { NotificationStore } from "../../src/receiver/store-types.js";

const SEED = Number(process.env.NDWK_FUZZ_SEED ?? 20261130);
const RUNS = Number(process.env.NDWK_FUZZ_RUNS ?? 2000);

const capturedDir = new URL("../fixtures/captured/", import.meta.url);
const captured: Array<Record<string, unknown>> = readdirSync(capturedDir)
  .filter((name) => name.endsWith(".json"))
  .map((name) => JSON.parse(readFileSync(new URL(name, capturedDir), "utf8")));

/** Numbers JSON allows that a double cannot hold exactly, or at all. */
const RAW_NUMBERS = [
  "1e999",
  "-1e999",
  "1e-999",
  "-0",
  "123456789012345678901234567890",
  `1${"0".repeat(100_000)}`,
];
const RAW_MARK = "\u0001raw-number-";

let store: NotificationStore;
let server: http.Server;
let agent: http.Agent;
let port: number;

beforeAll(async () => {
  store = openStore(":memory:");
  const app = createReceiverApp({
    mode: "behind-proxy",
    clientIdentity: "none",
    store,
    logger: () => {},
  });
  server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
  agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
});
afterAll(async () => {
  agent?.destroy();
  await new Promise((resolve) => server?.close(resolve));
  await store?.close();
});

function post(text: string): Promise<{ status: number; json: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: "127.0.0.1",
      port,
      path: "/webhooks/netdata",
      method: "POST",
      agent,
      headers: { "content-type": "application/json" },
    });
    req.on("response", (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        body += chunk;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(body) }));
    });
    req.on("error", reject);
    req.end(text);
  });
}

/** A JSON value that may hold raw numbers JSON.stringify cannot write. */
const value = fc.oneof(
  { weight: 4, arbitrary: fc.jsonValue({ maxDepth: 4 }) },
  { weight: 1, arbitrary: fc.nat(RAW_NUMBERS.length - 1).map((i) => `${RAW_MARK}${i}`) },
);
const extras = fc.dictionary(fc.string({ unit: "binary", maxLength: 12 }), value, { maxKeys: 4 });
const notification = fc
  .tuple(fc.constantFrom(...captured), extras)
  .map(([base, extra]) => ({ ...base, ...extra }));
const body = fc.oneof(
  { weight: 3, arbitrary: notification },
  { weight: 1, arbitrary: value },
  { weight: 1, arbitrary: fc.array(notification, { maxLength: 2 }) },
);

/** JSON text of `v`, with each raw-number placeholder replaced by its number. */
function toText(v: unknown): string {
  return JSON.stringify(v).replace(
    /"\\u0001raw-number-(\d+)"/g,
    (_m, i: string) => RAW_NUMBERS[Number(i)] ?? "0",
  );
}

describe("any JSON body", () => {
  it.each([
    ["1e999", "1e999"],
    ["-1e999", "-1e999"],
    ["a 100,000-digit number", `1${"0".repeat(100_000)}`],
  ])("stores a valid notification with an unknown field whose value is %s", async (_name, raw) => {
    const text = toText({ ...captured[0], extra: `${RAW_MARK}0` }).replace("1e999", raw);
    const res = await post(text);
    expect(res.status).toBe(200);
  });

  it(`gets no 5xx for ${RUNS} generated bodies (seed ${SEED}), and every 2xx is stored`, async () => {
    await fc.assert(
      fc.asyncProperty(body, async (v) => {
        const before = await store.count();
        const res = await post(toText(v));
        expect(res.status).toBeLessThan(500);
        if (res.status >= 300) return;
        const latest = (await store.list({ limit: 1 }))[0];
        if (res.json.duplicate === true) {
          expect(await store.count()).toBe(before);
          expect(Number(res.json.id)).toBeLessThanOrEqual(latest?.id ?? 0);
        } else {
          expect(await store.count()).toBe(before + 1);
          expect(latest?.id).toBe(res.json.id);
        }
      }),
      { seed: SEED, numRuns: RUNS },
    );
  }, 120_000);
});
