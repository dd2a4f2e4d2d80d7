// The kit as a user's project has it: the tarball `npm pack` makes, unpacked into
// PROJECT/node_modules/netdata-webhook-kit with its bins in node_modules/.bin, so that
// `npx netdata-webhook-kit` resolves it from the project as npx does after `npm install`.
// Its dependencies are this checkout's own installed ones, linked rather than downloaded.
import { execFileSync } from "node:child_process";
import {
  chmodSync,
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  renameSync,
  symlinkSync,
} from "node:fs";
import { basename, join } from "node:path";

const REPO = new URL("../..", import.meta.url).pathname;

/** Where the run's one packed kit is (global-setup packs it once for every test file). */
export const PACKED_KIT_ENV = "NDWK_TEST_PACKED_KIT";

/**
 * The packed kit in `dir`: a copy of the run's one tarball when global-setup made it, else
 * packed from this checkout (its built dist/) now. Returns the tarball's path.
 */
export function packKitInto(dir: string): string {
  const shared = process.env[PACKED_KIT_ENV];
  if (shared && existsSync(shared)) {
    const copy = join(dir, basename(shared));
    copyFileSync(shared, copy);
    return copy;
  }
  return packNow(dir);
}

function packNow(dir: string): string {
  const out = execFileSync(
    "npm",
    ["pack", "--ignore-scripts", "--json", "--pack-destination", dir],
    { cwd: REPO, encoding: "utf8", env: { ...process.env, npm_config_loglevel: "error" } },
  );
  const [packed] = JSON.parse(out) as Array<{ filename: string }>;
  if (!packed) throw new Error(`npm pack printed no tarball: ${out}`);
  return join(dir, packed.filename);
}

/**
 * Installs the packed kit into `projectDir` as npm would, without the network. `without`
 * leaves those dependencies out, as on a runtime where they cannot be installed.
 */
export function installPackedKit(
  projectDir: string,
  tarball: string,
  without: readonly string[] = [],
): void {
  const nodeModules = join(projectDir, "node_modules");
  mkdirSync(join(nodeModules, ".bin"), { recursive: true });
  execFileSync("tar", ["xzf", tarball, "-C", nodeModules]);
  renameSync(join(nodeModules, "package"), join(nodeModules, "netdata-webhook-kit"));
  for (const name of readdirSync(join(REPO, "node_modules"))) {
    if (name.startsWith(".") || name === "netdata-webhook-kit" || without.includes(name)) continue;
    symlinkSync(join(REPO, "node_modules", name), join(nodeModules, name));
  }
  const cli = join(nodeModules, "netdata-webhook-kit", "dist", "cli.js");
  chmodSync(cli, 0o755);
  for (const bin of ["netdata-webhook-kit", "ndwk"]) {
    symlinkSync("../netdata-webhook-kit/dist/cli.js", join(nodeModules, ".bin", bin));
  }
}

/**
 * Installs the packed kit into `projectDir` with copies of its run-time dependencies (not
 * links into this checkout, which another user may not be able to read), for a test that
 * runs the kit as an unprivileged user.
 */
export function installPackedKitCopy(projectDir: string, tarball: string): void {
  const nodeModules = join(projectDir, "node_modules");
  mkdirSync(join(nodeModules, ".bin"), { recursive: true });
  execFileSync("tar", ["xzf", tarball, "-C", nodeModules]);
  renameSync(join(nodeModules, "package"), join(nodeModules, "netdata-webhook-kit"));
  const listed = execFileSync("npm", ["ls", "--omit=dev", "--parseable", "--all"], {
    cwd: REPO,
    encoding: "utf8",
  });
  const repoModules = join(REPO, "node_modules");
  for (const dir of listed.split("\n")) {
    if (!dir.startsWith(`${repoModules}/`)) continue;
    const target = join(nodeModules, dir.slice(repoModules.length + 1));
    mkdirSync(join(target, ".."), { recursive: true });
    cpSync(dir, target, { recursive: true, dereference: true });
  }
  const cli = join(nodeModules, "netdata-webhook-kit", "dist", "cli.js");
  chmodSync(cli, 0o755);
  for (const bin of ["netdata-webhook-kit", "ndwk"]) {
    symlinkSync("../netdata-webhook-kit/dist/cli.js", join(nodeModules, ".bin", bin));
  }
}
