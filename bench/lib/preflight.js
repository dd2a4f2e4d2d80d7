// @ts-check
// Before anything is measured: a current build of the kit, the outside programs the rows
// need, and a description of the machine the figures come from.
import { execFileSync, spawnSync } from "node:child_process";
import { accessSync, constants, existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { cpus, release, totalmem } from "node:os";
import { delimiter, join } from "node:path";

const APT_PACKAGES = ["apache2-utils", "nginx", "openssl"];
/** The programs the rows run, and the Debian package of each. */
const TOOLS = [
  { name: "ab", pkg: "apache2-utils", row: "2" },
  { name: "nginx", pkg: "nginx", row: "3" },
  { name: "openssl", pkg: "openssl", row: "6" },
];

/** Thrown when the bench cannot run here; run.js prints it and exits with `exitCode`. */
export class PreflightError extends Error {
  /** @param {string} message @param {number} exitCode */
  constructor(message, exitCode) {
    super(message);
    this.exitCode = exitCode;
  }
}

/**
 * Builds dist/ (npm run build) when dist/index.js is missing or older than a file in src/.
 * @param {string} repoDir
 * @param {(message: string) => void} progress
 */
export function ensureBuild(repoDir, progress) {
  const built = join(repoDir, "dist", "index.js");
  const builtAt = existsSync(built) ? statSync(built).mtimeMs : 0;
  const newest = newestMtime(join(repoDir, "src"));
  if (builtAt >= newest) return;
  progress(
    builtAt === 0
      ? "dist/ is missing: npm run build"
      : "src/ changed since the last build: npm run build",
  );
  const result = spawnSync("npm", ["run", "build"], { cwd: repoDir, stdio: ["ignore", 2, 2] });
  if (result.status !== 0) {
    throw new PreflightError(
      "failed to build the kit: `npm run build` failed (output above). Fix it and run `npm run bench` again.",
      1,
    );
  }
}

/** @param {string} dir */
function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    const mtime = entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs;
    newest = Math.max(newest, mtime);
  }
  return newest;
}

/**
 * The absolute path of each program; installs missing ones with apt-get when running as root,
 * otherwise says which command to run.
 * @param {(message: string) => void} progress
 * @returns {Record<string, string>}
 */
export function ensureTools(progress) {
  let missing = TOOLS.filter((tool) => findProgram(tool.name) === null);
  if (missing.length > 0 && process.getuid?.() === 0) {
    progress(
      `installing ${missing.map((t) => t.name).join(", ")}: apt-get install -y ${APT_PACKAGES.join(" ")}`,
    );
    let result = spawnSync("apt-get", ["install", "-y", ...APT_PACKAGES], {
      stdio: ["ignore", 2, 2],
    });
    if (result.status !== 0) {
      spawnSync("apt-get", ["update"], { stdio: ["ignore", 2, 2] });
      result = spawnSync("apt-get", ["install", "-y", ...APT_PACKAGES], {
        stdio: ["ignore", 2, 2],
      });
    }
    missing = TOOLS.filter((tool) => findProgram(tool.name) === null);
  }
  if (missing.length > 0) {
    const list = missing.map((t) => `${t.name} (row ${t.row})`).join(", ");
    throw new PreflightError(
      `the bench needs ${list}, which ${missing.length === 1 ? "is" : "are"} not installed.\n` +
        `Install ${missing.length === 1 ? "it" : "them"} and run it again:\n\n  sudo apt-get install -y ${APT_PACKAGES.join(" ")}\n`,
      2,
    );
  }
  return Object.fromEntries(
    TOOLS.map((tool) => [tool.name, /** @type {string} */ (findProgram(tool.name))]),
  );
}

/**
 * A program on PATH, or in /usr/sbin (nginx lives there, and not every PATH has it).
 * @param {string} name
 * @returns {string | null}
 */
export function findProgram(name) {
  const dirs = [...(process.env.PATH ?? "").split(delimiter), "/usr/sbin", "/usr/local/sbin"];
  for (const dir of dirs.filter((d) => d.length > 0)) {
    try {
      accessSync(join(dir, name), constants.X_OK);
      return join(dir, name);
    } catch {
      // not in this folder
    }
  }
  return null;
}

/**
 * What the figures depend on: the machine and the versions of everything measured.
 * @param {Record<string, string>} tools
 */
export function describeMachine(tools) {
  const cpuList = cpus();
  const version = (/** @type {string} */ program, /** @type {string[]} */ args) => {
    const result = spawnSync(program, args, { encoding: "utf8" });
    return `${result.stdout}${result.stderr}`.trim().split("\n")[0] ?? "unknown";
  };
  return {
    machine: {
      cpuModel: cpuList[0]?.model.trim() ?? "unknown",
      cores: cpuList.length,
      totalMemoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
      os: `${osName()}, Linux ${release()} ${process.arch}`,
    },
    versions: {
      node: process.version,
      nodeOpenssl: process.versions.openssl,
      opensslCli: execFileSync(/** @type {string} */ (tools.openssl), ["version"], {
        encoding: "utf8",
      }).trim(),
      nginx: version(/** @type {string} */ (tools.nginx), ["-v"]),
      ab: version(/** @type {string} */ (tools.ab), ["-V"]),
    },
  };
}

function osName() {
  try {
    const text = readFileSync("/etc/os-release", "utf8");
    return /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(text)?.[1] ?? "unknown OS";
  } catch {
    return "unknown OS";
  }
}
