// Every entry point of the receiver refuses an option name it does not know, at creation:
// a mistyped `auth` must not leave the endpoint open. The message names the caller, the
// name, the closest known name and the whole list.
import Fastify from "fastify";
import { afterAll, describe, expect, it } from "vitest";
import { createReceiverApp, netdataWebhook } from "../../src/exports/express.js";
import { netdataWebhookFastify } from "../../src/exports/fastify.js";
import { netdataWebhookFetch } from "../../src/exports/fetch.js";
import { netdataWebhookNode, startReceiver } from "../../src/exports/node.js";
import { openStore } from "../../src/exports/sqlite.js";

const store = openStore(":memory:");
afterAll(() => store.close());
const auth = { scheme: "bearer", token: "a-token-long-enough" } as const;

/** Each entry point, given its whole options value (`raw`), or `store` plus `extra`. */
const raw: Array<[string, (options: unknown) => unknown]> = [
  ["netdataWebhook", (o) => netdataWebhook(o as never)],
  ["netdataWebhookNode", (o) => netdataWebhookNode(o as never)],
  ["netdataWebhookFetch", (o) => netdataWebhookFetch(o as never)],
  ["createReceiverApp", (o) => createReceiverApp(o as never)],
  ["startReceiver", (o) => startReceiver(o as never)],
  [
    "netdataWebhookFastify",
    async (o) => {
      const app = Fastify();
      try {
        await app.register(netdataWebhookFastify, o as never);
        await app.ready();
      } finally {
        await app.close();
      }
    },
  ],
];
/** Options every entry point needs besides those under test (startReceiver listens). */
const BASE = { store, mode: "behind-proxy", port: 0, host: "127.0.0.1" };
const entryPoints = raw.map(
  ([caller, create]): [
    string,
    (o: unknown) => unknown,
    (extra: Record<string, unknown>) => unknown,
  ] => [
    caller,
    create,
    (extra) => {
      const { mode, port, host, ...common } = BASE;
      const base =
        caller === "startReceiver"
          ? BASE
          : caller === "createReceiverApp"
            ? { ...common, mode }
            : common;
      return create({ ...base, ...extra });
    },
  ],
);

/** Runs `create` and returns what it threw (sync or async), or undefined. */
async function thrown(create: () => unknown): Promise<Error | undefined> {
  try {
    await create();
    return undefined;
  } catch (error) {
    return error as Error;
  }
}

describe.each(entryPoints)("%s", (caller, createRaw, create) => {
  it("refuses a mistyped option name, suggesting the one that was meant", async () => {
    const error = await thrown(() => create({ authh: auth }));
    expect(error).toBeInstanceOf(TypeError);
    expect(error?.message).toContain(`${caller}: authh: unknown option; did you mean "auth"?`);
    expect(error?.message).toContain("Known options: store, auth, challengeSecret");
  });

  it.each([
    ["null", null, "expected an object, got null"],
    ["an array", [], "expected an object, got an array"],
    ["a string", "x", "expected an object, got string"],
  ])("refuses %s as its options, naming them", async (_, options, detail) => {
    const error = await thrown(() => createRaw(options));
    expect(error).toBeInstanceOf(TypeError);
    // Fastify's register turns null into {} before the plugin sees it: no store, then.
    const fastifyNull = caller === "netdataWebhookFastify" && options === null;
    expect(error?.message).toContain(
      fastifyNull
        ? `${caller}: store: expected an object with an insert(notification, key, meta) method`
        : `${caller}: options: ${detail}`,
    );
  });

  it.each([
    ["null", null, "auth: expected an object, got null"],
    ["a scheme name alone", "bearer", "auth: expected an object, got string"],
    [
      "a mistyped key",
      { scheme: "bearer", tokn: "x" },
      'auth.tokn: unknown option; did you mean "token"?',
    ],
  ])("refuses %s as auth instead of running without auth", async (_, auth, detail) => {
    const error = await thrown(() => create({ auth }));
    expect(error).toBeInstanceOf(TypeError);
    expect(error?.message).toContain(`${caller}: ${detail}`);
  });

  it("refuses a name that resembles none, listing the known ones", async () => {
    const error = await thrown(() => create({ colour: "red" }));
    expect(error?.message).toMatch(/colour: unknown option\. Known options: /);
  });

  it("accepts its documented options", async () => {
    const error = await thrown(async () => {
      const made = await create({ auth, challengeSecret: "a-secret", handOverDeadlineMs: 100 });
      // startReceiver listens: close what it started.
      await (made as { close?: () => Promise<void> } | undefined)?.close?.();
    });
    expect(error).toBeUndefined();
  });
});
