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

describe("--observe-command written as the docs write it", () => {
  it("runs this kit as `netdata-webhook-kit` and `ndwk`, with neither on the PATH", async () => {
    const observer = await createObserver(
      null,
      "command -v netdata-webhook-kit >/dev/null && netdata-webhook-kit --version && ndwk --version",
      tmpdir(),
    );
    const seen = await observer?.read();
    expect(seen?.problems).toEqual([]);
    const version = JSON.parse(
      await readFile(new URL("../../package.json", import.meta.url), "utf8"),
    ).version as string;
    expect(seen?.text.trim().split("\n")).toEqual(
      [version, version].map((v) => expect.stringContaining(v)),
    );
  });

  it("leaves no shim folder behind", async () => {
    const observer = await createObserver(null, 'dirname "$(command -v ndwk)"', tmpdir());
    const folder = (await observer?.read())?.text.trim() ?? "";
    expect(folder).toContain("ndwk-bin-");
    await expect(readFile(join(folder, "ndwk"))).rejects.toThrow(/ENOENT/);
  });
});

describe("--observe-log that cannot be read", () => {
  it.each([
    ["missing", "nope.log", "file not found (the receiver has written nothing there)"],
    ["a folder", ".", "a folder, not a file"],
  ])("says so in words when it is %s", async (_, name, what) => {
    const path = join(tmpdir(), name);
    const observer = await createObserver(path, null, tmpdir());
    expect((await observer?.read())?.problems).toEqual([`--observe-log ${path}: ${what}`]);
  });
});
