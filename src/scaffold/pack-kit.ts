import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { makeDirectory } from "../_make-directory.js";

const run = promisify(execFile);

/** The folder of a new project that holds the packed kit. */
export const VENDOR_DIR = "vendor";

/**
 * Packs the kit at `root` into `projectDir/vendor/` with `npm pack` (scripts off: the build
 * output is already there, since it is what runs) and returns the tarball's path relative
 * to the project, e.g. `vendor/netdata-webhook-kit-0.1.0.tgz`.
 */
export async function packKit(root: string, projectDir: string): Promise<string> {
  const destination = join(projectDir, VENDOR_DIR);
  await makeDirectory(destination);
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  let stdout: string;
  try {
    ({ stdout } = await run(
      npm,
      ["pack", "--ignore-scripts", "--json", "--pack-destination", destination],
      { cwd: root, env: { ...process.env, npm_config_loglevel: "error" } },
    ));
  } catch (error) {
    const { stderr, message } = error as { stderr?: string; message: string };
    throw new Error(`failed to pack the kit with npm pack in ${root}: ${stderr || message}`);
  }
  const [packed] = JSON.parse(stdout) as Array<{ filename: string }>;
  if (!packed) throw new Error(`npm pack in ${root} reported no tarball`);
  return `${VENDOR_DIR}/${packed.filename}`;
}
