import { readdirSync, readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { classifyNotification } from "../../src/protocol/notification.js";
import { postJson, startTestReceiver, type TestReceiver } from "../helpers/receiver.js";

const fixture = (folder: string, name: string): string =>
  readFileSync(new URL(`../fixtures/${folder}/${name}`, import.meta.url), "utf8");
const jsonFiles = (folder: string): string[] =>
  readdirSync(new URL(`../fixtures/${folder}/`, import.meta.url)).filter((f) =>
    f.endsWith(".json"),
  );

const PAYLOADS = [
  ...jsonFiles("captured").map((name) => ["captured", name] as const),
  ...jsonFiles("flat").map((name) => ["flat", name] as const),
];

let receiver: TestReceiver;
beforeAll(async () => {
  receiver = await startTestReceiver();
});
afterAll(async () => {
  await receiver?.close();
});

const post = (body: unknown) => postJson({ url: receiver.url, pkiDir: receiver.pkiDir, body });

describe("every known payload is accepted and stored with normalised columns", () => {
  it("has the six captured payloads and the flat variants to test", () => {
    expect(PAYLOADS.filter(([folder]) => folder === "captured")).toHaveLength(6);
    expect(PAYLOADS.filter(([folder]) => folder === "flat").length).toBeGreaterThanOrEqual(6);
  });

  it.each(PAYLOADS)("%s/%s gets 200 and is stored byte for byte", async (folder, name) => {
    const text = fixture(folder, name);
    const reply = await post(text);
    const expected = classifyNotification(JSON.parse(text));
    if (!expected.ok) throw new Error(`fixture rejected: ${expected.reasons.join("; ")}`);
    const { original, ...columns } = expected.notification;
    expect(reply.status).toBe(200);
    expect(reply.json).toEqual({ status: "accepted", id: expect.any(Number), kind: columns.kind });
    const row = (await receiver.handle.store.list({ limit: 1000 })).find(
      (r) => r.id === (reply.json as { id: number }).id,
    );
    expect(row).toMatchObject({ ...columns, originalJson: text, clientCn: "app.netdata.cloud" });
    expect(row?.original).toEqual(original);
    expect(Date.parse(row?.receivedAt ?? "")).toBeGreaterThan(Date.now() - 60_000);
  });

  it("answers a repeated payload with duplicate: true and the same id, and stores it once", async () => {
    const text = fixture("captured", "netdata-alert-critical.json");
    const first = await post(text);
    const count = await receiver.handle.store.count();
    const again = await post(text);
    expect(again.status).toBe(200);
    expect(again.json).toEqual({ ...(first.json as object), duplicate: true });
    expect(await receiver.handle.store.count()).toBe(count);
  });

  it("treats the same content with keys in another order and other whitespace as a duplicate", async () => {
    const body = JSON.parse(fixture("flat", "alert-flat-warning.json")) as Record<string, unknown>;
    const first = await post(body);
    const reordered = Object.fromEntries(Object.entries(body).reverse());
    const again = await post(JSON.stringify(reordered, null, 4));
    expect(again.json).toMatchObject({ id: (first.json as { id: number }).id, duplicate: true });
  });

  it("stores a payload that differs in one field as a new notification", async () => {
    const body = JSON.parse(fixture("flat", "reachability-flat-unreachable.json"));
    const first = await post(body);
    const second = await post({ ...body, message: `${body.message} (again)` });
    expect((second.json as { id: number }).id).not.toBe((first.json as { id: number }).id);
    expect(second.json).not.toHaveProperty("duplicate");
  });

  it("logs the test notification's token with the instruction to paste it into Netdata", async () => {
    const body = {
      ...JSON.parse(fixture("captured", "netdata-token.json")),
      token: "paste-me-123",
    };
    const reply = await post(body);
    const line = receiver.logs.find("paste this token into the Netdata Cloud webhook form").at(-1);
    expect(line).toMatchObject({
      level: "info",
      token: "paste-me-123",
      id: (reply.json as { id: number }).id,
    });
    expect((await receiver.handle.store.latestTestToken())?.token).toBe("paste-me-123");
  });
});
