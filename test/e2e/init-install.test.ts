// `init` as a user runs it, outside any checkout: the built CLI scaffolds a project in a
// temporary folder, and the "Next steps" it prints run as written. The kit is not on the
// registry, so init packs it into vendor/; `npm install` fetches only the template's other
// dependencies from the registry (the one network use of the test suite). The receiver runs
// in the background on a free port (Node's --env-file does not override an exported PORT).
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { freePort, runScript, shellScript } from "../helpers/shell-script.js";

const CLI = new URL("../../dist/cli.js", import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), "ndwk-init-install-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The lines under "Next steps:", comments kept (bash ignores them). */
function nextSteps(initOutput: string): string[] {
  const after = initOutput.split("\nNext steps:\n")[1] ?? "";
  return after
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
}

describe.each(["express-ts", "node-http"])(
  "init --template %s, outside the repository",
  (template) => {
    it("installs with npm install, passes its own steps and then verify", async () => {
      const output = execFileSync(
        process.execPath,
        [CLI, "init", template, "--template", template],
        {
          cwd: work,
          encoding: "utf8",
        },
      );
      expect(output).toContain(`so it was packed into vendor/netdata-webhook-kit-`);
      const pkg = JSON.parse(readFileSync(join(work, template, "package.json"), "utf8"));
      const deps = { ...pkg.dependencies, ...pkg.devDependencies };
      expect(deps["netdata-webhook-kit"]).toMatch(/^file:vendor\/netdata-webhook-kit-.+\.tgz$/);
      const steps = nextSteps(output).map((line) =>
        // `npm run dev` serves until stopped: in a terminal of its own, here in the background.
        line.startsWith("npm run dev")
          ? `${line.replace(/\s+#.*$/, "")} > receiver.log 2>&1 &`
          : line,
      );
      steps.push("kill %1   # stop the background receiver");
      const port = await freePort();
      const script = shellScript(steps, "8443", port).replace(
        "set -eE",
        `set -eE\nexport PORT=${port}`,
      );
      const run = await runScript(script, work);
      expect(run.output).not.toMatch(/script line failed|npm ERR!/);
      expect(run.code, run.output).toBe(0);
      expect(run.output).toMatch(/PASS/);
    }, 900_000);
  },
);
