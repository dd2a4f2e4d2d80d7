// Every entry point of the receiver refuses an option name it does not know, at creation:
// a mistyped `auth` must not leave the endpoint open. The message names the caller, the
// name, the closest known name and the whole list.
import Fastify from "fastify";
import { afterAll, describe, expect, it } from "vitest";
import {
  createReceiverApp,
  netdataWebhook,
  netdataWebhookFastify,
  netdataWebhookFetch,
  netdataWebhookNode,
  openStore,
  startReceiver,
} from "../../src/exports/receiver.js";

const store = openStore(":memory:");
afterAll(() => store.close());
const auth = { scheme: "bearer", token: "a-token-long-enough" } as const;

const entryPoints: Array<[string, (options: Record<string, unknown>) => unknown]> = [
  ["netdataWebhook", (o) => netdataWebhook({ store, ...o } as never)],
  ["netdataWebhookNode", (o) => netdataWebhookNode({ store, ...o } as never)],
  ["netdataWebhookFetch", (o) => netdataWebhookFetch({ store, ...o } as never)],
  ["createReceiverApp", (o) => createReceiverApp({ store, ...o } as never)],
  [
    "startReceiver",
    (o) =>
      startReceiver({ store, mode: "behind-proxy", port: 0, host: "127.0.0.1", ...o } as never),
  ],
  [
    "netdataWebhookFastify",
    async (o) => {
      const app = Fastify();
      try {
        await app.register(netdataWebhookFastify, { store, ...o } as never);
        await app.ready();
      } finally {
        await app.close();
      }
    },
  ],
];

/** Runs `create` and returns what it threw (sync or async), or undefined. */
async function thrown(create: () => unknown): Promise<Error | undefined> {
  try {
    await create();
    return undefined;
  } catch (error) {
    return error as Error;
  }
}

describe.each(entryPoints)("%s", (caller, create) => {
  it("refuses a mistyped option name, suggesting the one that was meant", async () => {
    const error = await thrown(() => create({ authh: auth }));
    expect(error).toBeInstanceOf(TypeError);
    expect(error?.message).toContain(`${caller}: authh: unknown option; did you mean "auth"?`);
    expect(error?.message).toContain("Known options: store, auth, challengeSecret");
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
