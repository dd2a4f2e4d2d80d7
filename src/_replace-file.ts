import { randomBytes } from "node:crypto";
import { chmod, lstat, readFile, rename, rm, unlink, writeFile } from "node:fs/promises";

/**
 * Writes `path` through a fresh temporary file in the same folder, renamed over it. A symlink
 * at `path` is replaced by the file, never written through, so a link planted in a target
 * folder cannot make the kit overwrite a file elsewhere. The temporary file is created "wx"
 * (never an existing file or link); `mode`, when given, is set again after the umask.
 */
export async function replaceFile(
  path: string,
  data: string | Buffer,
  mode?: number,
): Promise<void> {
  const temporary = `${path}.${randomBytes(6).toString("hex")}.tmp`;
  try {
    await writeFile(temporary, data, { flag: "wx", ...(mode === undefined ? {} : { mode }) });
    if (mode !== undefined) await chmod(temporary, mode);
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/** Copies `from` to `to` with replaceFile. */
export async function copyReplacing(from: string, to: string): Promise<void> {
  await replaceFile(to, await readFile(from));
}

/** True when `path` exists as anything, a dangling symlink included. */
export async function pathExists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw error;
  }
}

/** Removes `path` when it is a symlink (to a folder or anything else); true when it did. */
export async function removeIfSymlink(path: string): Promise<boolean> {
  try {
    if (!(await lstat(path)).isSymbolicLink()) return false;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw error;
  }
  await unlink(path);
  return true;
}
