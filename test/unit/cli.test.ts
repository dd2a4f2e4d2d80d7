import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, readFileSync } from "node:fs";
import { dirname } from "node:path";
import { describe, expect, it } from "vitest";
import { COMMANDS } from "../../src/commands/_registry.js";
import { RECEIVER_NODE_FLAGS } from "../../src/receiver/limits.js";
import { runCliCaptured } from "../helpers/cli.js";

const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8"));

describe("top-level CLI", () => {
  it("leads --help with examples and lists every command", async () => {
    const run = await runCliCaptured(["--help"]);
    expect(run.code).toBe(0);
    expect(run.stdout.indexOf("Examples:")).toBeLessThan(run.stdout.indexOf("Usage:"));
    for (const name of Object.keys(COMMANDS)) expect(run.stdout).toContain(`  ${name} `);
  });

  it("prints the package version", async () => {
    expect(await runCliCaptured(["--version"])).toMatchObject({
      code: 0,
      stdout: `${pkg.version}\n`,
    });
  });

  it("names an unknown command in one line, suggests the closest and exits 2", async () => {
    const run = await runCliCaptured(["certz"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      "netdata-webhook-kit: unknown command: certz. Did you mean certs? Run 'netdata-webhook-kit --help' for the commands.\n",
    );
  });

  it("names an unknown top-level flag and exits 2", async () => {
    const run = await runCliCaptured(["--frobnicate"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("unknown option: --frobnicate.");
    expect(run.stderr).not.toContain("Did you mean");
  });

  it("names an unknown command flag, suggests the closest one and exits 2", async () => {
    const run = await runCliCaptured(["certs", "--foce"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      "netdata-webhook-kit certs: unknown option: --foce. Did you mean --force? Run 'netdata-webhook-kit certs --help' for the options.\n",
    );
  });

  it.each(Object.keys(COMMANDS))("'%s --help' leads with examples and exits 0", async (name) => {
    const run = await runCliCaptured([name, "--help"]);
    expect(run.code).toBe(0);
    // Either "  $ cmd  # comment" rows, or "  # comment" above "  $ cmd" when too wide.
    expect(run.stdout).toMatch(/^[^\n]+\n\nExamples:\n( {2}# [^\n]+\n)? {2}\$ \S/);
  });

  it.each(Object.entries(COMMANDS))(
    "'%s' has the summary its registry entry shows",
    async (name, entry) => {
      const command = await entry.load();
      expect(command.name).toBe(name);
      expect(command.summary.toLowerCase()).toContain(entry.summary.split(" ")[0]?.toLowerCase());
    },
  );
});

describe("the built bin", () => {
  const bin = new URL("../../dist/cli.js", import.meta.url).pathname;

  it("runs --help as a child process and exits 0", () => {
    const out = execFileSync(process.execPath, [bin, "--help"], { encoding: "utf8" });
    expect(out).toContain("Examples:");
  });

  it("starts through its shebang, as an installed bin does, with the receiver's node flags", () => {
    const shebang = readFileSync(bin, "utf8").split("\n")[0];
    expect(shebang).toBe(`#!/usr/bin/env -S node ${RECEIVER_NODE_FLAGS.join(" ")}`);
    // npm makes a bin executable when it installs it; the build output is not yet.
    chmodSync(bin, 0o755);
    const path = `${dirname(process.execPath)}:${process.env.PATH ?? ""}`;
    const out = execFileSync(bin, ["--version"], {
      encoding: "utf8",
      env: { ...process.env, PATH: path },
    });
    expect(out.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it("exits 2 for an unknown command", () => {
    const run = spawnSync(process.execPath, [bin, "nope"], { encoding: "utf8" });
    expect(run.status).toBe(2);
  });

  const loadedModules = (args: string[]): string[] => {
    const hook = new URL("../helpers/resolve-logger.mjs", import.meta.url).href;
    const register = `import{register}from"node:module";register(${JSON.stringify(hook)})`;
    const run = spawnSync(
      process.execPath,
      ["--import", `data:text/javascript,${register}`, bin, ...args],
      {
        encoding: "utf8",
      },
    );
    return run.stderr.split("\n").filter((line) => line.startsWith("resolved "));
  };

  it("loads no command module for --help (lazy loading keeps start-up fast)", () => {
    const loaded = loadedModules(["--help"]);
    expect(loaded.some((line) => line.endsWith("/dist/commands/_registry.js"))).toBe(true);
    expect(loaded.filter((line) => /\/dist\/commands\/[a-z]+\.js$/.test(line))).toEqual([]);
  });

  it("loads only the command it runs", () => {
    const commands = loadedModules(["crc", "--help"]).filter((line) =>
      /\/dist\/commands\/[a-z]+\.js$/.test(line),
    );
    expect(commands).toEqual([expect.stringMatching(/\/commands\/crc\.js$/)]);
  });
});
