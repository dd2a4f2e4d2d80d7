import { readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderProxyConfig } from "../../src/proxy/proxy-config.js";
import { TEMPLATE_NAMES } from "../../src/scaffold/catalogue.js";
import { verifyReceiver } from "../../src/simulator/run.js";
import { makeTestPki } from "../helpers/pki.js";
import { findServerBinary, type RunningServer, startNginx } from "../helpers/servers.js";
import {
  notPassed,
  projectEnv,
  runCommand,
  type ScaffoldedProject,
  scaffoldTemplate,
  startProject,
} from "./template-harness.js";

const KIT_ROOT = fileURLToPath(new URL("../../", import.meta.url));
/** npm pack builds the kit (prepare) and npm install compiles better-sqlite3: minutes on 2 cores. */
const PACK_TIMEOUT_MS = 180_000;
const INSTALL_TIMEOUT_MS = 240_000;
const BUILD_TIMEOUT_MS = 60_000;
const PROJECT_TEST_TIMEOUT_MS = 120_000;
const BEARER_TOKEN = "express-ts-bearer-token";
const CHALLENGE_SECRET = "express-ts-challenge-secret";

let project: ScaffoldedProject;
let pki: string;

/**
 * Once for the file: pack the kit from this checkout, scaffold the template, point its
 * dependency at the tarball (package.json edited as JSON), install and build it as a user would.
 */
beforeAll(
  async () => {
    project = await scaffoldTemplate("express-ts");
    pki = await makeTestPki();
    const pack = await runCommand("npm", ["pack", "--pack-destination", project.root], {
      cwd: KIT_ROOT,
      timeoutMs: PACK_TIMEOUT_MS,
    });
    if (pack.code !== 0) throw new Error(`npm pack failed:\n${pack.output}`);
    const tarball = join(project.root, await tarballIn(project.root, pack.output));
    const manifestPath = join(project.dir, "package.json");
    const manifest = JSON.parse(await readFile(manifestPath, "utf8"));
    manifest.dependencies["netdata-webhook-kit"] = `file:${tarball}`;
    await writeFile(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
    const install = await runCommand("npm", ["install", "--no-audit", "--no-fund"], {
      cwd: project.dir,
      timeoutMs: INSTALL_TIMEOUT_MS,
    });
    if (install.code !== 0) throw new Error(`npm install failed:\n${install.output}`);
    const build = await runCommand("npm", ["run", "build"], {
      cwd: project.dir,
      timeoutMs: BUILD_TIMEOUT_MS,
    });
    if (build.code !== 0) throw new Error(`npm run build failed:\n${build.output}`);
  },
  PACK_TIMEOUT_MS + INSTALL_TIMEOUT_MS + BUILD_TIMEOUT_MS,
);

afterAll(async () => {
  await project?.remove();
  if (pki) await rm(pki, { recursive: true, force: true });
});

/** The one tarball npm pack wrote into `dir`. */
async function tarballIn(dir: string, packOutput: string): Promise<string> {
  const tarballs = (await readdir(dir)).filter((name) => name.endsWith(".tgz"));
  if (tarballs.length !== 1 || !tarballs[0])
    throw new Error(`npm pack wrote ${tarballs.length} tarballs:\n${packOutput}`);
  return tarballs[0];
}

/** `npm start` (node dist/src/main.js) with the given settings, on a free port. */
function startReceiver(settings: Record<string, string>) {
  return startProject("node", ["dist/src/main.js"], {
    cwd: project.dir,
    env: projectEnv({ PORT: "0", AUTH: "bearer", BEARER_TOKEN, CHALLENGE_SECRET, ...settings }),
  });
}

function verify(url: string) {
  return verifyReceiver({
    url,
    pkiDir: pki,
    serverCa: join(pki, "ca.pem"),
    auth: { scheme: "bearer", token: BEARER_TOKEN },
    challengeSecret: CHALLENGE_SECRET,
  });
}

describe("the express-ts template, installed against the packed kit", () => {
  it(
    "passes its own npm test",
    async () => {
      const run = await runCommand("npm", ["test"], {
        cwd: project.dir,
        env: projectEnv({}),
        timeoutMs: PROJECT_TEST_TIMEOUT_MS,
      });
      expect(run.code, run.output).toBe(0);
      expect(run.output).toMatch(/# pass [1-9]/);
      expect(run.output).toMatch(/# fail 0/);
    },
    PROJECT_TEST_TIMEOUT_MS + 10_000,
  );

  it("passes every verify check terminating mutual TLS itself", async () => {
    const server = await startReceiver({
      TLS_CERT: join(pki, "server.pem"),
      TLS_KEY: join(pki, "server.key"),
      CLIENT_CA: join(pki, "ca.pem"),
      DB_PATH: join(project.root, "direct.db"),
    });
    try {
      const report = await verify(server.url);
      expect(notPassed(report), server.output()).toEqual([]);
      expect(server.output()).not.toContain(BEARER_TOKEN);
    } finally {
      await server.stop();
    }
  });

  const nginx = findServerBinary("nginx");
  it.skipIf(nginx.skip)(
    `passes every verify check behind the generated nginx config (${nginx.label})`,
    async () => {
      expect(nginx.path, "nginx is missing and CI=true: .ci/run installs it").not.toBeNull();
      const server = await startReceiver({
        BEHIND_PROXY: "1",
        DB_PATH: join(project.root, "proxy.db"),
      });
      let proxy: RunningServer | undefined;
      try {
        proxy = await startNginx((port) =>
          renderProxyConfig("nginx", {
            serverName: "localhost",
            cert: join(pki, "server.pem"),
            key: join(pki, "server.key"),
            clientCa: join(pki, "ca.pem"),
            upstream: new URL(server.url).origin,
            listen: `127.0.0.1:${port}`,
          }),
        );
        const report = await verify(`https://127.0.0.1:${proxy.port}/webhooks/netdata`);
        expect(notPassed(report), server.output()).toEqual([]);
      } finally {
        await proxy?.stop();
        await server.stop();
      }
    },
  );

  it("ships every template in the package, found from dist/ by the installed init", async () => {
    const cli = join(project.dir, "node_modules", "netdata-webhook-kit", "dist", "cli.js");
    for (const template of TEMPLATE_NAMES) {
      const target = join(project.root, `from-package-${template}`);
      const run = await runCommand("node", [cli, "init", target, "--template", template], {
        cwd: project.root,
        timeoutMs: 20_000,
      });
      expect(run.code, run.output).toBe(0);
      const files = await readdir(target);
      expect(files).toEqual(expect.arrayContaining([".gitignore", "README.md", "netdata-ca.pem"]));
      expect(files).not.toContain("_gitignore");
    }
  });

  it("refuses to start without its TLS files, naming them", async () => {
    const run = await runCommand("node", ["dist/src/main.js"], {
      cwd: project.dir,
      env: projectEnv({}),
      timeoutMs: 20_000,
    });
    expect(run.code).toBe(2);
    expect(run.output).toContain("TLS_CERT and TLS_KEY are required");
  });
});
