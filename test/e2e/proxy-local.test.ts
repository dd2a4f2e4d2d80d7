// docs/proxy-local.md's recipes run as written, as an unprivileged user (as root, the test
// runs them as `nobody`): the generated nginx and Apache site configs inside a main config
// of one's own, in a folder one owns, in front of `serve --behind-proxy`, verified through
// the real server.
import { execFileSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { installPackedKitCopy, packKitInto } from "../helpers/installed-kit.js";
import { findServerBinary } from "../helpers/servers.js";
import { fencedBlocks, freePorts, runScript, shellScript } from "../helpers/shell-script.js";

const DOC = readFileSync(new URL("../../docs/proxy-local.md", import.meta.url), "utf8");
const PORTS = ["8444", "8445", "8080"];
const UNPRIVILEGED = "nobody";
const asRoot = process.getuid?.() === 0;

// Outside the run's private temporary folder, which only root may enter.
const work = mkdtempSync("/tmp/ndwk-proxy-local-");
chmodSync(work, 0o755);
afterAll(() => rmSync(work, { recursive: true, force: true }));

function project(name: string): string {
  const dir = join(work, name);
  installPackedKitCopy(dir, packKitInto(work));
  if (asRoot) execFileSync("chown", ["-R", UNPRIVILEGED, dir]);
  return dir;
}

/** The script, run as the unprivileged user when this is root, with HOME in the project. */
async function runAsUser(script: string, dir: string) {
  const file = join(dir, "recipe.sh");
  writeFileSync(file, script);
  if (!asRoot) return runScript(`bash ${file}`, dir);
  chmodSync(file, 0o644);
  return runScript(
    `runuser -u ${UNPRIVILEGED} -- env HOME=${dir} PATH="$PATH" npm_config_offline=true bash ${file}`,
    dir,
  );
}

const [nginxBlock, apacheBlock] = fencedBlocks(DOC, "sh");

describe("docs/proxy-local.md", () => {
  const nginx = findServerBinary("nginx");
  it.skipIf(nginx.skip)(
    `runs the nginx recipe as an unprivileged user (${nginx.label})`,
    async () => {
      const dir = project("nginx");
      const lines = (nginxBlock?.code ?? "").split("\n");
      const run = await runAsUser(shellScript(lines, await freePorts(PORTS)), dir);
      expect(run.code, run.output).toBe(0);
      expect(run.output).toContain("PASS: every required check ran and passed");
    },
    300_000,
  );

  const apache = findServerBinary("apache2");
  it.skipIf(apache.skip)(
    `runs the Apache recipe as an unprivileged user (${apache.label})`,
    async () => {
      const dir = project("apache");
      const lines = ["npx netdata-webhook-kit certs", ...(apacheBlock?.code ?? "").split("\n")];
      const run = await runAsUser(shellScript(lines, await freePorts(PORTS)), dir);
      expect(run.code, run.output).toBe(0);
      expect(run.output).toContain("PASS: every required check ran and passed");
    },
    300_000,
  );
});
