import { describe, expect, it } from "vitest";
import {
  authorizationHeaderFor,
  checkAuthConfig,
  createAuthVerifier,
  headerValues,
  parseAuthorization,
  wwwAuthenticateHeader,
} from "../../src/protocol/auth.js";
import { OptionError } from "../../src/validate/option-error.js";

const basic = (text: string) => `Basic ${Buffer.from(text, "utf8").toString("base64")}`;

describe("Basic auth", () => {
  const verify = createAuthVerifier({ scheme: "basic", username: "netdata", password: "p:a:ss" });

  it("accepts the configured user and a password that contains ':'", () => {
    expect(verify([basic("netdata:p:a:ss")])).toEqual({ ok: true });
  });

  it("accepts the scheme name in any case", () => {
    expect(verify([basic("netdata:p:a:ss").replace("Basic", "bAsIc")])).toEqual({ ok: true });
  });

  it("refuses a wrong password with 401", () => {
    expect(verify([basic("netdata:p:a:sS")])).toMatchObject({ ok: false, status: 401 });
  });

  it("refuses a missing header with 401", () => {
    expect(verify([])).toMatchObject({
      ok: false,
      status: 401,
      reason: expect.stringContaining("missing"),
    });
  });

  it("refuses Bearer credentials when Basic is configured", () => {
    expect(verify(["Bearer abc"])).toMatchObject({ ok: false, status: 401 });
  });

  it("rejects base64 that Node's lenient decoder would silently repair", () => {
    const good = Buffer.from("netdata:p:a:ss").toString("base64");
    for (const junk of [
      `${good}!`,
      `${good.slice(0, 4)}*${good.slice(4)}`,
      good.replace(/=+$/, ""),
      `${good}==`,
    ]) {
      expect(Buffer.from(junk, "base64").toString()).toMatch(/netdata/); // Node would accept it
      expect(verify([`Basic ${junk}`])).toMatchObject({ ok: false, status: 400 });
    }
  });

  it("rejects credentials without a ':' as malformed", () => {
    expect(verify([basic("netdata")])).toMatchObject({ ok: false, status: 400 });
  });
});

describe("Bearer auth", () => {
  const verify = createAuthVerifier({ scheme: "bearer", token: "tok_123.abc" });

  it("accepts the exact token", () => {
    expect(verify(["Bearer tok_123.abc"])).toEqual({ ok: true });
  });

  it.each(["Bearer tok_123.ab", "Bearer tok_123.abcd", "Bearer TOK_123.ABC"])(
    "refuses %s with 401",
    (value) => {
      expect(verify([value])).toMatchObject({ ok: false, status: 401 });
    },
  );

  it.each([
    ["two Authorization headers", ["Bearer tok_123.abc", "Bearer tok_123.abc"]],
    ["no credentials", ["Bearer"]],
    ["two credentials", ["Bearer a b"]],
    ["a token with a comma", ["Bearer a,b"]],
    ["a 5 KiB header", [`Bearer ${"a".repeat(5000)}`]],
  ])("rejects %s as malformed (400)", (_name, values) => {
    expect(verify(values)).toMatchObject({ ok: false, status: 400 });
  });

  it("refuses an unknown scheme with 401", () => {
    expect(verify(["Digest abc"])).toMatchObject({ ok: false, status: 401 });
  });
});

describe("no auth", () => {
  it("accepts anything", () => {
    expect(createAuthVerifier({ scheme: "none" })([])).toEqual({ ok: true });
  });
});

describe("parseAuthorization", () => {
  it("returns the decoded user:password for Basic", () => {
    expect(parseAuthorization([basic("u:p")])).toEqual({
      ok: true,
      scheme: "basic",
      credentials: "u:p",
    });
  });
});

describe("headerValues", () => {
  it("returns every value of a repeated header, case-insensitively", () => {
    const raw = ["Host", "x", "authorization", "a", "X-Other", "y", "Authorization", "b"];
    expect(headerValues(raw, "Authorization")).toEqual(["a", "b"]);
  });
});

describe("sender side", () => {
  it("builds headers the verifier accepts", () => {
    const b = { scheme: "basic", username: "u", password: "p:w" } as const;
    const t = { scheme: "bearer", token: "abc" } as const;
    expect(createAuthVerifier(b)([authorizationHeaderFor(b) ?? ""])).toEqual({ ok: true });
    expect(createAuthVerifier(t)([authorizationHeaderFor(t) ?? ""])).toEqual({ ok: true });
    expect(authorizationHeaderFor({ scheme: "none" })).toBeUndefined();
  });

  it("offers a challenge per scheme", () => {
    expect(wwwAuthenticateHeader({ scheme: "basic", username: "u", password: "p" })).toMatch(
      /^Basic realm=/,
    );
    expect(wwwAuthenticateHeader({ scheme: "bearer", token: "t" })).toMatch(/^Bearer realm=/);
    expect(wwwAuthenticateHeader({ scheme: "none" })).toBeUndefined();
  });
});

describe("checkAuthConfig", () => {
  it.each([
    [{ scheme: "bearer", token: "" }, "empty"],
    [{ scheme: "bearer", token: "has space" }, "token68"],
    [{ scheme: "basic", username: "a:b", password: "p" }, "':'"],
    [{ scheme: "basic", username: "a", password: "" }, "password is empty"],
    [{ scheme: "digest" }, "unknown scheme"],
  ])("refuses %j, naming the problem", (config, message) => {
    const verdict = checkAuthConfig(config as never);
    expect(verdict.ok).toBe(false);
    expect(verdict.ok ? "" : verdict.problem).toContain(message);
  });

  it("makes createAuthVerifier throw an OptionError naming the auth option", () => {
    expect(() => createAuthVerifier({ scheme: "bearer", token: "" })).toThrow(OptionError);
    try {
      createAuthVerifier({ scheme: "bearer", token: "" });
    } catch (error) {
      expect(error).toMatchObject({ option: "auth", caller: "createAuthVerifier" });
    }
  });

  it("never puts the token itself in the message", () => {
    const verdict = checkAuthConfig({ scheme: "bearer", token: "secret value" });
    expect(verdict.ok).toBe(false);
    expect(JSON.stringify(verdict)).not.toContain("secret value");
  });
});
