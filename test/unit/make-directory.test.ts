import { existsSync } from "node:fs";
import { mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { makeDirectory } from "../../src/_make-directory.js";

const base = await mkdtemp(join(tmpdir(), "ndwk-mkdir-"));
afterAll(() => rm(base, { recursive: true, force: true }));

describe("makeDirectory", () => {
  it("creates every missing level, and is idempotent", async () => {
    const dir = join(base, "a", "b", "c");
    await makeDirectory(dir);
    await makeDirectory(dir);
    expect((await stat(dir)).isDirectory()).toBe(true);
  });

  it("refuses a path whose last part is a file", async () => {
    const file = join(base, "file");
    await writeFile(file, "x");
    await expect(makeDirectory(file)).rejects.toMatchObject({ code: "EEXIST" });
    await expect(makeDirectory(join(file, "below"))).rejects.toMatchObject({ code: "ENOTDIR" });
  });

  it.skipIf(!existsSync("/proc/self"))(
    "fails with ENOENT under /proc, where Node's recursive mkdir never returns",
    async () => {
      await expect(makeDirectory("/proc/ndwk-nope/dev")).rejects.toMatchObject({
        code: "ENOENT",
      });
    },
  );
});
