// The README's blocks, run as written: every shell block in order, in one shell in an empty
// folder where the kit is installed from its packed tarball, and every TypeScript block
// type-checked against that installed kit. A block preceded by `<!-- readme-test: skip (why)
// -->` is left out; `<!-- readme-test: file NAME -->` names the file a TypeScript block is
// written to (another block imports it). The only change: the ports it names become free
// ones, so parallel runs cannot collide. The shell has job control, as an interactive one
// does; after a command that starts something in the background on a port it names, the
// script waits until that port accepts connections, as a person would.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { installPackedKit, packKitInto } from "../helpers/installed-kit.js";
import { findServerBinary } from "../helpers/servers.js";
import { fencedBlocks, freePorts, runScript, shellScript } from "../helpers/shell-script.js";

const README = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
/** The fixed ports the README's commands name. */
const README_PORTS = ["8443", "8444", "8080", "8088", "9443"];
const README_MAX_LINES = 300;

const shellLines = fencedBlocks(README, "sh")
  .filter((block) => !block.marker?.startsWith("skip"))
  .flatMap((block) => block.code.split("\n"));
const work = mkdtempSync(join(tmpdir(), "ndwk-readme-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("README.md", () => {
  it(`is at most ${README_MAX_LINES} lines, and every skipped block says why`, () => {
    expect(README.split("\n").length).toBeLessThanOrEqual(README_MAX_LINES);
    for (const block of fencedBlocks(README, "sh")) {
      if (block.marker?.startsWith("skip")) expect(block.marker).toMatch(/^skip \(.+\)$/);
    }
    expect(shellLines.length).toBeGreaterThan(20);
  });

  const nginx = findServerBinary("nginx");
  it.skipIf(nginx.skip)(
    `runs every shell block as written, in order, each command exiting 0 (${nginx.label})`,
    async () => {
      const project = join(work, "shell");
      installPackedKit(project, packKitInto(work));
      const ports = await freePorts(README_PORTS);
      const run = await runScript(shellScript(shellLines, ports), project);
      if (/script line failed/.test(run.output)) writeFileSync("/tmp/readme-run.log", run.output);
      expect(run.output).not.toMatch(/script line failed/);
      expect(run.code, run.output).toBe(0);
      // The proxy recipe's verify passed through the real nginx.
      expect(run.output).toMatch(/PASS/);
    },
    600_000,
  );

  it("type-checks every TypeScript block against the installed kit", () => {
    const project = join(work, "typescript");
    installPackedKit(project, packKitInto(work));
    const files = fencedBlocks(README, "ts").map((block, i) => {
      const name = block.marker?.startsWith("file ") ? block.marker.slice(5) : `block-${i}.ts`;
      writeFileSync(join(project, name), block.code);
      return name;
    });
    expect(files.length).toBeGreaterThan(2);
    writeFileSync(
      join(project, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          module: "nodenext",
          target: "es2022",
          noEmit: true,
          skipLibCheck: true,
          types: ["node"],
        },
        files,
      }),
    );
    writeFileSync(join(project, "package.json"), JSON.stringify({ type: "module" }));
    const tsc = join(project, "node_modules", "typescript", "bin", "tsc");
    try {
      execFileSync(process.execPath, [tsc, "-p", project], { encoding: "utf8" });
    } catch (error) {
      const { stdout, stderr } = error as { stdout?: string; stderr?: string };
      throw new Error(`the README's TypeScript does not compile:\n${stdout}${stderr}`);
    }
  }, 120_000);
});
