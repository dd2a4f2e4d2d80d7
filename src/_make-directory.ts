import { mkdir, stat } from "node:fs/promises";
import { dirname } from "node:path";

/**
 * `mkdir -p`, one level at a time. Node 20's `mkdir(dir, { recursive: true })` never returns
 * for a path under /proc (the kernel answers ENOENT for a parent that exists, and Node
 * retries forever); walking the levels ourselves turns that into an ENOENT error.
 */
export async function makeDirectory(dir: string): Promise<void> {
  try {
    await mkdir(dir);
    return;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EEXIST" && (await stat(dir)).isDirectory()) return;
    if (code !== "ENOENT" || dirname(dir) === dir) throw error;
  }
  await makeDirectory(dirname(dir));
  try {
    await mkdir(dir);
  } catch (error) {
    // Another process may have made it in between.
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    if (!(await stat(dir)).isDirectory()) throw error;
  }
}
