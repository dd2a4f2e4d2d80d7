// The short help of the two biggest commands fits a screen; --help-all has every option. The
// snapshot files are the reviewable text; change them on purpose, with `vitest -u`.
import { describe, expect, it } from "vitest";
import { COMMANDS } from "../../src/commands/_registry.js";
import { runCliCaptured } from "../helpers/cli.js";

/** A terminal's worth: the short help of serve and verify fits in it. */
const SHORT_HELP_MAX_LINES = 45;

describe("short help", () => {
  it.each(["serve", "verify"])("%s --help fits in 45 lines, examples first", async (name) => {
    const run = await runCliCaptured([name, "--help"]);
    expect(run.code).toBe(0);
    expect(run.stdout.trimEnd().split("\n").length).toBeLessThanOrEqual(SHORT_HELP_MAX_LINES);
    expect(run.stdout.indexOf("Examples:")).toBeLessThan(run.stdout.indexOf("Options:"));
    expect(run.stdout).toContain(`--help-all`);
    await expect(run.stdout).toMatchFileSnapshot(`__snapshots__/help/${name}.txt`);
  });

  it.each(Object.keys(COMMANDS))("%s --help-all lists every option", async (name) => {
    const entry = COMMANDS[name];
    const command = await entry?.load();
    const run = await runCliCaptured([name, "--help-all"]);
    expect(run.code).toBe(0);
    for (const option of command?.spellings.options ?? []) {
      expect(run.stdout).toMatch(new RegExp(`^  (-\\w, )?--${option}\\b`, "m"));
    }
    expect(run.stdout).not.toContain("--help-all");
  });
});
