import { readFileSync } from "node:fs";
import express from "express";
import request from "supertest";
import { afterAll, describe, expect, it } from "vitest";
import { netdataWebhook } from "../../src/receiver/middleware/netdata-webhook.js";
import { openStore } from "../../src/receiver/store.js";
import { captureLogs } from "../helpers/receiver.js";

const tokenBody = readFileSync(
  new URL("../fixtures/captured/netdata-token.json", import.meta.url),
  "utf8",
);
const store = openStore(":memory:");
afterAll(() => store.close());

describe("the hand-over to onNotification", () => {
  it("answers 200 by the deadline while a slow handler still runs, lets it finish and logs the overrun", async () => {
    const logs = captureLogs();
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let finished = false;
    const app = express();
    app.use(
      "/hooks",
      netdataWebhook({
        store,
        clientIdentity: "none",
        logger: logs.write,
        handOverDeadlineMs: 20,
        onNotification: async () => {
          await gate;
          finished = true;
        },
      }),
    );
    const res = await request(app)
      .post("/hooks")
      .set("Content-Type", "application/json")
      .send(tokenBody);
    expect(res.status).toBe(200);
    expect(finished).toBe(false);
    expect(logs.find("overran the hand-over deadline")).toHaveLength(1);
    release();
    await expect.poll(() => logs.find("finished after the hand-over deadline").length).toBe(1);
    expect(finished).toBe(true);
  });

  it("refuses a deadline that is not a whole number of milliseconds", () => {
    expect(() => netdataWebhook({ store, handOverDeadlineMs: -1 })).toThrow(
      "netdataWebhook: handOverDeadlineMs: expected a whole number of milliseconds (0 or more), got -1",
    );
  });
});
