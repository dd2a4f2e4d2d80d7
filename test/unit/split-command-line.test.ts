import { describe, expect, it } from "vitest";
import { splitCommandLine } from "../../src/outbox/split-command-line.js";

describe("splitCommandLine", () => {
  it.each([
    ["notify-send Netdata", ["notify-send", "Netdata"]],
    ["  a   b\tc  ", ["a", "b", "c"]],
    [`sh -c 'jq -r .message >> "$LOG"'`, ["sh", "-c", 'jq -r .message >> "$LOG"']],
    [`say "two words" 'and $HOME'`, ["say", "two words", "and $HOME"]],
    [`a "q\\"uote" b\\ c`, ["a", 'q"uote', "b c"]],
    [`empty "" ''`, ["empty", "", ""]],
    ["a;b|c>d", ["a;b|c>d"]],
  ])("splits %j like a shell's words, and nothing more", (line, argv) => {
    expect(splitCommandLine(line)).toEqual(argv);
  });

  it("names an unclosed quote", () => {
    expect(() => splitCommandLine("say 'hello")).toThrow("unclosed ' quote");
    expect(() => splitCommandLine('say "hello')).toThrow('unclosed " quote');
  });
});
