import { readFileSync } from "node:fs";
import type { Socket } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import {
  leakedSecrets,
  type RawExchange,
  rawExchange,
  rawRequest,
  startTestReceiver,
  TEST_SECRETS,
  type TestReceiver,
} from "../helpers/receiver.js";

// Short limits so the slow-client rows finish quickly; the defaults are in src/receiver/limits.ts.
const TIMEOUTS = {
  handshakeMs: 1000,
  headersMs: 1000,
  requestMs: 2000,
  connectionsCheckingIntervalMs: 200,
};
/** A close counts as timely when it comes within this much of the limit that caused it. */
const SLACK_MS = 1500;

const { bearerToken, challengeSecret } = TEST_SECRETS;
const VALID = readFileSync(
  new URL("../fixtures/captured/netdata-token.json", import.meta.url),
  "utf8",
);
const invalidBodies: Array<{ name: string; body: unknown; reasonIncludes: string }> = JSON.parse(
  readFileSync(new URL("../fixtures/invalid-bodies.json", import.meta.url), "utf8"),
);

type Header = readonly [string, string];
const JSON_TYPE: Header = ["Content-Type", "application/json"];
const BEARER: Header = ["Authorization", `Bearer ${bearerToken}`];

/** A POST with the right Content-Type and Authorization unless `headers` replaces them. */
function post(
  body: string | Buffer,
  headers: readonly Header[] = [JSON_TYPE, BEARER],
  extra: object = {},
) {
  return rawRequest({ body, headers, ...extra });
}
const get = (path: string) => rawRequest({ method: "GET", path, contentLength: false });
const withMethod = (method: string) =>
  rawRequest({ method, headers: [BEARER], contentLength: false });
