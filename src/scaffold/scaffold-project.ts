import { readdir, readFile, stat } from "node:fs/promises";
import { basename, join, relative, resolve, sep } from "node:path";
import { makeDirectory } from "../_make-directory.js";
import { copyReplacing, removeIfSymlink, replaceFile } from "../_replace-file.js";
import { PACKAGE_VERSION } from "../package-facts.js";
import { findTemplate, kitRoot, TEMPLATE_NAMES, type TemplateInfo } from "./catalogue.js";
import { type KitSource, kitSource } from "./kit-source.js";
import { packKit } from "./pack-kit.js";

/**
 * Files stored under another name in `templates/` so that they do not act on the kit's own
 * checkout or package (a `.gitignore` would hide files from npm pack and git).
 */
const RENAMED_ON_COPY: Readonly<Record<string, string>> = { _gitignore: ".gitignore" };

/** Left behind when someone runs a template in place; never part of a new project. */
const NOT_COPIED = new Set(["node_modules", "dist", "__pycache__", ".venv", "package-lock.json"]);

/** What may already be in a folder that still counts as empty (as `git init` leaves it). */
const IGNORED_IN_TARGET = new Set([".git"]);

/** The pinned Netdata Root CA, copied into every project as its default client CA. */
const NETDATA_CA_SOURCE = "certs/netdata-ca.pem";
const NETDATA_CA_TARGET = "netdata-ca.pem";

export interface ScaffoldOptions {
  template: string;
  /** Where the project goes; created when missing. */
  targetDir: string;
  /**
   * Write into a non-empty folder, replacing files with the same names (others are kept). A
   * symlink with such a name is replaced, never written through.
   */
  force?: boolean;
  /** Where the kit came from (default: detected); decides how the project depends on it. */
  kitSource?: KitSource;
}

/** How a new project's package.json names the kit. */
export interface KitDependency {
  /** The version range, or `file:vendor/netdata-webhook-kit-VERSION.tgz`. */
  spec: string;
  source: KitSource;
  /** The packed kit inside the project, when it is not from the registry. */
  packedPath?: string;
}

export interface ScaffoldResult {
  template: TemplateInfo;
  targetDir: string;
  /** Absolute paths of every file written, in the order they were written. */
  files: string[];
  /** Set when the project has a package.json: how it depends on the kit. */
  kit?: KitDependency;
}

/** A mistake in what was asked (unknown template, non-empty or unusable folder). */
export class ScaffoldError extends Error {
  override name = "ScaffoldError";
}

/** Copies a template into `targetDir` and adapts it to its new name. */
export async function scaffoldProject(options: ScaffoldOptions): Promise<ScaffoldResult> {
  const template = findTemplate(options.template);
  if (!template) {
    throw new ScaffoldError(
      `unknown template: ${JSON.stringify(options.template)}. Pass one of ${TEMPLATE_NAMES.join(", ")}.`,
    );
  }
  const targetDir = resolve(options.targetDir);
  const templateDir = join(kitRoot(), "templates", template.name);
  if (`${targetDir}${sep}`.startsWith(`${templateDir}${sep}`)) {
    throw new ScaffoldError(
      `the folder is inside the template itself: ${targetDir}. Choose a folder elsewhere.`,
    );
  }
  await assertUsableTarget(targetDir, options.force === true);
  const files: string[] = [];
  try {
    await copyTree(templateDir, targetDir, files);
  } catch (error) {
    const { code, path } = error as NodeJS.ErrnoException;
    if (code === undefined) throw error;
    throw new ScaffoldError(
      `failed to write ${path ?? targetDir}: ${code}. Check that the folder is writable, or choose another.`,
    );
  }
  const caTarget = join(targetDir, NETDATA_CA_TARGET);
  await copyReplacing(join(kitRoot(), NETDATA_CA_SOURCE), caTarget);
  files.push(caTarget);
  const packageJson = join(targetDir, "package.json");
  if (!files.includes(packageJson)) return { template, targetDir, files };
  const kit = await kitDependency(targetDir, options.kitSource ?? kitSource(kitRoot()));
  if (kit.packedPath) files.push(join(targetDir, kit.packedPath));
  await adaptPackageJson(packageJson, basename(targetDir), kit.spec);
  return { template, targetDir, files, kit };
}

