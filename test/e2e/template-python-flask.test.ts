import { readFile, rm, writeFile } from "node:fs/promises";
import { connect } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderProxyConfig } from "../../src/proxy/proxy-config.js";
import { verifyReceiver } from "../../src/simulator/run.js";
import { makeTestPki } from "../helpers/pki.js";
import { findServerBinary, type RunningServer, startNginx } from "../helpers/servers.js";
import {
  IN_CI,
  notPassed,
  projectEnv,
  pythonHas,
  runCommand,
  type ScaffoldedProject,
  SYSTEM_PYTHON,
  scaffoldTemplate,
  startProject,
} from "./template-harness.js";

/** How long the stalled-request test waits for waitress to close the connection. */
const STALLED_REQUEST_GUARD_MS = 20_000;
const BEARER_TOKEN = "flask-bearer-token";
const CHALLENGE_SECRET = "flask-challenge-secret";

const nginx = findServerBinary("nginx");
// The README deploys Flask under waitress, Debian's python3-waitress.
const missing = [
  ...(pythonHas("flask") ? [] : ["python3-flask"]),
  ...(pythonHas("waitress") ? [] : ["python3-waitress"]),
  ...(nginx.path ? [] : ["nginx"]),
];
// Outside CI, a machine without them skips; under CI=true a missing one fails the tests.
const skip = missing.length > 0 && !IN_CI;
const label = skip ? ` (skipped: apt-get install ${missing.join(" ")}; .ci/run does it)` : "";

let project: ScaffoldedProject;
let pki: string;

beforeAll(async () => {
  if (skip) return;
  project = await scaffoldTemplate("python-flask");
  pki = await makeTestPki();
});
afterAll(async () => {
  await project?.remove();
  if (pki) await rm(pki, { recursive: true, force: true });
});

/** `python3 app.py` as the README runs it: loopback, behind the proxy, on a free port. */
function startApp(settings: Record<string, string>) {
  return startProject(SYSTEM_PYTHON, ["app.py"], {
    cwd: project.dir,
    env: projectEnv({ PORT: "0", PYTHONDONTWRITEBYTECODE: "1", ...settings }),
  });
}

/** The site `netdata-webhook-kit proxy nginx` generates, with the dev PKI, in front of the app. */
function nginxSite(appUrl: string, port: number): string {
  return renderProxyConfig("nginx", {
    serverName: "localhost",
    cert: join(pki, "server.pem"),
    key: join(pki, "server.key"),
    clientCa: join(pki, "ca.pem"),
    upstream: new URL(appUrl).origin,
    listen: `127.0.0.1:${port}`,
  });
}

