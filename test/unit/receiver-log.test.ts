import { describe, expect, it } from "vitest";
import { createLogger, REDACTED } from "../../src/receiver/log.js";
import { secretsOf } from "../../src/receiver/options.js";

function capture(secrets: string[], level?: "debug" | "info" | "warn" | "error") {
  const lines: string[] = [];
  const logger = createLogger({
    write: (line) => lines.push(line),
    secrets,
    ...(level ? { level } : {}),
  });
  return { logger, lines };
}

describe("createLogger", () => {
  it("writes one JSON object per line with time, level and msg first", () => {
    const { logger, lines } = capture([]);
    logger.info("hello", { id: 1 });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^\{"time":"[^"]+","level":"info","msg":"hello","id":1\}\n$/);
  });

  it("redacts a configured secret in messages, fields and errors, raw or JSON-escaped", () => {
    const secret = 'se"cret\\value';
    const { logger, lines } = capture([secret]);
    logger.warn(`token was ${secret}`, {
      nested: { value: `x${secret}y` },
      error: new Error(`bad ${secret}`),
    });
    expect(lines.join("")).not.toContain(JSON.stringify(secret).slice(1, -1));
    expect(lines.join("")).not.toContain(secret);
    expect(lines.join("").split(REDACTED)).toHaveLength(4);
  });

  it("drops fields whose name says they hold a credential", () => {
    const { logger, lines } = capture([]);
    logger.info("request", { authorization: "Bearer abc", password: "p" });
    expect(JSON.parse(lines[0] ?? "")).toMatchObject({
      authorization: REDACTED,
      password: REDACTED,
    });
  });

  it("does not let a field override time, level or msg", () => {
    const { logger, lines } = capture([]);
    logger.info("real", { msg: "forged", level: "error" });
    expect(JSON.parse(lines[0] ?? "")).toMatchObject({ msg: "real", level: "info" });
  });

  it("drops lines below its level", () => {
    const { logger, lines } = capture([], "warn");
    logger.info("quiet");
    logger.warn("loud");
    expect(lines.map((l) => JSON.parse(l).msg)).toEqual(["loud"]);
  });

  it("redacts a Basic credential as it travels, base64 of user:password", () => {
    const secrets = secretsOf({ scheme: "basic", username: "u", password: "pw:1" }, "chal");
    const { logger, lines } = capture(secrets);
    logger.info(`got Basic ${Buffer.from("u:pw:1").toString("base64")} and chal`);
    expect(lines[0]).not.toContain(Buffer.from("u:pw:1").toString("base64"));
    expect(lines[0]).not.toContain("and chal");
  });
});
