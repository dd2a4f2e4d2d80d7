// `init` as a user runs it, outside any checkout: the built CLI scaffolds a project in a
// temporary folder, and the "Next steps" it prints run as written. The kit is not on the
// registry, so init packs it into vendor/; `npm install` fetches only the template's other
// dependencies from the registry (the one network use of the test suite). The receiver runs
// in the background on a free port (Node's --env-file does not override an exported PORT).
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { freePort, runScript, shellScript } from "../helpers/shell-script.js";
import { IN_CI, pythonHas, SYSTEM_PYTHON } from "./template-harness.js";

const CLI = new URL("../../dist/cli.js", import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), "ndwk-init-install-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

// Debian's python3-flask and python3-waitress install for the system interpreter; a pyenv
// `python3` earlier on the PATH would not have them. The steps find this one first.
const pythonBin = join(work, "system-python");
mkdirSync(pythonBin);
symlinkSync(SYSTEM_PYTHON, join(pythonBin, "python3"));
const flaskMissing = !pythonHas("flask") || !pythonHas("waitress");
if (flaskMissing && IN_CI) {
  throw new Error(
    "init-install: the system python3 lacks flask or waitress (apt-get install python3-flask python3-waitress)",
  );
}

/** Per template: the port its dev settings name, and the line that starts it. */
const RUNS: Record<string, { port: string; server: RegExp }> = {
  "express-ts": { port: "8443", server: /^npm run dev\b/ },
  "node-http": { port: "8443", server: /^npm run dev\b/ },
  "python-flask": { port: "8080", server: /^python3 app\.py\b/ },
};

/** The lines under "Next steps:", comments kept (bash ignores them). */
function nextSteps(initOutput: string): string[] {
  const after = initOutput.split("\nNext steps:\n")[1] ?? "";
  return after
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
}

/**
 * The test of one template, in a file of its own per template so that the three installs,
 * the longest tests of the suite, run in parallel with the rest rather than one after another.
 */
export function describeInitInstall(template: "express-ts" | "node-http" | "python-flask"): void {
  describe(`init --template ${template}, outside the repository`, () => {
    const run = RUNS[template] as { port: string; server: RegExp };
    it.skipIf(template === "python-flask" && flaskMissing)(
      "installs with npm install, passes its own steps and then verify",
      async () => {
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
          // The receiver serves until stopped: in a terminal of its own, here in the background.
          run.server.test(line)
            ? `${line.replace(/\s+#.*$/, "").replace(/\s*2>&1 \| tee (\S+)$/, " > $1 2>&1")} &`
            : line,
        );
        expect(steps.filter((line) => line.endsWith("&"))).toHaveLength(1);
        steps.push("kill %1   # stop the background receiver");
        const port = await freePort();
        const script = shellScript(steps, { [run.port]: port }, run.port).replace(
          "set -eE",
          `set -eE\nexport PORT=${port}\nexport PATH=${pythonBin}:$PATH`,
        );
        const result = await runScript(script, work);
        expect(result.output).not.toMatch(/script line failed|npm ERR!/);
        expect(result.code, result.output).toBe(0);
        expect(result.output).toMatch(/PASS/);
      },
      900_000,
    );
  });
}
