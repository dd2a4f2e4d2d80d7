import { randomBytes } from "node:crypto";
import { chmod, rename, rm, writeFile } from "node:fs/promises";

export const CERT_FILE_MODE = 0o644;
export const KEY_FILE_MODE = 0o600;

/**
 * Writes `path` through a fresh temporary file in the same directory, renamed over it, so a
 * reader never sees half a key. The mode is set at creation (a key is never readable by
 * others, even for a moment) and again with chmod, because the umask may have narrowed it.
 */
export async function writePkiFile(path: string, text: string, mode: number): Promise<void> {
  const temporary = `${path}.${randomBytes(6).toString("hex")}.tmp`;
  try {
    // "wx": never follow or reuse an existing file.
    await writeFile(temporary, text, { mode, flag: "wx" });
    await chmod(temporary, mode);
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    const cause = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new Error(`failed to write ${path}: ${cause}`, { cause: error });
  }
}
