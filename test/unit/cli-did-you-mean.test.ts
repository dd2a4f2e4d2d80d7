// A mistyped option gets the closest name, in every command: switches, options that take a
// value, and the old names of renamed options (which suggest the current name).
import { describe, expect, it } from "vitest";
import { COMMANDS } from "../../src/commands/_registry.js";
import { editDistance } from "../../src/did-you-mean.js";
import { runCliCaptured } from "../helpers/cli.js";

/** The commonest typo: two neighbouring letters swapped (`--secert`), or one left out. */
function typo(name: string): string {
  for (let i = name.length > 2 ? 1 : 0; i < name.length - 1; i++) {
    const [a, b] = [name[i], name[i + 1]];
    if (a !== b && a !== "-" && b !== "-") {
      return `${name.slice(0, i)}${b}${a}${name.slice(i + 2)}`;
    }
  }
  return name.slice(0, -1);
}

const cases = await Promise.all(
  Object.entries(COMMANDS).map(async ([command, entry]) => {
    const { options, renamed } = (await entry.load()).spellings;
    return [
      ...options.map((name) => [command, name, name] as const),
      ...Object.entries(renamed).map(([old, current]) => [command, old, current] as const),
    ];
  }),
);

describe("did-you-mean for options", () => {
  it("counts a swap of two neighbouring letters as one edit", () => {
    expect(editDistance("secert", "secret")).toBe(1);
    expect(editDistance("certz", "certs")).toBe(1);
    expect(editDistance("pki", "pki")).toBe(0);
  });

  it.each(cases.flat())("%s: a typo of --%s suggests --%s", async (command, name, suggested) => {
    const run = await runCliCaptured([command, `--${typo(name)}`, "x"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`unknown option: --${typo(name)}. Did you mean --${suggested}?`);
  });

  it.each(cases.flat().filter(([, old, current]) => old !== current))(
    "%s --%s, the old name of a renamed option, exits 2 and names --%s",
    async (command, old, current) => {
      const run = await runCliCaptured([command, `--${old}`, "x"]);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(`unknown option: --${old}. Did you mean --${current}?`);
      expect(run.stderr).not.toContain("deprecated");
    },
  );

  it("crc --secert suggests --challenge-secret, the current name of --secret", async () => {
    const run = await runCliCaptured(["crc", "abc", "--secert", "x"]);
    expect(run.stderr).toBe(
      "netdata-webhook-kit crc: unknown option: --secert. Did you mean --challenge-secret? Run 'netdata-webhook-kit crc --help' for the options.\n",
    );
  });
});