const nested = (depth: number) => `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;

/** Writes `bytes` a few at a time, `intervalMs` apart, while the server keeps the socket open. */
async function trickle(
  socket: Socket,
  bytes: Buffer,
  chunk: number,
  intervalMs: number,
): Promise<void> {
  for (let i = 0; i < bytes.length && !socket.destroyed; i += chunk) {
    socket.write(bytes.subarray(i, i + chunk));
    await sleep(intervalMs);
  }
}

interface Row {
  name: string;
  /** Bytes written once the connection is up, or a function that drives the socket. */
  send: Buffer | ((socket: Socket) => void | Promise<void>);
  /** "tcp": a plain TCP connection to the TLS port. */
  client?: "tcp";
  /** The HTTP status expected, or null when the server must just close the connection. */
  status: number | null;
  /** For status null (or slow rows): the connection must be closed within this many ms. */
  closedWithinMs?: number;
}

const ROWS: Row[] = [
  // Content types and encodings
  { name: "no Content-Type", send: post(VALID, [BEARER]), status: 415 },
  {
    name: "Content-Type text/plain",
    send: post(VALID, [["Content-Type", "text/plain"], BEARER]),
    status: 415,
  },
  {
    name: "a form-encoded body",
    send: post("a=1", [["Content-Type", "application/x-www-form-urlencoded"], BEARER]),
    status: 415,
  },
  {
    name: "multipart/form-data",
    send: post(VALID, [["Content-Type", "multipart/form-data; boundary=x"], BEARER]),
    status: 415,
  },
  {
    name: "application/json with charset latin1",
    send: post(VALID, [["Content-Type", "application/json; charset=latin1"], BEARER]),
    status: 415,
  },
  {
    name: "a UTF-16 body declared as such",
    send: post(Buffer.from(VALID, "utf16le"), [
      ["Content-Type", "application/json; charset=utf-16"],
      BEARER,
    ]),
    status: 415,
  },
  {
    name: "a gzip-compressed body",
    send: post(gzipSync(VALID), [JSON_TYPE, BEARER, ["Content-Encoding", "gzip"]]),
    status: 415,
  },
  {
    name: "two Content-Type headers",
    send: post(VALID, [JSON_TYPE, ["Content-Type", "text/plain"], BEARER]),
    status: 415,
  },
  {
    name: "invalid UTF-8 in the body",
    send: post(Buffer.from([0x7b, 0x22, 0xc3, 0x28, 0x22, 0x3a, 0x31, 0x7d])),
    status: 400,
  },
  {
    name: "a lone UTF-16 surrogate encoded as UTF-8",
    send: post(Buffer.from([0x22, 0xed, 0xa0, 0x80, 0x22])),
    status: 400,
  },
  // JSON syntax and shape
  { name: "an empty body", send: post(""), status: 400 },
  { name: "a body of whitespace", send: post("  \n "), status: 400 },
  { name: "truncated JSON", send: post(VALID.slice(0, 40)), status: 400 },
  { name: "trailing garbage after the JSON", send: post(`${VALID}x`), status: 400 },
  { name: "single-quoted JSON", send: post("{'message':'x'}"), status: 400 },
  { name: "NaN", send: post("NaN"), status: 400 },
  { name: "a top-level array", send: post("[1,2]"), status: 422 },
  { name: "a top-level null", send: post("null"), status: 422 },
  { name: "a top-level string", send: post('"hello"'), status: 422 },
  { name: "a top-level number", send: post("42"), status: 422 },
  { name: "an empty object", send: post("{}"), status: 422 },
  { name: "the fields hidden under __proto__", send: post(`{"__proto__":${VALID}}`), status: 422 },
  {
    name: "the fields hidden under constructor.prototype",
    send: post(`{"constructor":{"prototype":${VALID}}}`),
    status: 422,
  },
  { name: "an object nested 20,000 levels deep", send: post(nested(20_000)), status: 422 },
  {
    name: "an array nested 100,000 levels deep",
    send: post(`${"[".repeat(100_000)}${"]".repeat(100_000)}`),
    status: 422,
  },
  {
    name: "a token of the wrong type",
    send: post('{"message":"m","title":"Test Notification","token":5}'),
    status: 422,
  },
  // Size
  {
    name: "a declared body over 256 KiB",
    send: post(`{"message":"${"x".repeat(300 * 1024)}"}`),
    status: 413,
  },
  {
    name: "a chunked body that grows over 256 KiB",
    send: Buffer.concat([
      rawRequest({ headers: [JSON_TYPE, BEARER, ["Transfer-Encoding", "chunked"]] }),
      Buffer.from(
        `40000\r\n${"x".repeat(0x40000)}\r\n40000\r\n${"x".repeat(0x40000)}\r\n0\r\n\r\n`,
      ),
    ]),
    status: 413,
  },
  // Authorization
  { name: "no Authorization", send: post(VALID, [JSON_TYPE]), status: 401 },
  {
    name: "a wrong bearer token",
    send: post(VALID, [JSON_TYPE, ["Authorization", "Bearer wrong"]]),
    status: 401,
  },
  {
    name: "two Authorization headers",
    send: post(VALID, [JSON_TYPE, BEARER, BEARER]),
    status: 400,
  },
  {
    name: "Authorization with no credentials",
    send: post(VALID, [JSON_TYPE, ["Authorization", "Bearer"]]),
    status: 400,
  },
  {
    name: "a bearer token with characters outside token68",
    send: post(VALID, [JSON_TYPE, ["Authorization", "Bearer a,b"]]),
    status: 400,
  },
  {
    name: "Basic credentials that are not base64",
    send: post(VALID, [JSON_TYPE, ["Authorization", "Basic !!!"]]),
    status: 400,
  },
  {
    name: "an Authorization value of 5,000 characters",
    send: post(VALID, [JSON_TYPE, ["Authorization", `Bearer ${"a".repeat(5000)}`]]),
    status: 400,
  },
  // crc_token
  { name: "an empty crc_token", send: get("/webhooks/netdata?crc_token="), status: 400 },
  {
    name: "a repeated crc_token",
    send: get("/webhooks/netdata?crc_token=a&crc_token=b"),
    status: 400,
  },
  {
    name: "a crc_token with a NUL byte",
    send: get("/webhooks/netdata?crc_token=%00"),
    status: 400,
  },
  {
    name: "a crc_token with non-ASCII characters",
    send: get("/webhooks/netdata?crc_token=%E2%9C%93"),
    status: 400,
  },
  { name: "a crc_token in brackets", send: get("/webhooks/netdata?crc_token[x]=1"), status: 400 },
  {
    name: "a crc_token of 10,000 characters",
    send: get(`/webhooks/netdata?crc_token=${"a".repeat(10_000)}`),
    status: 400,
  },
  { name: "no crc_token at all", send: get("/webhooks/netdata"), status: 400 },
  // Methods and paths
  { name: "PUT", send: withMethod("PUT"), status: 405 },
  { name: "DELETE", send: withMethod("DELETE"), status: 405 },
  { name: "HEAD", send: withMethod("HEAD"), status: 405 },
  { name: "TRACE", send: withMethod("TRACE"), status: 405 },
  {
    name: "another path",
    send: rawRequest({ path: "/admin", headers: [JSON_TYPE, BEARER], body: VALID }),
    status: 404,
  },
  // HTTP framing and headers
  {
    name: "headers over 16 KiB",
    send: post(VALID, [JSON_TYPE, BEARER, ["X-Big", "a".repeat(20 * 1024)]]),
    status: 431,
  },
  {
    name: "a header name with a space",
    send: post(VALID, [JSON_TYPE, BEARER, ["Bad Header", "x"]]),
    status: 400,
  },
  {
    name: "both Content-Length and Transfer-Encoding",
    send: post(VALID, [
      JSON_TYPE,
      BEARER,
      ["Content-Length", "5"],
      ["Transfer-Encoding", "chunked"],
    ]),
    status: 400,
  },
  {
    name: "a non-numeric Content-Length",
    send: post(VALID, [JSON_TYPE, BEARER, ["Content-Length", "abc"]]),
    status: 400,
  },
  {
    name: "binary garbage instead of HTTP",
    send: Buffer.from("\x00\x01\x02 garbage\r\n\r\n", "latin1"),
    status: 400,
  },
  // Slow and silent clients
  {
    name: "a client that sends headers slowly",
    send: (socket) =>
      trickle(
        socket,
        rawRequest({ headers: [JSON_TYPE, BEARER, ["X-Pad", "p".repeat(200)]] }),
        4,
        100,
      ),
    status: 408,
    closedWithinMs: TIMEOUTS.headersMs + SLACK_MS,
  },
  {
    name: "a client that sends the body slowly",
    send: (socket) => {
      const [head = "", body = ""] = post(VALID).toString("latin1").split("\r\n\r\n");
      socket.write(`${head}\r\n\r\n`, "latin1");
      return trickle(socket, Buffer.from(body, "latin1"), 1, 50);
    },
    status: null,
    closedWithinMs: TIMEOUTS.requestMs + SLACK_MS,
  },
  {
    name: "a TCP connection that never starts TLS",
    send: () => {},
    client: "tcp",
    status: null,
    closedWithinMs: TIMEOUTS.handshakeMs + SLACK_MS,
  },
  {
    name: "plain HTTP sent to the TLS port",
    send: rawRequest({ method: "GET", path: "/", contentLength: false }),
    client: "tcp",
    status: null,
    closedWithinMs: SLACK_MS,
  },
];

let receiver: TestReceiver;
const exchanges: RawExchange[] = [];
beforeAll(async () => {
  receiver = await startTestReceiver({
    auth: { scheme: "bearer", token: bearerToken },
    challengeSecret,
    timeouts: TIMEOUTS,
  });
});
afterAll(async () => {
  await receiver?.close();
});

async function exchange(row: Pick<Row, "send" | "client">): Promise<RawExchange> {
  const { send } = row;
  const result = await rawExchange({
    port: receiver.handle.port,
    pkiDir: receiver.pkiDir,
    ...(row.client ? { client: row.client } : {}),
    drive: typeof send === "function" ? send : (socket) => void socket.write(send),
    timeoutMs: 10_000,
  });
  exchanges.push(result);
  return result;
}

describe("bad input: each row gets its 4xx or a timely close, never a 500", () => {
  it("has at least 30 rows", () => {
    expect(ROWS.length).toBeGreaterThanOrEqual(30);
  });

  it.each(ROWS)("$name -> $status", async (row) => {
    const result = await exchange(row);
    expect(result.status).toBe(row.status);
    expect(result.timedOut).toBe(false);
    if (row.closedWithinMs !== undefined)
      expect(result.closedAfterMs).toBeLessThan(row.closedWithinMs);
    if (row.status !== null && !/^HEAD /.test(String(row.send))) {
      const body = JSON.parse(result.body) as { error?: unknown };
      expect(body.error).toEqual(expect.any(String));
    }
    expect(result.raw).not.toMatch(/ at .*\.(js|ts):\d+/); // no stack trace
  });

  it.each(invalidBodies)(
    "answers 422 with the reason to $name",
    async ({ body, reasonIncludes }) => {
      const result = await exchange({ send: post(JSON.stringify(body)) });
      expect(result.status).toBe(422);
      expect(JSON.parse(result.body).reasons.join("\n")).toContain(reasonIncludes);
    },
  );

  it("stores a body with a __proto__ key as data, without polluting any prototype", async () => {
    const body = `{"__proto__":{"polluted":true},${VALID.trim().slice(1)}`;
    const result = await exchange({ send: post(body) });
    expect(result.status).toBe(200);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const row = (await receiver.handle.store.list({ limit: 1 }))[0];
    expect(Object.hasOwn(row?.original ?? {}, "__proto__")).toBe(true);
  });

  it("keeps serving afterwards, logged no unexpected error and leaked no secret", async () => {
    const result = await exchange({ send: post(VALID) });
    expect(result.status).toBe(200);
    expect(exchanges.filter((e) => (e.status ?? 0) >= 500)).toEqual([]);
    expect(receiver.logs.entries().filter((e) => e.level === "error")).toEqual([]);
    const seen = [...receiver.logs.lines, ...exchanges.map((e) => e.raw)];
    expect(leakedSecrets(seen)).toEqual([]);
  });
});

describe("answers that quote nothing of the body, and logs that say what happened", () => {
  it.each([
    ["not JSON at all", "ECHO-CANARY-9b2c <script>alert(1)</script>"],
    ["a bare word in the middle", '{"message": "m", "token": ECHO-CANARY-1a2b}'],
    ["NaN at the end", '{"message": "m", "token": "t", "ECHO-CANARY-5c6d":NaN}'],
    ["a trailing comma", '{"message": "ECHO-CANARY-3e8a",}'],
  ])("refuses %s with a fixed message and at most a position", async (_name, body) => {
    const result = await exchange({ send: post(body) });
    expect(result.status).toBe(400);
    const { error } = JSON.parse(result.body) as { error: string };
    expect(error).toMatch(/^body is not valid JSON( \((line \d+, column \d+|it ends early)\))?$/);
    expect(result.raw).not.toMatch(/CANAR|5c6d|NaN/);
  });

  it("says where a JSON error is, by line and column", async () => {
    const result = await exchange({ send: post('{\n  "message": "m",\n  "a" 1}') });
    expect(JSON.parse(result.body)).toEqual({ error: "body is not valid JSON (line 3, column 7)" });
  });

  it.each([
    [
      "the message of a test notification",
      '{"message":"\\ud800","token":"x","title":"Test Notification"}',
    ],
    ["a key", '{"message":"m","token":"x","title":"Test Notification","\\udc00":1}'],
    ["a nested unknown field", '{"message":"m","token":"x","extra":{"a":["\\udbff"]}}'],
  ])("refuses a lone surrogate in %s with 400 and stores nothing", async (_name, body) => {
    const before = await receiver.handle.store.count();
    const result = await exchange({ send: post(body) });
    expect(result.status).toBe(400);
    expect(JSON.parse(result.body)).toEqual({
      error: "body holds a lone surrogate (\\ud800-\\udfff), not Unicode text",
    });
    expect(await receiver.handle.store.count()).toBe(before);
  });

  it("accepts a surrogate pair written as escapes", async () => {
    const token = `pair-${Date.now()}`;
    const body = `{"message":"\\ud83d\\ude00","token":"${token}","title":"Test Notification"}`;
    const result = await exchange({ send: post(body) });
    expect(result.status).toBe(200);
    expect((await receiver.handle.store.list({ limit: 1 }))[0]?.message).toBe("\u{1f600}");
  });

  it("logs a body cut off by the request timeout as abandoned, never as a 400 it did not send", async () => {
    const logged = receiver.logs.lines.length;
    const head = rawRequest({ headers: [JSON_TYPE, BEARER, ["Content-Length", "20"]] });
    const result = await exchange({
      send: (socket) => void socket.write(Buffer.concat([head, Buffer.from("{}")])),
    });
    expect(result.status).toBeNull();
    const entries = () => receiver.logs.entries().slice(logged);
    await vi.waitFor(() =>
      expect(entries().map((e) => e.msg)).toContain("request abandoned: no answer sent"),
    );
    expect(entries().filter((e) => e.status === 400)).toEqual([]);
    expect(entries().map((e) => e.reason)).toContain("ERR_HTTP_REQUEST_TIMEOUT");
  });
});
