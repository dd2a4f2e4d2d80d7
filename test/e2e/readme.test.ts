// The README's commands, run as written: the shell blocks of its quick start, "CLI at a
// glance" and `serve` sections, in order, in one shell in an empty folder where the kit is
// installed from its packed tarball. A block preceded by `<!-- readme-test: skip (why) -->`
// is left out. The only change: port 8443 becomes a free port, so parallel runs cannot
// collide. The shell has job control, as an interactive one does. After a line that starts something in the background (`&`), the script waits
// until that port accepts connections, as a person would before typing the next command.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { installPackedKit, packKitInto } from "../helpers/installed-kit.js";

const README = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
const SECTIONS = ["Quick start", "The CLI at a glance", "Receive notifications: `serve`"];
const README_PORT = "8443";
const SKIP_MARK = /<!-- readme-test: skip \(.+\) -->\s*$/;

/** The shell blocks of one `## ` section, without the ones marked to skip. */
export function shellBlocks(markdown: string, heading: string): string[] {
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

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** The script: each README line echoed, then run; a failing line stops it and is named. */
function script(lines: string[], port: number): string {
  const body = lines.flatMap((line) => {
    const command = line.replaceAll(README_PORT, String(port));
    const out = [`echo ${JSON.stringify(`$ ${command}`)}`, command];
    if (/&\s*(#.*)?$/.test(command)) {
      out.push(
        `for i in $(seq 300); do (exec 3<>/dev/tcp/127.0.0.1/${port}) 2>/dev/null && break; kill -0 $! 2>/dev/null || { echo "README line failed: the background command exited" >&2; exit 1; }; sleep 0.1; done`,
      );
    }
    return out;
  });
  return [
    // Job control, as in the terminal a reader types into: a background job gets its own
    // process group, so `kill %1` stops npx and the receiver it started.
    "set -m",
    "set -eE",
    "trap 'for job in $(jobs -p); do kill -- -$job 2>/dev/null; done' EXIT",
    `trap 'echo "README line failed (exit $?): $BASH_COMMAND" >&2' ERR`,
    ...body,
    "wait",
  ].join("\n");
}

function runScript(text: string, cwd: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn("bash", ["-c", text], {
      cwd,
      env: {
        PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ""}`,
        HOME: process.env.HOME ?? cwd,
        NO_COLOR: "1",
        npm_config_offline: "true",
        npm_config_update_notifier: "false",
        npm_config_fund: "false",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, output }));
  });
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
    const run = await runScript(script(lines, await freePort()), project);
    expect(run.output).not.toMatch(/README line failed/);
    expect(run.code, run.output).toBe(0);
    expect(run.output).not.toContain("deprecated option");
  }, 600_000);
});
