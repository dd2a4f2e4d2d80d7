// docs/ci.md's GitHub Actions workflow, run: its `run:` steps in order, each in a fresh bash
// as a runner does, with the job's `env:`, in a project made by `init --template node-http`.
// Two stand-ins: PORT is a free port instead of 8443, and the `npm install` step installs
// the packed kit (which `init` put in vendor/) offline, with this checkout's dependencies.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCliCaptured } from "../helpers/cli.js";
import { installPackedKit } from "../helpers/installed-kit.js";
import { freePort, runScript } from "../helpers/shell-script.js";

const DOC = readFileSync(new URL("../../docs/ci.md", import.meta.url), "utf8");

/** The first yaml block after a `## heading`. */
function yamlAfter(heading: string): string {
  const start = DOC.indexOf(`## ${heading}`);
  const match = /```yaml\n([\s\S]*?)```/.exec(DOC.slice(start));
  if (start < 0 || !match?.[1]) throw new Error(`docs/ci.md has no yaml block under ${heading}`);
  return match[1];
}

/** The job's `env:` entries and the text of each `run:` step (one line, or a `|` block). */
function workflowParts(yaml: string): { env: Record<string, string>; runs: string[] } {
  const lines = yaml.split("\n");
  const env: Record<string, string> = {};
  const runs: string[] = [];
  const indent = (line: string) => line.length - line.trimStart().length;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? "";
    if (/^ {4}env:$/.test(line)) {
      for (let j = i + 1; indent(lines[j] ?? "") === 6; j++) {
        const [, key, value] = /^\s+(\w+): "?([^"]*)"?$/.exec(lines[j] ?? "") ?? [];
        if (key) env[key] = value ?? "";
      }
    }
    const run = /^(\s+)(?:- )?run: (.*)$/.exec(line);
    if (!run) continue;
    if (run[2] !== "|") {
      runs.push(run[2] ?? "");
      continue;
    }
    const block: string[] = [];
    const base = (run[1] ?? "").length;
    for (let j = i + 1; j < lines.length && indent(lines[j] ?? "") > base; j++) {
      block.push((lines[j] ?? "").trim());
    }
    runs.push(block.join("\n"));
  }
  return { env, runs };
}

function portAccepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

const work = mkdtempSync(join(tmpdir(), "ndwk-ci-recipe-"));
const project = join(work, "my-receiver");
afterAll(() => {
  const pidFile = join(project, "receiver.pid");
  if (existsSync(pidFile)) {
    try {
      process.kill(Number(readFileSync(pidFile, "utf8")));
    } catch {
      // already stopped, as the workflow's last step does
    }
  }
  rmSync(work, { recursive: true, force: true });
});

describe("docs/ci.md", () => {
  it("has a GitLab CI job that publishes the JUnit report", () => {
    const job = yamlAfter("GitLab CI");
    expect(job).toContain("--junit-file conformance.xml");
    expect(job).toMatch(/reports:\n\s+junit: conformance\.xml/);
  });

  it("runs the GitHub Actions workflow's steps against a scaffolded receiver: verify passes and writes the JUnit report", async () => {
    const { env, runs } = workflowParts(yamlAfter("GitHub Actions"));
    expect(runs.length).toBeGreaterThanOrEqual(5);
    const init = await runCliCaptured(["init", "my-receiver", "--template", "node-http"], {
      cwd: work,
    });
    expect(init.code, init.stderr).toBe(0);
    const port = await freePort();
    const jobEnv = { ...env, PORT: String(port) };
    const exports = Object.entries(jobEnv).map(([k, v]) => `export ${k}=${JSON.stringify(v)}`);
    for (const step of runs) {
      if (/^npm (ci|install)$/.test(step)) {
        const vendor = readdirSync(join(project, "vendor"));
        installPackedKit(project, join(project, "vendor", vendor[0] ?? ""));
        continue;
      }
      const run = await runScript(["set -e", ...exports, step].join("\n"), project);
      expect(run.code, `step failed:\n${step}\n${run.output}`).toBe(0);
    }
    const junit = readFileSync(join(project, "conformance.xml"), "utf8");
    expect(junit).toMatch(/<testsuite[^>]* failures="0"/);
    expect((junit.match(/<testcase /g) ?? []).length).toBeGreaterThan(20);
    // The stop step's SIGTERM lets the receiver finish what is in flight: give it a moment.
    let open = true;
    for (let i = 0; i < 50 && open; i++) {
      open = await portAccepts(port);
      if (open) await new Promise((r) => setTimeout(r, 100));
    }
    expect(open, "the receiver still accepts connections after the stop step").toBe(false);
    expect(dirname(project)).toBe(work);
  }, 300_000);
});
