// The README's commands, run as written: the shell blocks of its quick start, "CLI at a
// glance" and `serve` sections, in order, in one shell in an empty folder where the kit is
// installed from its packed tarball. A block preceded by `<!-- readme-test: skip (why) -->`
// is left out. The only change: port 8443 becomes a free port, so parallel runs cannot
// collide. The shell has job control, as an interactive one does. After a line that starts something in the background (`&`), the script waits
// until that port accepts connections, as a person would before typing the next command.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { installPackedKit, packKitInto } from "../helpers/installed-kit.js";
import { freePort, runScript, shellScript } from "../helpers/shell-script.js";

const README = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
const SECTIONS = ["Quick start", "The CLI at a glance", "Receive notifications: `serve`"];
const README_PORT = "8443";
const SKIP_MARK = /<!-- readme-test: skip \(.+\) -->\s*$/;

/** The shell blocks of one `## ` section, without the ones marked to skip. */
function shellBlocks(markdown: string, heading: string): string[] {
  const start = markdown.indexOf(`\n## ${heading}\n`);
  if (start < 0) throw new Error(`README.md has no section "## ${heading}"`);
  const next = markdown.indexOf("\n## ", start + 1);
  const section = markdown.slice(start, next < 0 ? undefined : next);
  const blocks: string[] = [];
  for (const match of section.matchAll(/```sh\n([\s\S]*?)```/g)) {
    const before = section.slice(0, match.index);
    if (!SKIP_MARK.test(before)) blocks.push(match[1] ?? "");
  }
  return blocks;
}

const work = mkdtempSync(join(tmpdir(), "ndwk-readme-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("README.md", () => {
  it("has shell blocks in every section the test runs", () => {
    for (const heading of SECTIONS) expect(shellBlocks(README, heading).length).toBeGreaterThan(0);
  });

  it("runs the quick start, CLI at a glance and serve commands as written, each exiting 0", async () => {
    const project = join(work, "project");
    const tarball = packKitInto(work);
    rmSync(project, { recursive: true, force: true });
    installPackedKit(project, tarball);
    const lines = SECTIONS.flatMap((heading) => shellBlocks(README, heading))
      .flatMap((block) => block.split("\n"))
      .filter((line) => line.trim().length > 0);
    const run = await runScript(shellScript(lines, README_PORT, await freePort()), project);
    expect(run.output).not.toMatch(/script line failed/);
    expect(run.code, run.output).toBe(0);
    expect(run.output).not.toContain("deprecated option");
  }, 600_000);
});