async function assertUsableTarget(targetDir: string, force: boolean): Promise<void> {
  let entries: string[];
  try {
    const info = await stat(targetDir);
    if (!info.isDirectory()) {
      throw new ScaffoldError(
        `a file, not a folder: ${targetDir}. Choose another path for the new project.`,
      );
    }
    entries = await readdir(targetDir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return;
    if (code === undefined) throw error;
    const why =
      code === "EACCES" || code === "EPERM"
        ? "permission denied"
        : code === "ENOTDIR"
          ? "a part of the path is a file, not a folder"
          : `cannot use the folder (${code})`;
    throw new ScaffoldError(`${why}: ${targetDir}. Choose another folder.`);
  }
  const present = entries.filter((name) => !IGNORED_IN_TARGET.has(name));
  if (present.length > 0 && !force) {
    const shown = present.slice(0, 5).join(", ") + (present.length > 5 ? ", …" : "");
    throw new ScaffoldError(
      `the folder is not empty (${shown}): ${targetDir}. Choose an empty folder, or pass --force to write into it (files with the same names are replaced).`,
    );
  }
}

async function copyTree(fromDir: string, toDir: string, written: string[]): Promise<void> {
  await makeDirectory(toDir);
  const entries = await readdir(fromDir, { withFileTypes: true });
  entries.sort((a, b) => a.name.localeCompare(b.name));
  for (const entry of entries) {
    if (NOT_COPIED.has(entry.name)) continue;
    const from = join(fromDir, entry.name);
    const to = join(toDir, RENAMED_ON_COPY[entry.name] ?? entry.name);
    if (entry.isDirectory()) {
      // A link where a folder goes would take the copy elsewhere: replace it with the folder.
      await removeIfSymlink(to);
      await copyTree(from, to, written);
    } else if (entry.isFile()) {
      await copyReplacing(from, to);
      written.push(to);
    }
  }
}

/**
 * A registry install is named by its version range; anything else (a checkout, a tarball)
 * is not on the registry, so it is packed into the project and named by that file.
 */
async function kitDependency(targetDir: string, source: KitSource): Promise<KitDependency> {
  if (source === "registry") return { spec: `^${await kitVersion()}`, source };
  let packedPath: string;
  try {
    packedPath = await packKit(kitRoot(), targetDir);
  } catch (error) {
    throw new ScaffoldError(`${(error as Error).message}. Check that npm is on the PATH.`);
  }
  return { spec: `file:${packedPath}`, source, packedPath };
}

/**
 * Edits package.json as JSON: the project takes the folder's name and depends on the kit
 * as `spec` (a template without it gets it as a devDependency, for `npx netdata-webhook-kit`).
 */
async function adaptPackageJson(path: string, folderName: string, spec: string): Promise<void> {
  const pkg = JSON.parse(await readFile(path, "utf8")) as Record<string, unknown>;
  pkg.name = toPackageName(folderName);
  const dependencies = pkg.dependencies as Record<string, string> | undefined;
  if (dependencies && Object.hasOwn(dependencies, "netdata-webhook-kit")) {
    dependencies["netdata-webhook-kit"] = spec;
  } else {
    const dev = (pkg.devDependencies ?? {}) as Record<string, string>;
    dev["netdata-webhook-kit"] = spec;
    pkg.devDependencies = dev;
  }
  await replaceFile(path, `${JSON.stringify(pkg, null, 2)}\n`);
}

/** An npm package name from a folder name ("My Receiver" -> "my-receiver"). */
export function toPackageName(folderName: string): string {
  const name = folderName
    .trim()
    .toLowerCase()
    .replace(/\s+/g, "-")
    .replace(/^[._]+/, "")
    .replace(/[^a-z0-9-~._]+/g, "-")
    .replace(/^-+|-+$/g, "");
  return name.length > 0 ? name : "netdata-receiver";
}

async function kitVersion(): Promise<string> {
  return PACKAGE_VERSION;
}

/** A path as the user should read it: relative to `cwd` when inside it. */
export function displayPath(path: string, cwd: string): string {
  const rel = relative(cwd, path);
  return rel.length > 0 && !rel.startsWith("..") ? rel : path;
}
