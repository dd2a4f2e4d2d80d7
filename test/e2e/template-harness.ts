// Shared steps of the template end-to-end tests: scaffold a template into a temporary
// folder as `init` does, run a command in it, start the project as its README says and
// wait for the URL it logs, then play Netdata Cloud against it.
import { execFileSync, spawn } from "node:child_process";
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import * as http from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import type { TemplateName } from "../../src/scaffold/catalogue.js";
import { scaffoldProject } from "../../src/scaffold/scaffold-project.js";
import type { VerifyReport } from "../../src/simulator/types.js";
import { installPackedKit } from "../helpers/installed-kit.js";
import { stopChild } from "../helpers/servers.js";

/** Under CI a missing tool fails the tests that need it; elsewhere they skip with the reason. */
export const IN_CI = process.env.CI === "true";

/** Debian's python3-flask installs for the system interpreter, not for a pyenv one on PATH. */
export const SYSTEM_PYTHON = "/usr/bin/python3";

/** True when the system Python can import `module` (flask, waitress). */
export function pythonHas(module: string): boolean {
  try {
    execFileSync(SYSTEM_PYTHON, ["-c", `import ${module}`], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** How long a started project may take to log its URL (Python imports Flask cold). */
const START_TIMEOUT_MS = 30_000;

export interface ScaffoldedProject {
  /** The temporary folder holding the project (and whatever else the test writes). */
  root: string;
  /** The project folder itself. */
  dir: string;
  remove: () => Promise<void>;
}

export async function scaffoldTemplate(template: TemplateName): Promise<ScaffoldedProject> {
  const root = await mkdtemp(join(tmpdir(), `ndwk-${template}-`));
  const dir = join(root, "receiver");
  await scaffoldProject({ template, targetDir: dir });
  return { root, dir, remove: () => rm(root, { recursive: true, force: true }) };
}

/**
 * A template scaffolded as `init` does from this checkout (which packs the kit into its
 * vendor/ folder), with that packed kit installed as `npm install` would, without the network.
 */
export async function scaffoldWithPackedKit(template: TemplateName): Promise<ScaffoldedProject> {
  const root = await mkdtemp(join(tmpdir(), `ndwk-${template}-`));
  const dir = join(root, "receiver");
  const { kit } = await scaffoldProject({ template, targetDir: dir });
  if (!kit?.packedPath) throw new Error(`init did not pack the kit into ${dir}`);
  installPackedKit(dir, join(dir, kit.packedPath));
  return { root, dir, remove: () => rm(root, { recursive: true, force: true }) };
}

/**
 * The environment a project runs with: the settings given and just enough of the test's
 * own environment to find programs, so a variable of the developer's shell cannot leak in.
 */
export function projectEnv(settings: Record<string, string>): NodeJS.ProcessEnv {
  const keep = ["PATH", "HOME", "LANG", "TMPDIR", "npm_config_cache", "NODE_OPTIONS"];
  const base = Object.fromEntries(
    keep.flatMap((k) => (process.env[k] ? [[k, process.env[k]]] : [])),
  );
  return { ...base, ...settings };
}

export interface CommandResult {
  code: number | null;
  output: string;
}

/** Runs a command to completion (npm install, npm test), capturing stdout and stderr together. */
export function runCommand(
  command: string,
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs: number },
): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
    };
    child.stdout.on("data", collect);
    child.stderr.on("data", collect);
    const timer = setTimeout(() => {
      output += `\n[test harness] killed after ${options.timeoutMs} ms\n`;
      child.kill("SIGKILL");
    }, options.timeoutMs);
    child.once("error", reject);
    child.once("close", (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

export interface StartedProject {
  /** The webhook URL the project logged ("listening on URL"). */
  url: string;
  /** Everything it printed so far. */
  output: () => string;
  /** Exit code once it exited, else null. */
  exitCode: () => number | null;
  stop: () => Promise<void>;
  /**
   * The output once it contains `text`, or as it is after `timeoutMs` (for the assertion
   * that follows to show). A log line written while answering may reach the pipe after the
   * answer has reached the test.
   */
  outputWith: (text: string, timeoutMs?: number) => Promise<string>;
  /** SIGKILL, as a crash or the OOM killer would end it; resolves once it has exited. */
  crash: () => Promise<void>;
}

/** Starts a long-running project and resolves with the URL it logs once it listens. */
export function startProject(
  command: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv },
): Promise<StartedProject> {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  let settled = false;
  return new Promise((resolve, reject) => {
    const fail = (why: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void stopChild(child).then(() =>
        reject(new Error(`${command} ${args.join(" ")} ${why}:\n${output}`)),
      );
    };
    const timer = setTimeout(
      () => fail(`logged no URL within ${START_TIMEOUT_MS} ms`),
      START_TIMEOUT_MS,
    );
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
      const url = /listening on (https?:\/\/[^\s"]+)/.exec(output)?.[1];
      if (url === undefined || settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({
        url,
        output: () => output,
        exitCode: () => child.exitCode,
        stop: () => stopChild(child),
        outputWith: async (text, timeoutMs = 10_000) => {
          for (let waited = 0; !output.includes(text) && waited < timeoutMs; waited += 50) {
            await sleep(50);
          }
          return output;
        },
        crash: () =>
          new Promise<void>((done) => {
            if (child.exitCode !== null || child.signalCode !== null) return done();
            child.once("exit", () => done());
            child.kill("SIGKILL");
          }),
      });
    };
    child.stdout.on("data", collect);
    child.stderr.on("data", collect);
    child.once("error", (error) => fail(`failed to start: ${error.message}`));
    child.once("exit", (code, signal) => fail(`exited (${code ?? signal}) before listening`));
  });
}

/** Every check of a verify report that did not pass, as "id: status: summary" lines. */
export function notPassed(report: VerifyReport): string[] {
  if (report.checks.length === 0) return ["no check ran"];
  const unreachable = report.unreachableReason ? [`unreachable: ${report.unreachableReason}`] : [];
  const checks = report.checks.filter((c) => c.status !== "pass");
  return [...unreachable, ...checks.map((c) => `${c.id} (${c.level}): ${c.status}: ${c.summary}`)];
}

const KIT_ROOT = fileURLToPath(new URL("../../", import.meta.url));
/**
 * npm install compiles better-sqlite3 (sqlite3.c at -O3): minutes on 2 cores, more when they
 * are busy. npm pack runs with scripts off: `npm test` has built dist/ already, and a second
 * build (the prepare script) would rewrite dist/ while other test files pack or read it.
 */
const PACK_TIMEOUT_MS = 180_000;
const INSTALL_TIMEOUT_MS = 480_000;
const BUILD_TIMEOUT_MS = 60_000;
/** The longest installAgainstPackedKit may take, for the hook that calls it. */
export const INSTALL_AGAINST_PACKED_KIT_TIMEOUT_MS =
  PACK_TIMEOUT_MS + INSTALL_TIMEOUT_MS + BUILD_TIMEOUT_MS;

/**
 * Packs the kit from this checkout into the project's temporary folder, points the project's
 * dependency at the tarball (package.json edited as JSON), then installs and builds the
 * project as a user would.
 */
export async function installAgainstPackedKit(project: ScaffoldedProject): Promise<void> {
  const pack = await runCommand(
    "npm",
    ["pack", "--ignore-scripts", "--pack-destination", project.root],
    {
      cwd: KIT_ROOT,
      timeoutMs: PACK_TIMEOUT_MS,
    },
  );
  if (pack.code !== 0) throw new Error(`npm pack failed:\n${pack.output}`);
  const tarballs = (await readdir(project.root)).filter((name) => name.endsWith(".tgz"));
  if (tarballs.length !== 1 || !tarballs[0])
    throw new Error(`npm pack wrote ${tarballs.length} tarballs:\n${pack.output}`);
  const tarball = join(project.root, tarballs[0]);
  const manifestPath = join(project.dir, "package.json");
  const manifest = JSON.parse(await readFile(manifestPath, "utf8"));
  manifest.dependencies["netdata-webhook-kit"] = `file:${tarball}`;
  await writeFile(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  const install = await runCommand("npm", ["install", "--no-audit", "--no-fund"], {
    cwd: project.dir,
    timeoutMs: INSTALL_TIMEOUT_MS,
  });
  if (install.code !== 0) throw new Error(`npm install failed:\n${install.output}`);
  const build = await runCommand("npm", ["run", "build"], {
    cwd: project.dir,
    timeoutMs: BUILD_TIMEOUT_MS,
  });
  if (build.code !== 0) throw new Error(`npm run build failed:\n${build.output}`);
}

/**
 * A copy of `template` installed against the packed kit, in a temporary folder of its own.
 * Packing and installing take minutes on two cores, so it is done once per test run and
 * shared by the test files that need it: they run in separate workers, the first to get here
 * installs into the run's temporary folder (which the global teardown removes) and the others
 * wait for its marker file. Each caller gets its own copy, so that one file rebuilding or
 * writing into its project cannot disturb another.
 */
export async function installedTemplateCopy(template: TemplateName): Promise<ScaffoldedProject> {
  const shared = join(tmpdir(), `ndwk-installed-${template}`);
  const marker = join(shared, "installed.json");
  const owner = await mkdir(shared).then(
    () => true,
    (error: NodeJS.ErrnoException) => {
      if (error.code === "EEXIST") return false;
      throw error;
    },
  );
  if (owner) {
    try {
      const project = { root: shared, dir: join(shared, "receiver"), remove: async () => {} };
      await scaffoldProject({ template, targetDir: project.dir });
      await installAgainstPackedKit(project);
      await writeFile(marker, JSON.stringify({ ok: true }));
    } catch (error) {
      await writeFile(marker, JSON.stringify({ ok: false, error: String(error) }));
      throw error;
    }
  } else {
    await waitForMarker(marker, template);
  }
  const root = await mkdtemp(join(tmpdir(), `ndwk-${template}-`));
  const dir = join(root, "receiver");
  await cp(join(shared, "receiver"), dir, { recursive: true, verbatimSymlinks: true });
  return { root, dir, remove: () => rm(root, { recursive: true, force: true }) };
}

async function waitForMarker(marker: string, template: TemplateName): Promise<void> {
  const deadline = Date.now() + INSTALL_AGAINST_PACKED_KIT_TIMEOUT_MS;
  for (;;) {
    const text = await readFile(marker, "utf8").catch(() => null);
    if (text !== null) {
      const result = JSON.parse(text) as { ok: boolean; error?: string };
      if (result.ok) return;
      throw new Error(`installing ${template} failed in another test file: ${result.error}`);
    }
    if (Date.now() > deadline) throw new Error(`${template} was not installed in time`);
    await sleep(500);
  }
}

/** A POST from `localAddress`: the status, or the connection error's code. */
export function postFrom(
  url: string,
  localAddress: string,
  headers: Record<string, string | string[]>,
  body: string,
): Promise<number | string> {
  return new Promise((resolve) => {
    const req = http.request(url, { method: "POST", localAddress, agent: false, headers });
    req.on("response", (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    req.end(body);
  });
}

/** The headers a TLS proxy adds for a verified Netdata client. */
export const VERIFIED = {
  "content-type": "application/json",
  "x-client-verify": "SUCCESS",
  "x-client-dn": "CN=app.netdata.cloud",
};
