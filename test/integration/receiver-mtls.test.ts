import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PkiName } from "../../src/pki/pki-names.js";
import { postJson, startTestReceiver, type TestReceiver } from "../helpers/receiver.js";

const testNotification = JSON.parse(
  readFileSync(new URL("../fixtures/captured/netdata-token.json", import.meta.url), "utf8"),
);

let receiver: TestReceiver;
beforeAll(async () => {
  receiver = await startTestReceiver();
});
afterAll(async () => {
  await receiver?.close();
});

/** POSTs a distinct test notification with the given client certificate. */
function post(client: PkiName | null, n: number) {
  const body = { ...testNotification, token: `token-${n}-${client}` };
  return postJson({ url: receiver.url, pkiDir: receiver.pkiDir, client, body });
}

describe("direct mode over real HTTPS with the development PKI", () => {
  it.each<PkiName>(["client", "client-via-intermediate"])(
    "accepts a notification from %s and records its CN",
    async (client) => {
      const reply = await post(client, 1);
      expect(reply.status).toBe(200);
      expect(reply.json).toMatchObject({ status: "accepted", kind: "test" });
      const id = (reply.json as { id: number }).id;
      const row = (await receiver.handle.store.list({ limit: 100 })).find((r) => r.id === id);
      expect(row?.clientCn).toBe("app.netdata.cloud");
    },
  );

  it.each<[PkiName | null, string]>([
    [null, "no client certificate presented"],
    ["client-untrusted", "UNABLE_TO_VERIFY_LEAF_SIGNATURE"],
    ["client-expired", "CERT_HAS_EXPIRED"],
    ["client-not-yet-valid", "CERT_NOT_YET_VALID"],
    ["client-server-eku", "INVALID_PURPOSE"],
  ])("cuts off %s before any HTTP and logs %s", async (client, reason) => {
    const before = await receiver.handle.store.count();
    const logged = receiver.logs.lines.length;
    const reply = await post(client, 2).then(
      (r) => r.status,
      (error: NodeJS.ErrnoException) => error.code ?? error.message,
    );
    expect(typeof reply).toBe("string"); // a connection error, never an HTTP status
    expect(await receiver.handle.store.count()).toBe(before);
    const newLines = receiver.logs.entries().slice(logged);
    const refusal = newLines.find((e) => e.msg === "TLS client refused before HTTP");
    expect(String(refusal?.reason)).toContain(reason);
    if (client === null) expect(String(refusal?.reason)).not.toContain("ISSUER");
    expect(
      newLines.some((e) => e.msg === "request refused" || e.msg === "notification stored"),
    ).toBe(false);
  });

  it.each<[PkiName, string]>([
    ["client-wrong-cn", "evil.example"],
    ["client-lookalike-cn", "app.netdata.cloud.evil.example"],
    ["client-two-cn", "evil.example + app.netdata.cloud"],
  ])(
    "refuses %s, a verified chain with a CN outside the allow-list, logging the CN",
    async (client, cn) => {
      const before = await receiver.handle.store.count();
      const logged = receiver.logs.lines.length;
      await expect(post(client, 3)).rejects.toThrow();
      expect(await receiver.handle.store.count()).toBe(before);
      const refusal = receiver.logs
        .entries()
        .slice(logged)
        .find((e) => e.msg === "TLS client refused before HTTP");
      expect(refusal).toMatchObject({ client_cn: cn });
    },
  );

  it("accepts a CN that the allow-list was extended with", async () => {
    const other = await startTestReceiver({ expectedCns: ["app.netdata.cloud", "evil.example"] });
    try {
      const reply = await postJson({
        url: other.url,
        pkiDir: other.pkiDir,
        client: "client-wrong-cn",
        body: testNotification,
      });
      expect(reply.status).toBe(200);
    } finally {
      await other.close();
    }
  });

  it("refuses a client that offers only TLS 1.1, with a protocol-version alert", async () => {
    const error = await postJson({
      url: receiver.url,
      pkiDir: receiver.pkiDir,
      body: testNotification,
      // SECLEVEL=0 lets this client offer TLS 1.1 at all, so the refusal is the server's.
      tls: { minVersion: "TLSv1.1", maxVersion: "TLSv1.1", ciphers: "DEFAULT@SECLEVEL=0" },
    }).catch((e: NodeJS.ErrnoException) => e);
    expect((error as Error).message).toMatch(/alert protocol version/);
  });
});
