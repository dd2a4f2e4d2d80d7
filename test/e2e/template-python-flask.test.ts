import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderProxyConfig } from "../../src/proxy/proxy-config.js";
import { verifyReceiver } from "../../src/simulator/run.js";
import { makeTestPki } from "../helpers/pki.js";
import { findServerBinary, type RunningServer, startNginx } from "../helpers/servers.js";
import {
  IN_CI,
  notPassed,
  postFrom,
  projectEnv,
  pythonHas,
  runCommand,
  type ScaffoldedProject,
  SYSTEM_PYTHON,
  scaffoldTemplate,
  startProject,
  VERIFIED,
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

const testBody = (token: string) =>
  JSON.stringify({ message: "m", title: "Test Notification", token });

describe.skipIf(skip)(`the python-flask template's own checks${label}`, () => {
  it("believes X-Client-* only from a TRUST_PROXY peer (default loopback)", async () => {
    const app = await startApp({ AUTH: "none", TRUST_PROXY: "127.0.0.2" });
    try {
      expect(await postFrom(app.url, "127.0.0.1", VERIFIED, testBody("forged"))).toBe(403);
      expect(await postFrom(app.url, "127.0.0.2", VERIFIED, testBody("real"))).toBe(200);
      // Logged after the forged request was refused: the log has caught up with both.
      const afterBoth = await app.outputWith('token "real"');
      expect(afterBoth).toContain('token "real"');
      expect(afterBoth).not.toContain("forged");
      const logged = "from 127.0.0.1: not a trusted proxy (TRUST_PROXY)";
      expect(await app.outputWith(logged)).toContain(logged);
    } finally {
      await app.stop();
    }
  });

  it("refuses two X-Client-DN headers, which waitress joins with a comma", async () => {
    const app = await startApp({ AUTH: "none" });
    try {
      const twice = { ...VERIFIED, "x-client-dn": ["CN=app.netdata.cloud", "O=evil"] };
      expect(await postFrom(app.url, "127.0.0.1", twice, testBody("twice"))).toBe(403);
      const escaped = { ...VERIFIED, "x-client-dn": "CN=app.netdata.cloud,O=a\\, b" };
      expect(await postFrom(app.url, "127.0.0.1", escaped, testBody("escaped"))).toBe(200);
    } finally {
      await app.stop();
    }
  });

  it("counts commonName and 2.5.4.3 as CN, so a second CN spelled otherwise is refused", async () => {
    const app = await startApp({ AUTH: "none" });
    try {
      const post = (dn: string) =>
        postFrom(app.url, "127.0.0.1", { ...VERIFIED, "x-client-dn": dn }, testBody(dn));
      expect(await post("CN=app.netdata.cloud+commonName=evil")).toBe(403);
      expect(await post("CN=app.netdata.cloud,2.5.4.3=evil")).toBe(403);
      expect(await post("commonName=app.netdata.cloud")).toBe(200);
    } finally {
      await app.stop();
    }
  });

  it("prints the test token JSON-quoted, with invisible and bidi characters escaped", async () => {
    const app = await startApp({ AUTH: "none" });
    try {
      const token = "tok en\u202e\u200b";
      expect(await postFrom(app.url, "127.0.0.1", VERIFIED, testBody(token))).toBe(200);
      const logged =
        'TEST NOTIFICATION: token "tok en\\u202e\\u200b" (paste it into Netdata Cloud)';
      expect(await app.outputWith(logged)).toContain(logged);
    } finally {
      await app.stop();
    }
  });

  it("refuses to start without waitress unless DEV=1, saying how to install it (exit 2)", async () => {
    const shim = await mkdtemp(join(tmpdir(), "ndwk-no-waitress-"));
    try {
      await writeFile(join(shim, "waitress.py"), "raise ImportError('hidden by the test')\n");
      const run = await runCommand(SYSTEM_PYTHON, ["app.py"], {
        cwd: project.dir,
        env: projectEnv({ PORT: "0", PYTHONPATH: shim, PYTHONDONTWRITEBYTECODE: "1" }),
        timeoutMs: 20_000,
      });
      expect(run.code, run.output).toBe(2);
      expect(run.output).toContain(
        `waitress is not installed for ${SYSTEM_PYTHON}: apt-get install`,
      );
      expect(run.output).toContain("DEV=1");
    } finally {
      await rm(shim, { recursive: true, force: true });
    }
  });

  it("takes the scheme from the credentials when AUTH is unset: a token is never ignored", async () => {
    const app = await startApp({ BEARER_TOKEN: "tok-123" });
    try {
      expect(await postFrom(app.url, "127.0.0.1", VERIFIED, testBody("a"))).toBe(401);
      const withToken = { ...VERIFIED, authorization: "Bearer tok-123" };
      expect(await postFrom(app.url, "127.0.0.1", withToken, testBody("b"))).toBe(200);
    } finally {
      await app.stop();
    }
  });

  it("refuses AUTH=none while credentials are set in the env file (exit 2), naming them", async () => {
    await writeFile(
      join(project.dir, "typo.env"),
      "# a comment\nBEARER_TOKEN=tok-123\nAUTH=none\n",
    );
    const run = await runCommand(SYSTEM_PYTHON, ["app.py", "--env-file", "typo.env"], {
      cwd: project.dir,
      env: projectEnv({ PORT: "0", PYTHONDONTWRITEBYTECODE: "1" }),
      timeoutMs: 20_000,
    });
    expect(run.code, run.output).toBe(2);
    expect(run.output).toContain("AUTH=none, but BEARER_TOKEN is set");
    expect(run.output).not.toContain("tok-123");
  });

  it("reads dev.env with --env-file, a variable set in the environment winning", async () => {
    const app = await startProject(SYSTEM_PYTHON, ["app.py", "--env-file", "dev.env"], {
      cwd: project.dir,
      env: projectEnv({ PORT: "0", PYTHONDONTWRITEBYTECODE: "1" }),
    });
    try {
      const headers = { ...VERIFIED, authorization: "Bearer dev-bearer-token" };
      expect(await postFrom(app.url, "127.0.0.1", headers, testBody("t"))).toBe(200);
      const wrong = { ...VERIFIED, authorization: "Bearer other" };
      expect(await postFrom(app.url, "127.0.0.1", wrong, testBody("u"))).toBe(401);
      const logged = "(auth bearer, behind a proxy)";
      expect(await app.outputWith(logged)).toContain(logged);
    } finally {
      await app.stop();
    }
  });

  for (const [label, args, file, message] of [
    [
      "a missing file",
      ["--env-file", "nope.env"],
      undefined,
      "--env-file 'nope.env': No such file",
    ],
    [
      "a line without =",
      ["--env-file", "bad.env"],
      "AUTH\n",
      "--env-file 'bad.env', line 1: expected NAME=value",
    ],
    ["an unknown argument", ["--verbose"], undefined, "error: unrecognized arguments: --verbose"],
    ["--env-file without a FILE", ["--env-file"], undefined, "error: argument --env-file"],
    [
      "an option after the file",
      ["--env-file", "dev.env", "--port", "1"],
      undefined,
      "error: unrecognized arguments: --port 1",
    ],
  ] as const) {
    it(`refuses ${label} in its arguments with exit 2 and no traceback`, async () => {
      if (file !== undefined) await writeFile(join(project.dir, "bad.env"), file);
      const run = await runCommand(SYSTEM_PYTHON, ["app.py", ...args], {
        cwd: project.dir,
        env: projectEnv({ PORT: "0", PYTHONDONTWRITEBYTECODE: "1" }),
        timeoutMs: 20_000,
      });
      expect(run.code, run.output).toBe(2);
      expect(run.output).toContain(message);
      expect(run.output).not.toContain("Traceback");
    });
  }

  it("refuses a token file that is missing, naming the command that writes it (exit 2)", async () => {
    const run = await runCommand(SYSTEM_PYTHON, ["app.py"], {
      cwd: project.dir,
      env: projectEnv({ PORT: "0", PYTHONDONTWRITEBYTECODE: "1", BEARER_TOKEN_FILE: "token.txt" }),
      timeoutMs: 20_000,
    });
    expect(run.code, run.output).toBe(2);
    expect(run.output).toContain("failed to read BEARER_TOKEN_FILE 'token.txt'");
    expect(run.output).toContain("openssl rand -hex 32 > token.txt");
  });

  for (const host of ["::ffff:127.0.0.1", "::1%lo"]) {
    it(`explains, without a traceback, that it cannot listen on HOST ${host} (exit 2)`, async () => {
      const run = await runCommand(SYSTEM_PYTHON, ["app.py"], {
        cwd: project.dir,
        env: projectEnv({ HOST: host, PORT: "0", PYTHONDONTWRITEBYTECODE: "1" }),
        timeoutMs: 20_000,
      });
      expect(run.code, run.output).toBe(2);
      expect(run.output).toContain(`configuration error: cannot listen on HOST='${host}'`);
      expect(run.output).not.toContain("Traceback");
    });
  }
});

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
      const logged = "TEST NOTIFICATION: token ";
      expect(await app.outputWith(logged)).toContain(logged);
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
