import { readFileSync } from "node:fs";
import express from "express";
import request from "supertest";
import { afterAll, describe, expect, it } from "vitest";
import type { AuthConfig } from "../../src/protocol/auth.js";
import { createReceiverApp } from "../../src/receiver/app.js";
import { netdataWebhook } from "../../src/receiver/middleware/netdata-webhook.js";
import { openStore } from "../../src/receiver/store.js";
import type { NotificationStore } from "../../src/receiver/store-types.js";
import { captureLogs, leakedSecrets, TEST_SECRETS } from "../helpers/receiver.js";

const PATH = "/webhooks/netdata";
const tokenBody = readFileSync(
  new URL("../fixtures/captured/netdata-token.json", import.meta.url),
  "utf8",
);
const { bearerToken, basicUser, basicPassword, challengeSecret } = TEST_SECRETS;
const BEARER: AuthConfig = { scheme: "bearer", token: bearerToken };
const BASIC: AuthConfig = { scheme: "basic", username: basicUser, password: basicPassword };

// Everything the receivers below log or answer, checked for secrets at the end.
const seen: string[] = [];
const logs = captureLogs();
const stores: NotificationStore[] = [];

function app(options: Partial<Parameters<typeof createReceiverApp>[0]> = {}) {
  const store = openStore(":memory:");
  stores.push(store);
  return createReceiverApp({ store, clientIdentity: "none", logger: logs.write, ...options });
}

function record(res: request.Response): request.Response {
  seen.push(res.text, JSON.stringify(res.headers));
  return res;
}

const postToken = (target: express.Express, auth?: string) => {
  const req = request(target).post(PATH).set("Content-Type", "application/json");
  return (auth ? req.set("Authorization", auth) : req).send(tokenBody).then(record);
};

afterAll(async () => {
  for (const store of stores) await store.close();
  expect(leakedSecrets([...seen, ...logs.lines])).toEqual([]);
});

describe("the legacy crc_token challenge", () => {
  const withSecret = app({ challengeSecret: "test-secret" });

  it("answers 200 with the exact JSON of the known-answer vector", async () => {
    const res = record(await request(withSecret).get(`${PATH}?crc_token=abc123`));
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toMatch(/^application\/json/);
    expect(res.text).toBe(
      '{"response_token":"sha256=Z7aPPn0OT3ARmifwmGJkMRec74H1AV+RwtpUqN8Ev2c="}',
    );
  });

  it("explains how to enable the challenge when no challenge secret is configured", async () => {
    const res = record(await request(app()).get(`${PATH}?crc_token=abc123`));
    expect(res.status).toBe(404);
    expect(res.body.error).toContain("challengeSecret");
  });

  it.each([
    ["missing", ""],
    ["empty", "?crc_token="],
    ["repeated", "?crc_token=a&crc_token=b"],
    ["over-long", `?crc_token=${"x".repeat(513)}`],
    ["bracketed", "?crc_token[a]=b"],
  ])("answers 400 to a %s token", async (_name, query) => {
    const res = record(await request(withSecret).get(`${PATH}${query}`));
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(/crc_token/);
  });

  it("does not need the Authorization header, which Netdata may not send on the GET", async () => {
    const res = record(
      await request(app({ challengeSecret, auth: BEARER })).get(`${PATH}?crc_token=t`),
    );
    expect(res.status).toBe(200);
  });
});

describe("Authorization", () => {
  const bearer = app({ auth: BEARER });
  const basic = app({ auth: BASIC });
  const basicHeader = `Basic ${Buffer.from(`${basicUser}:${basicPassword}`).toString("base64")}`;

  it("accepts the configured bearer token", async () => {
    expect((await postToken(bearer, `Bearer ${bearerToken}`)).status).toBe(200);
  });

  it("accepts the configured basic credentials, whose password contains ':'", async () => {
    expect((await postToken(basic, basicHeader)).status).toBe(200);
  });

  it.each([
    ["no header", bearer, undefined, 'Bearer realm="netdata-webhook"'],
    ["a wrong token", bearer, "Bearer wrong-token", 'Bearer realm="netdata-webhook"'],
    ["Basic instead of Bearer", bearer, basicHeader, 'Bearer realm="netdata-webhook"'],
    [
      "a wrong password",
      basic,
      `Basic ${Buffer.from(`${basicUser}:nope`).toString("base64")}`,
      "Basic",
    ],
  ] as const)("answers 401 with WWW-Authenticate to %s", async (_name, target, auth, challenge) => {
    const res = await postToken(target, auth);
    expect(res.status).toBe(401);
    expect(res.headers["www-authenticate"]).toContain(challenge);
    expect(res.body.error).toEqual(expect.any(String));
  });

  it("answers 400 to two Authorization headers, even when one is right", async () => {
    const res = record(
      await request(bearer)
        .post(PATH)
        .set("Content-Type", "application/json")
        // superagent sends one header line per array item; its types only admit a string.
        .set("Authorization", [`Bearer ${bearerToken}`, "Bearer other"] as unknown as string)
        .send(tokenBody),
    );
    expect(res.status).toBe(400);
  });
});

