import {
  lstat,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rm,
  stat,
  symlink,
  writeFile,
} from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { TEMPLATE_NAMES } from "../../src/scaffold/catalogue.js";
import { scaffoldProject, toPackageName } from "../../src/scaffold/scaffold-project.js";
import { runCliCaptured } from "../helpers/cli.js";

const kitPackage = JSON.parse(
  await readFile(new URL("../../package.json", import.meta.url), "utf8"),
) as { version: string };
const netdataCa = await readFile(new URL("../../certs/netdata-ca.pem", import.meta.url), "utf8");

let work: string;
beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), "ndwk-init-"));
});
afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

const init = (...args: string[]) => runCliCaptured(["init", ...args], { cwd: work });

async function filesUnder(dir: string, prefix = ""): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const rel = `${prefix}${entry.name}`;
    if (entry.isDirectory()) out.push(...(await filesUnder(join(dir, entry.name), `${rel}/`)));
    else out.push(rel);
  }
  return out.sort();
}

describe("init --list", () => {
  it("lists all three templates, one line each, and marks the default", async () => {
    const run = await init("--list");
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split("\n");
    expect(lines.map((l) => l.split(/\s+/)[0])).toEqual([
      "express-ts",
      "node-http",
      "python-flask",
    ]);
    expect(lines[0]).toContain("(default)");
  });
});

describe("init <dir>", () => {
  it.each(TEMPLATE_NAMES)("writes the %s template and prints every file it wrote", async (name) => {
    const run = await init("my-receiver", "--template", name);
    expect(run.code, run.stderr).toBe(0);
    const written = await filesUnder(join(work, "my-receiver"));
    for (const file of written) expect(run.stdout).toContain(`wrote my-receiver/${file}\n`);
    expect(run.stdout).toContain("Next steps:\n  cd my-receiver\n");
    expect(written).toContain(".gitignore");
    expect(written).toContain("README.md");
    expect(written).not.toContain("_gitignore");
  });

  it("copies the pinned Netdata Root CA into the project as netdata-ca.pem", async () => {
    await init("hooks", "--template", "node-http");
    expect(await readFile(join(work, "hooks", "netdata-ca.pem"), "utf8")).toBe(netdataCa);
  });

  it("uses express-ts when no template is named", async () => {
    const run = await init("hooks");
    expect(run.stdout).toContain("from the express-ts template");
    expect(await stat(join(work, "hooks", "tsconfig.json"))).toBeTruthy();
  });

  it("run from a checkout, packs the kit into the project and depends on that file, saying so in one line", async () => {
    const run = await init("My Hooks", "--template", "express-ts");
    const pkg = JSON.parse(await readFile(join(work, "My Hooks", "package.json"), "utf8"));
    expect(pkg.name).toBe("my-hooks");
    expect(run.stdout).toContain("Next steps:\n  cd 'My Hooks'\n");
    const tarball = `vendor/netdata-webhook-kit-${kitPackage.version}.tgz`;
    expect(pkg.dependencies["netdata-webhook-kit"]).toBe(`file:${tarball}`);
    expect((await stat(join(work, "My Hooks", tarball))).size).toBeGreaterThan(10_000);
    expect(run.stdout).toContain(
      `The running kit is a source checkout, so it was packed into ${tarball} and package.json depends on it as file:${tarball}.\n`,
    );
  });

  it("installed from the registry, depends on this version of the kit by range", async () => {
    const dir = join(work, "from-registry");
    const result = await scaffoldProject({
      template: "node-http",
      targetDir: dir,
      kitSource: "registry",
    });
    const pkg = JSON.parse(await readFile(join(dir, "package.json"), "utf8"));
    expect(pkg.dependencies["netdata-webhook-kit"]).toBe(`^${kitPackage.version}`);
    expect(result.files.some((file) => file.includes("vendor"))).toBe(false);
  });

  it("creates missing parent folders", async () => {
    const run = await init("a/b/c", "--template", "python-flask");
    expect(run.code).toBe(0);
    expect(await stat(join(work, "a/b/c/app.py"))).toBeTruthy();
  });

  it("accepts a folder that holds only .git, as git init leaves it", async () => {
    await mkdir(join(work, "repo", ".git"), { recursive: true });
    expect((await init("repo", "--template", "node-http")).code).toBe(0);
  });
});

