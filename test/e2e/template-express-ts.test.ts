import { readdir, readFile, rm, writeFile } from "node:fs/promises";
import * as http from "node:http";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderProxyConfig } from "../../src/proxy/proxy-config.js";
import { TEMPLATE_NAMES } from "../../src/scaffold/catalogue.js";
import { verifyReceiver } from "../../src/simulator/run.js";
import { makeTestPki } from "../helpers/pki.js";
import { findServerBinary, type RunningServer, startNginx } from "../helpers/servers.js";
import {
  INSTALL_AGAINST_PACKED_KIT_TIMEOUT_MS,
  installedTemplateCopy,
  notPassed,
  projectEnv,
  runCommand,
  type ScaffoldedProject,
  startProject,
} from "./template-harness.js";

const PROJECT_TEST_TIMEOUT_MS = 120_000;
const BEARER_TOKEN = "express-ts-bearer-token";
const CHALLENGE_SECRET = "express-ts-challenge-secret";

let project: ScaffoldedProject;
let pki: string;

/** Once for the file: the template, installed against the kit packed from this checkout. */
beforeAll(async () => {
  project = await installedTemplateCopy("express-ts");
  pki = await makeTestPki();
}, INSTALL_AGAINST_PACKED_KIT_TIMEOUT_MS);

afterAll(async () => {
  await project?.remove();
  if (pki) await rm(pki, { recursive: true, force: true });
});

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

  it("refuses a TRUST_PROXY that is not an address or CIDR block (exit 2), naming it", async () => {
    const run = await runCommand("node", ["dist/src/main.js"], {
      cwd: project.dir,
      env: projectEnv({ BEHIND_PROXY: "1", TRUST_PROXY: "127.attacker.example" }),
      timeoutMs: 20_000,
    });
    expect(run.code, run.output).toBe(2);
    expect(run.output).toContain("configuration error: TRUST_PROXY:");
  });

  it("refuses to start without its TLS files, naming the command that creates them", async () => {
    const run = await runCommand("node", ["dist/src/main.js"], {
      cwd: project.dir,
      env: projectEnv({ TLS_CERT: "certs/dev/server.pem", TLS_KEY: "certs/dev/server.key" }),
      timeoutMs: 20_000,
    });
    expect(run.code, run.output).toBe(2);
    expect(run.output).toContain('failed to read TLS_CERT "certs/dev/server.pem": ENOENT');
    expect(run.output).toContain("npx netdata-webhook-kit certs --pki certs/dev");
  });

  // Last in the file: it rebuilds the project with a handler of its own.
  it("hands a notification over again after a SIGKILL during its hand-over (at-least-once)", async () => {
    // A user's handler that records each call and, while a flag file exists, never finishes.
    await writeFile(
      join(project.dir, "src", "handle-notification.ts"),
      `import { appendFileSync, existsSync } from "node:fs";
import type { Notification } from "netdata-webhook-kit/protocol";
import type { HandOver } from "./server.js";

export async function handleNotification(notification: Notification, handOver: HandOver): Promise<void> {
  appendFileSync("${join(project.root, "calls.log")}", \`\${notification.kind} \${handOver.idempotencyKey} \${handOver.attempt}\\n\`);
  if (existsSync("${join(project.root, "hang")}")) await new Promise(() => {});
}
`,
    );
    const build = await runCommand("npm", ["run", "build"], {
      cwd: project.dir,
      env: projectEnv({}),
      timeoutMs: 60_000,
    });
    expect(build.code, build.output).toBe(0);
    const calls = async () =>
      (await readFile(join(project.root, "calls.log"), "utf8").catch(() => ""))
        .split("\n")
        .filter((line) => line.length > 0);
    const waitForCalls = async (count: number) => {
      for (let i = 0; i < 300 && (await calls()).length < count; i++) await sleep(100);
      return calls();
    };
    const settings = { BEHIND_PROXY: "1", DB_PATH: join(project.root, "crash.db") };
    await writeFile(join(project.root, "hang"), "");
    const first = await startReceiver(settings);
    let second: Awaited<ReturnType<typeof startReceiver>> | undefined;
    try {
      const body = await readFile(
        new URL("../fixtures/captured/netdata-alert-critical.json", import.meta.url),
        "utf8",
      );
      expect(await postBehindProxy(first.url, body)).toBe(200);
      const before = await waitForCalls(1);
      expect(before, first.output()).toHaveLength(1);
      await first.crash();
      await rm(join(project.root, "hang"));
      second = await startReceiver(settings);
      const after = await waitForCalls(2);
      expect(after, second.output()).toHaveLength(2);
      const [kind, key] = (before[0] ?? "").split(" ");
      expect(kind).toBe("alert-nested");
      // The same notification, with the same key for the handler to drop a repeat by.
      expect((after[1] ?? "").split(" ").slice(0, 2)).toEqual([kind, key]);
    } finally {
      await first.stop();
      await second?.stop();
    }
  });
});

/** A POST as the TLS proxy forwards it: the verified client's headers and the bearer token. */
function postBehindProxy(url: string, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        authorization: `Bearer ${BEARER_TOKEN}`,
        "x-client-verify": "SUCCESS",
        "x-client-dn": "CN=app.netdata.cloud",
      },
    });
    req.on("response", (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", reject);
    req.end(body);
  });
}