describe.skipIf(skip)(`the python-flask template behind the generated nginx config${label}`, () => {
  it("has what it needs installed", () => {
    expect(missing, "install these (.ci/run does)").toEqual([]);
  });

  it("passes every verify check through nginx with bearer auth and a challenge secret", async () => {
    const app = await startApp({ AUTH: "bearer", BEARER_TOKEN, CHALLENGE_SECRET });
    let proxy: RunningServer | undefined;
    try {
      proxy = await startNginx((port) => nginxSite(app.url, port));
      const report = await verifyReceiver({
        url: `https://127.0.0.1:${proxy.port}/webhooks/netdata`,
        pkiDir: pki,
        serverCa: join(pki, "ca.pem"),
        auth: { scheme: "bearer", token: BEARER_TOKEN },
        challengeSecret: CHALLENGE_SECRET,
      });
      expect(notPassed(report), app.output()).toEqual([]);
      expect(app.output()).toContain("TEST NOTIFICATION: token ");
      expect(app.output()).not.toContain("development server");
      expect(app.output()).not.toContain(BEARER_TOKEN);
    } finally {
      await proxy?.stop();
      await app.stop();
    }
  });

  it("checks Basic credentials, a password with ':' included", async () => {
    const app = await startApp({ AUTH: "basic", BASIC_USER: "netdata", BASIC_PASSWORD: "pa:ss" });
    let proxy: RunningServer | undefined;
    try {
      proxy = await startNginx((port) => nginxSite(app.url, port));
      const report = await verifyReceiver({
        url: `https://127.0.0.1:${proxy.port}/webhooks/netdata`,
        pkiDir: pki,
        serverCa: join(pki, "ca.pem"),
        auth: { scheme: "basic", username: "netdata", password: "pa:ss" },
        only: ["auth", "verification"],
      });
      expect(notPassed(report), app.output()).toEqual([]);
    } finally {
      await proxy?.stop();
      await app.stop();
    }
  });

  it("answers a copy that arrives during a failing hand-over with an error too, never a 200", async () => {
    // A handler of your own that fails slowly: the second copy arrives while it runs.
    const appPy = join(project.dir, "app.py");
    const original = await readFile(appPy, "utf8");
    const failing = original.replace(
      "def handle_notification(notification):\n",
      `def handle_notification(notification):
    if notification["token"] == "fails-slowly":
        log.info("handler called for fails-slowly")
        import time
        time.sleep(0.5)
        raise RuntimeError("the handler failed on purpose")
`,
    );
    expect(failing).not.toBe(original);
    await writeFile(appPy, failing);
    const app = await startApp({ AUTH: "none" }).finally(() => writeFile(appPy, original));
    try {
      const body = JSON.stringify({
        message: "m",
        title: "Test Notification",
        token: "fails-slowly",
      });
      const post = () =>
        fetch(app.url, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            "x-client-verify": "SUCCESS",
            "x-client-dn": "CN=app.netdata.cloud",
          },
          body,
        });
      const statuses = (await Promise.all([post(), post()])).map((r) => r.status).sort();
      expect(statuses, app.output()).toEqual([500, 503]);
      expect((await post()).status, "a later redelivery is handed over again").toBe(500);
      expect(app.output().match(/handler called for fails-slowly/g)).toHaveLength(2);
    } finally {
      await app.stop();
    }
  });

  it("checks the forwarded CN itself, even when the proxy lets a request through", async () => {
    const app = await startApp({ AUTH: "none" });
    try {
      const body = JSON.stringify({ message: "m", title: "Test Notification", token: "t-1" });
      const post = (headers: Record<string, string>) =>
        fetch(app.url, {
          method: "POST",
          headers: { "content-type": "application/json", ...headers },
          body,
        });
      const verified = { "x-client-verify": "SUCCESS" };
      expect(
        (await post({ ...verified, "x-client-dn": "CN=app.netdata.cloud,O=Netdata" })).status,
      ).toBe(200);
      expect(
        (await post({ ...verified, "x-client-dn": "OU=CN=app.netdata.cloud,O=evil" })).status,
      ).toBe(403);
      expect(
        (await post({ ...verified, "x-client-dn": "CN=app.netdata.cloud+CN=evil" })).status,
      ).toBe(403);
      expect(
        (await post({ ...verified, "x-client-dn": "CN=app.netdata.cloud.evil.com" })).status,
      ).toBe(403);
      expect((await post({ "x-client-dn": "CN=app.netdata.cloud" })).status).toBe(403);
    } finally {
      await app.stop();
    }
  });

  for (const host of ["0.0.0.0", "127.attacker.example", "::ffff:10.0.0.1"]) {
    it(`refuses to listen on the non-loopback HOST ${host}`, async () => {
      const run = await runCommand(SYSTEM_PYTHON, ["app.py"], {
        cwd: project.dir,
        env: projectEnv({ HOST: host, PYTHONDONTWRITEBYTECODE: "1" }),
        timeoutMs: 20_000,
      });
      expect(run.code, run.output).toBe(2);
      expect(run.output).toContain("HOST must be a loopback address");
    });
  }

  it("closes a request that stalls for REQUEST_TIMEOUT_SECONDS instead of holding it", async () => {
    const app = await startApp({ AUTH: "none", REQUEST_TIMEOUT_SECONDS: "2" });
    try {
      const { port } = new URL(app.url);
      // Headers promising a body that never comes. Waitress's default would hold this for
      // 120 s and more; the guard below gives up long before that.
      const closed = await new Promise<"closed" | "still open">((resolve) => {
        const socket = connect({ host: "127.0.0.1", port: Number(port) }, () => {
          socket.write(
            "POST /webhooks/netdata HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{",
          );
        });
        const guard = setTimeout(() => {
          socket.destroy();
          resolve("still open");
        }, STALLED_REQUEST_GUARD_MS);
        socket.on("error", () => undefined);
        socket.on("close", () => {
          clearTimeout(guard);
          resolve("closed");
        });
      });
      expect(closed, app.output()).toBe("closed");
    } finally {
      await app.stop();
    }
  });
});
