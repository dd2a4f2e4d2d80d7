import { describe, expect, it } from "vitest";
import { displayText } from "../../src/admin/display-text.js";

describe("the console's display text", () => {
  it("writes control, bidi and invisible characters as \\u escapes", () => {
    expect(displayText("a\u202Eb\u2067c\u200Bd\uFEFFe\u0000f\u009Bg\u001b", 100)).toBe(
      "a\\u202Eb\\u2067c\\u200Bd\\uFEFFe\\u0000f\\u009Bg\\u001B",
    );
  });

  it("leaves ordinary text, accents and emoji as they are", () => {
    expect(displayText("Zürich web-01 🚀 критично", 100)).toBe("Zürich web-01 🚀 критично");
  });

  it("cuts long text, saying its full length, without splitting a surrogate pair", () => {
    expect(displayText("x".repeat(250_000), 200)).toBe(`${"x".repeat(200)}... (250000 characters)`);
    const cut = displayText(`${"x".repeat(199)}🚀🚀`, 200);
    expect(cut).toBe(`${"x".repeat(199)}... (203 characters)`);
  });

  it("cuts before escaping, so an escape is never cut in half", () => {
    expect(displayText(`${"x".repeat(199)}\u202E${"y".repeat(10)}`, 200)).toBe(
      `${"x".repeat(199)}\\u202E... (210 characters)`,
    );
  });
});
