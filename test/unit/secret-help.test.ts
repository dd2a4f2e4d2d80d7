// A secret on the command line is visible to every local user (ps): help leads with the
// -file form or the environment variable.
import { describe, expect, it } from "vitest";
import { COMMANDS } from "../../src/commands/_registry.js";

describe("help of commands that take a secret", () => {
  it.each(Object.keys(COMMANDS))(
    "%s: the first example passes no secret as a plain flag",
    async (name) => {
      const help = (await COMMANDS[name]?.load())?.help() ?? "";
      const secretFlags = [...help.matchAll(/^\s+(--[a-z-]+)-file\b/gm)].map((m) => m[1] ?? "");
      const firstExample = /Examples:\n(.*)\n/.exec(help)?.[1] ?? "";
      for (const flag of secretFlags) {
        expect(firstExample, `${name}: ${flag}`).not.toMatch(new RegExp(`${flag}[ =]`));
      }
    },
  );
});
