import { chmod, mkdir, stat } from "node:fs/promises";
import { dirname } from "node:path";

/**
 * `mkdir -p`, one level at a time. Node 20's `mkdir(dir, { recursive: true })` never returns
 * for a path under /proc (the kernel answers ENOENT for a parent that exists, and Node
 * retries forever); walking the levels ourselves turns that into an ENOENT error.
 * With `mode`, each level it creates gets exactly that mode whatever the umask (existing
 * levels are left alone).
 */
export async function makeDirectory(dir: string, mode?: number): Promise<void> {
  try {
    await create(dir, mode);
    return;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EEXIST" && (await stat(dir)).isDirectory()) return;
    if (code !== "ENOENT" || dirname(dir) === dir) throw error;
  }
  await makeDirectory(dirname(dir), mode);
  try {
    await create(dir, mode);
  } catch (error) {
    // Another process may have made it in between.
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    if (!(await stat(dir)).isDirectory()) throw error;
  }
}

async function create(dir: string, mode: number | undefined): Promise<void> {
  if (mode === undefined) {
    await mkdir(dir);
    return;
  }
  await mkdir(dir, { mode });
  // mkdir's mode passes through the umask, which may add bits as well as remove them.
  await chmod(dir, mode);
}