describe("init refuses", () => {
  it("a non-empty folder without --force: exit 2, naming the folder, nothing written", async () => {
    await mkdir(join(work, "busy"));
    await writeFile(join(work, "busy", "notes.txt"), "mine");
    const run = await init("busy");
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(join(work, "busy"));
    expect(run.stderr).toContain("--force");
    expect(await readdir(join(work, "busy"))).toEqual(["notes.txt"]);
  });

  it("a folder that cannot be written: exit 2 with the path and the error code, no stack", async () => {
    await writeFile(join(work, "a-file"), "x");
    const run = await init(join(work, "a-file", "below"));
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      `netdata-webhook-kit init: a part of the path is a file, not a folder: ${join(work, "a-file", "below")}. Choose another folder.\n`,
    );
    expect(run.stderr).not.toContain("    at ");
  });

  it("writes into a non-empty folder with --force and keeps unrelated files", async () => {
    await mkdir(join(work, "busy"));
    await writeFile(join(work, "busy", "notes.txt"), "mine");
    await writeFile(join(work, "busy", "README.md"), "old");
    const run = await init("busy", "--force", "--template", "node-http");
    expect(run.code).toBe(0);
    expect(await readFile(join(work, "busy", "notes.txt"), "utf8")).toBe("mine");
    expect(await readFile(join(work, "busy", "README.md"), "utf8")).toContain("# Netdata Cloud");
  });

  it("with --force, replaces a symlink in the target instead of writing through it", async () => {
    const outside = join(work, "outside");
    await mkdir(outside);
    await writeFile(join(outside, "README.md"), "precious");
    await mkdir(join(work, "linked"));
    await symlink(join(outside, "README.md"), join(work, "linked", "README.md"));
    const run = await init("linked", "--force", "--template", "node-http");
    expect(run.code).toBe(0);
    expect(await readFile(join(outside, "README.md"), "utf8")).toBe("precious");
    expect((await lstat(join(work, "linked", "README.md"))).isSymbolicLink()).toBe(false);
  });

  it("with --force, replaces a symlinked folder instead of copying into its target", async () => {
    const outside = join(work, "elsewhere");
    await mkdir(outside);
    await mkdir(join(work, "linked-dir"));
    await symlink(outside, join(work, "linked-dir", "src"));
    const run = await init("linked-dir", "--force", "--template", "express-ts");
    expect(run.code).toBe(0);
    expect(await readdir(outside)).toEqual([]);
    expect((await lstat(join(work, "linked-dir", "src"))).isDirectory()).toBe(true);
  });

  it("an unknown template: exit 2, listing the valid names", async () => {
    const run = await init("x", "--template", "rails");
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--template: unknown template: "rails".');
    expect(run.stderr).toContain("express-ts, node-http, python-flask");
  });

  it("a path that is a file: exit 2", async () => {
    await writeFile(join(work, "file"), "x");
    const run = await init("file");
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("a file, not a folder");
  });

  it("a folder inside the template it would copy: exit 2", async () => {
    const template = fileURLToPath(new URL("../../templates/node-http/copy", import.meta.url));
    const run = await init(template, "--template", "node-http");
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("inside the template itself");
  });

  it("no folder at all: exit 2 with an example", async () => {
    const run = await init();
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("init my-receiver");
  });
});

describe("toPackageName", () => {
  it.each([
    ["My Receiver", "my-receiver"],
    [".hidden", "hidden"],
    ["a@b!c", "a-b-c"],
    ["***", "netdata-receiver"],
  ])("turns the folder name %j into %j", (folder, expected) => {
    expect(toPackageName(folder)).toBe(expected);
  });
});
