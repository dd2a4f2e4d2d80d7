import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createObserver } from "../../src/simulator/canary.js";

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("--observe-command that does not finish", () => {
  it("is reported as timed out, and its whole process group is ended", async () => {
    const work = await mkdtemp(join(tmpdir(), "ndwk-observe-"));
    try {
      const pidFile = join(work, "child.pid");
      const observer = await createObserver(
        null,
        `sleep 100 & echo $! > ${JSON.stringify(pidFile)}; wait`,
        work,
        { commandTimeoutMs: 300 },
      );
      const { problems } = (await observer?.read()) ?? { problems: [] };
      expect(problems).toEqual([
        "--observe-command: timed out after 0.3 s; its processes were ended",
      ]);
      const child = Number((await readFile(pidFile, "utf8")).trim());
      // The background sleep was in the command's process group: it is gone, not orphaned.
      let tries = 0;
      while (alive(child) && tries++ < 200) await new Promise((r) => setTimeout(r, 10));
      expect(alive(child)).toBe(false);
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  });

  it("still reports a command that fails with its exit code and stderr", async () => {
    const observer = await createObserver(null, "echo nope >&2; exit 7", tmpdir());
    expect((await observer?.read())?.problems).toEqual(["--observe-command: exited with 7: nope"]);
  });
});
