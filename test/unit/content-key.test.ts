import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  CONTENT_KEY_MAX_DEPTH,
  canonicalJson,
  notificationKey,
  notificationKeyOf,
} from "../../src/protocol/content-key.js";

const readFixture = (path: string): unknown =>
  JSON.parse(readFileSync(new URL(`../fixtures/${path}`, import.meta.url), "utf8"));

describe("notificationKey known-answer vectors", () => {
  // Unsorted keys, whitespace, Go's \u0026 escape and a non-ASCII character.
  const raw =
    '{"token":"abc", "n":[3, 1.5, {"b":true,"a":null}], "url":"https://app.netdata.cloud/?a=1\\u0026b=2", "message":"Hi \\u00e9"}';
  const canonical =
    '{"message":"Hi é","n":[3,1.5,{"a":null,"b":true}],"token":"abc","url":"https://app.netdata.cloud/?a=1&b=2"}';

  it("writes canonical JSON with keys sorted recursively, arrays in order, no whitespace", () => {
    expect(canonicalJson(JSON.parse(raw))).toBe(canonical);
  });

  it("hashes the canonical JSON with sha256", () => {
    // printf '%s' '{"message":"Hi é","n":[3,1.5,{"a":null,"b":true}],"token":"abc","url":"https://app.netdata.cloud/?a=1&b=2"}' \
    //   | openssl dgst -sha256
    expect(notificationKey(JSON.parse(raw))).toBe(
      "77afccb59a45fec9a3a8b2a5d62e34b28bf6a2827dd3ebf06eef69c520042885",
    );
  });

  it("gives the captured test notification the key jq and openssl compute", () => {
    // jq -cS . test/fixtures/captured/netdata-token.json | tr -d '\n' | openssl dgst -sha256
    expect(notificationKey(readFixture("captured/netdata-token.json"))).toBe(
      "fb918c07aa10e38242d06badc2ef1acce03f14e372ae6534da17c012de4cb3db",
    );
  });
});

describe("notificationKey", () => {
  const body = readFixture("captured/netdata-alert-critical.json") as Record<string, unknown>;

  it("is the same whatever order the keys arrive in, at every level", () => {
    const reversed = JSON.parse(JSON.stringify(body), (_key, value) =>
      value && typeof value === "object" && !Array.isArray(value)
        ? Object.fromEntries(Object.entries(value).reverse())
        : value,
    );
    expect(Object.keys(reversed)[0]).toBe("alert");
    expect(notificationKey(reversed)).toBe(notificationKey(body));
  });

  it("differs when one nested value differs", () => {
    const changed = JSON.parse(JSON.stringify(body));
    changed.alert.state.value_str = "99%";
    expect(notificationKey(changed)).not.toBe(notificationKey(body));
  });

  it("differs when array order differs", () => {
    expect(notificationKey({ nodes: ["a", "b"] })).not.toBe(notificationKey({ nodes: ["b", "a"] }));
  });

  it("tells a string from a number and a key from a value", () => {
    expect(notificationKey({ a: "1" })).not.toBe(notificationKey({ a: 1 }));
    expect(notificationKey({ a: "b" })).not.toBe(notificationKey({ b: "a" }));
  });

  it("is 64 lowercase hex characters", () => {
    expect(notificationKey(body)).toMatch(/^[0-9a-f]{64}$/);
  });

  it("escapes quotes, backslashes, control characters and lone surrogates in keys and values as JSON.stringify does", () => {
    const tricky = JSON.parse(
      '{"q\\"k":"a\\\\b\\n\\u0001","s":"\\ud800 \\ud83d\\ude00 \\u2028 \\u007f"}',
    );
    expect(canonicalJson(tricky)).toBe(
      '{"q\\"k":"a\\\\b\\n\\u0001","s":"\\ud800 \u{1f600} \u2028 \u007f"}',
    );
  });

  it("keeps a __proto__ key as data", () => {
    const withProto = JSON.parse('{"message":"m","__proto__":{"polluted":true}}');
    expect(canonicalJson(withProto)).toBe('{"__proto__":{"polluted":true},"message":"m"}');
    expect(notificationKey(withProto)).not.toBe(notificationKey({ message: "m" }));
  });

  it("throws a TypeError for values JSON cannot hold", () => {
    expect(() => notificationKey({ a: Number.NaN })).toThrow(/\/a is NaN/);
    expect(() => notificationKey({ a: [1n] })).toThrow(/\/a\/0 is not JSON \(got bigint\)/);
    expect(() => notificationKey({ a: undefined })).toThrow(TypeError);
    expect(() => notificationKey(() => 1)).toThrow(/\/ is not JSON \(got function\)/);
    expect(() => notificationKey({ when: new Date(0) })).toThrow(
      /\/when is not JSON \(got a non-plain object\)/,
    );
  });

  it("keys numbers beyond a double's range by sign: 1e999 and -1e999 differ from each other and from null", () => {
    const big = JSON.parse('{"a":1e999}');
    const digits = JSON.parse(`{"a":${"9".repeat(100_000)}}`);
    expect(canonicalJson(big)).toBe('{"a":1e999}');
    expect(canonicalJson(JSON.parse('{"a":-1e999}'))).toBe('{"a":-1e999}');
    expect(notificationKey(digits)).toBe(notificationKey(big));
    expect(notificationKey(big)).not.toBe(notificationKey({ a: null }));
    expect(JSON.parse(canonicalJson(big))).toEqual(big);
  });

  it("refuses nesting deeper than its limit instead of overflowing the stack", () => {
    let deep: unknown = "leaf";
    for (let level = 0; level < CONTENT_KEY_MAX_DEPTH + 1; level += 1) deep = [deep];
    expect(() => notificationKey(deep)).toThrow(/nested deeper than 256 levels/);
    expect(notificationKeyOf(deep)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/^body \/0/),
    });
  });
});
