// A request with more headers than the receiver reads is refused, never silently truncated.
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_REQUEST_HEADERS } from "../../src/receiver/limits.js";
import {
  rawExchange,
  rawRequest,
  startTestReceiver,
  TEST_SECRETS,
  type TestReceiver,
} from "../helpers/receiver.js";

const VALID = readFileSync(
  new URL("../fixtures/captured/netdata-token.json", import.meta.url),
  "utf8",
);
const BEARER = ["Authorization", `Bearer ${TEST_SECRETS.bearerToken}`] as const;
let receiver: TestReceiver;

beforeAll(async () => {
  receiver = await startTestReceiver({
    auth: { scheme: "bearer", token: TEST_SECRETS.bearerToken },
  });
});
afterAll(async () => {
  await receiver?.close();
});

/** POSTs the valid body with `filler` short extra headers between the real ones and `last`. */
function postWith(filler: number, last: ReadonlyArray<readonly [string, string]> = []) {
  const headers = [
    ["Content-Type", "application/json"] as const,
    BEARER,
    ...Array.from({ length: filler }, () => ["a", "1"] as const),
    ...last,
  ];
  return rawExchange({
    port: receiver.handle.port,
    pkiDir: receiver.pkiDir,
    drive: (socket) => {
      socket.write(rawRequest({ body: VALID, headers }));
    },
  });
}

describe("header count", () => {
  it("refuses with 431 a request whose second Authorization comes after 2,000 headers", async () => {
    const before = await receiver.handle.store.count();
    const result = await postWith(2000, [["Authorization", "Bearer someone-else"]]);
    expect(result.status).toBe(431);
    expect(JSON.parse(result.body).error).toMatch(/more than 100 headers/);
    expect(await receiver.handle.store.count()).toBe(before);
  });

  it("refuses one header more than it reads, and accepts exactly as many", async () => {
    // rawRequest adds Host, Connection and Content-Length; the body adds none.
    const fixed = 5;
    expect((await postWith(MAX_REQUEST_HEADERS - fixed + 1)).status).toBe(431);
    expect((await postWith(MAX_REQUEST_HEADERS - fixed)).status).toBe(200);
  });
});