describe("the rest of the HTTP surface", () => {
  const target = app();

  it.each(["PUT", "DELETE", "PATCH", "OPTIONS"] as const)(
    "answers %s with 405 and Allow",
    async (method) => {
      const res = record(await request(target)[method.toLowerCase() as "put"](PATH));
      expect(res.status).toBe(405);
      expect(res.headers.allow).toBe("GET, POST");
      if (method !== "OPTIONS") expect(res.body.error).toContain(method);
    },
  );

  it("answers other paths with a JSON 404", async () => {
    const res = record(await request(target).post("/webhooks/other").send({}));
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: "not found" });
  });

  it("matches the path exactly: a trailing slash is another path (404)", async () => {
    const res = record(
      await request(target)
        .post(`${PATH}/`)
        .set("Content-Type", "application/json")
        .send(tokenBody),
    );
    expect(res.status).toBe(404);
  });

  it("sets helmet's headers and hides the framework", async () => {
    const res = record(await request(target).get("/"));
    expect(res.headers["x-content-type-options"]).toBe("nosniff");
    expect(res.headers["x-powered-by"]).toBeUndefined();
  });

  it("answers a malformed percent-encoding in the path with a JSON 4xx and no stack", async () => {
    const res = record(await request(target).get("/%E0%A4%A"));
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(res.text).not.toMatch(/at .*\.(js|ts):\d+/);
  });
});

describe("storage", () => {
  it("answers 503 with Retry-After when the store cannot commit, and logs why", async () => {
    const failing: NotificationStore = {
      ...openStore(":memory:"),
      insert: () => Promise.reject(new Error("SQLITE_FULL: database or disk is full")),
    };
    stores.push(failing);
    const res = await postToken(app({ store: failing }));
    expect(res.status).toBe(503);
    expect(res.headers["retry-after"]).toBe("5");
    expect(res.text).not.toContain("SQLITE_FULL");
    expect(logs.find("failed to store notification").at(-1)).toMatchObject({ level: "error" });
  });
});

describe("netdataWebhook() in an existing Express app", () => {
  it("serves the Netdata path and leaves the app's other routes alone", async () => {
    const store = openStore(":memory:");
    stores.push(store);
    const existing = express();
    existing.get("/health", (_req, res) => {
      res.json({ ok: true });
    });
    existing.use(
      "/hooks/netdata",
      netdataWebhook({ store, clientIdentity: "none", logger: logs.write }),
    );
    const health = record(await request(existing).get("/health"));
    const posted = record(
      await request(existing)
        .post("/hooks/netdata")
        .set("Content-Type", "application/json")
        .send(tokenBody),
    );
    expect(health.body).toEqual({ ok: true });
    expect(posted.status).toBe(200);
    expect(await store.count()).toBe(1);
  });

  it("hands each new notification to onNotification after the commit, not redeliveries", async () => {
    const store = openStore(":memory:");
    stores.push(store);
    const handled: Array<{ kind: string; id: number; storedBefore: number }> = [];
    const existing = express();
    existing.use(
      "/hooks",
      netdataWebhook({
        store,
        clientIdentity: "none",
        logger: logs.write,
        onNotification: async (notification, stored) => {
          handled.push({
            kind: notification.kind,
            id: stored.id,
            storedBefore: await store.count(),
          });
        },
      }),
    );
    const post = () =>
      request(existing).post("/hooks").set("Content-Type", "application/json").send(tokenBody);
    const first = record(await post());
    const again = record(await post());
    expect([first.status, again.status]).toEqual([200, 200]);
    expect(again.body.duplicate).toBe(true);
    expect(handled).toEqual([{ kind: "test", id: first.body.id, storedBefore: 1 }]);
  });

  it("answers 200 and logs when onNotification fails, since the notification is stored", async () => {
    const store = openStore(":memory:");
    stores.push(store);
    const capture = captureLogs();
    const existing = express();
    existing.use(
      "/hooks",
      netdataWebhook({
        store,
        clientIdentity: "none",
        logger: capture.write,
        onNotification: async () => {
          throw new Error("downstream is down");
        },
      }),
    );
    const res = record(
      await request(existing)
        .post("/hooks")
        .set("Content-Type", "application/json")
        .send(tokenBody),
    );
    expect(res.status).toBe(200);
    expect(await store.count()).toBe(1);
    expect(capture.find("onNotification failed")).toHaveLength(1);
  });

  it("refuses plain-HTTP requests when it is told to check the TLS client certificate", async () => {
    const store = openStore(":memory:");
    stores.push(store);
    const existing = express();
    existing.use("/hooks", netdataWebhook({ store, logger: logs.write }));
    const res = record(await request(existing).post("/hooks").send({}));
    expect(res.status).toBe(403);
    expect(res.body.error).toContain("client certificate");
  });

  it("throws a TypeError naming the option when it is misconfigured", () => {
    const store = openStore(":memory:");
    stores.push(store);
    expect(() => netdataWebhook({ store, bodyLimitBytes: -1 })).toThrow(
      /netdataWebhook: bodyLimitBytes: expected a positive integer, got -1/,
    );
    expect(() => netdataWebhook({ store, auth: { scheme: "bearer", token: "" } })).toThrow(
      /netdataWebhook: auth: bearer token \(0 chars\) is not a token68: it is empty/,
    );
    expect(() => netdataWebhook({ store, expectedCns: ["*.netdata.cloud"] })).toThrow(TypeError);
  });
});
