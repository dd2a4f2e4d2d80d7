import { readFile, rm, writeFile } from "node:fs/promises";
import * as http from "node:http";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyReceiver } from "../../src/simulator/run.js";
import { makeTestPki } from "../helpers/pki.js";
import {
  notPassed,
  postFrom,
  projectEnv,
  runCommand,
  type ScaffoldedProject,
  scaffoldWithPackedKit,
  startProject,
  VERIFIED,
} from "./template-harness.js";

const BEARER_TOKEN = "node-http-bearer-token";
const CHALLENGE_SECRET = "node-http-challenge-secret";

let project: ScaffoldedProject;
let pki: string;

beforeAll(async () => {
  project = await scaffoldWithPackedKit("node-http");
  pki = await makeTestPki();
});
afterAll(async () => {
  await project?.remove();
  if (pki) await rm(pki, { recursive: true, force: true });
});

let databases = 0;

/** Starts `node server.js` as the README says, TLS from the dev PKI, on a free port. */
function startServer(settings: Record<string, string>) {
  return startProject("node", ["server.js"], {
    cwd: project.dir,
    env: projectEnv({
      PORT: "0",
      DB_PATH: join(project.root, `inbox-${++databases}.db`),
      TLS_CERT: join(pki, "server.pem"),
      TLS_KEY: join(pki, "server.key"),
      CLIENT_CA: join(pki, "ca.pem"),
      ...settings,
    }),
  });
}

describe("the node-http template", () => {
  it("behind a proxy, believes X-Client-* only from a TRUST_PROXY peer", async () => {
    const server = await startServer({ BEHIND_PROXY: "1", TRUST_PROXY: "127.0.0.2" });
    try {
      const forged = JSON.stringify({ message: "m", title: "Test Notification", token: "forged" });
      const fromUntrusted = await postFrom(server.url, "127.0.0.1", VERIFIED, forged);
      expect(fromUntrusted).not.toBe(200);
      expect(typeof fromUntrusted === "string" || fromUntrusted === 403).toBe(true);
      const proxied = JSON.stringify({ message: "m", title: "Test Notification", token: "real" });
      expect(await postFrom(server.url, "127.0.0.2", VERIFIED, proxied)).toBe(200);
      // Logged after the forged request was refused: the log has caught up with both.
      const afterBoth = await server.outputWith('"token":"real"');
      expect(afterBoth).toContain('"token":"real"');
      expect(afterBoth).not.toContain('"token":"forged"');
      const refusal = afterBoth.split("\n").find((line) => line.includes('"status":403'));
      expect(refusal, afterBoth).toContain('"remote":"127.0.0.1"');
    } finally {
      await server.stop();
    }
  });

  it("takes the scheme from the credentials when AUTH is unset: a token is never ignored", async () => {
    const server = await startServer({ BEHIND_PROXY: "1", BEARER_TOKEN: "tok-123" });
    try {
      const body = JSON.stringify({ message: "m", title: "Test Notification", token: "t" });
      expect(await postFrom(server.url, "127.0.0.1", VERIFIED, body)).toBe(401);
      const withToken = { ...VERIFIED, authorization: "Bearer tok-123" };
      expect(await postFrom(server.url, "127.0.0.1", withToken, body)).toBe(200);
    } finally {
      await server.stop();
    }
  });

  it("refuses AUTH=none while credentials are set (exit 2), naming them", async () => {
    const run = await runCommand("node", ["server.js"], {
      cwd: project.dir,
      env: projectEnv({ BEHIND_PROXY: "1", AUTH: "none", BEARER_TOKEN: "tok-123" }),
      timeoutMs: 10_000,
    });
    expect(run.code, run.output).toBe(2);
    expect(run.output).toContain("AUTH=none, but BEARER_TOKEN is set");
    expect(run.output).not.toContain("tok-123");
  });

  it("refuses a TRUST_PROXY that is not an address or CIDR block (exit 2)", async () => {
    const run = await runCommand("node", ["server.js"], {
      cwd: project.dir,
      env: projectEnv({ BEHIND_PROXY: "1", TRUST_PROXY: "10.0.0.0/33" }),
      timeoutMs: 10_000,
    });
    expect(run.code, run.output).toBe(2);
    expect(run.output).toContain("configuration error: TRUST_PROXY:");
    expect(run.output).toContain("10.0.0.0/33");
  });

  it("counts commonName and 2.5.4.3 as CN, so a second CN spelled otherwise is refused", async () => {
    const server = await startServer({ BEHIND_PROXY: "1" });
    try {
      const body = JSON.stringify({ message: "m", title: "Test Notification", token: "cn" });
      const post = (dn: string) =>
        postFrom(server.url, "127.0.0.1", { ...VERIFIED, "x-client-dn": dn }, body);
      expect(await post("CN=app.netdata.cloud+commonName=evil")).toBe(403);
      expect(await post("CN=app.netdata.cloud,2.5.4.3=evil")).toBe(403);
      expect(await post("commonName=app.netdata.cloud")).toBe(200);
    } finally {
      await server.stop();
    }
  });

  it("logs the test token JSON-quoted, with invisible and bidi characters escaped", async () => {
    const server = await startServer({ BEHIND_PROXY: "1" });
    try {
      const token = "tok en\u202e\u200b";
      const body = JSON.stringify({ message: "m", title: "Test Notification", token });
      expect(await postFrom(server.url, "127.0.0.1", VERIFIED, body)).toBe(200);
      const logged = '"token":"tok en\\u202e\\u200b"';
      expect(await server.outputWith(logged)).toContain(logged);
    } finally {
      await server.stop();
    }
  });

  it("passes every verify check over direct mTLS with bearer auth and a challenge secret", async () => {
    const server = await startServer({ AUTH: "bearer", BEARER_TOKEN, CHALLENGE_SECRET });
    let report: Awaited<ReturnType<typeof verifyReceiver>>;
    try {
      report = await verifyReceiver({
        url: server.url,
        pkiDir: pki,
        serverCa: join(pki, "ca.pem"),
        auth: { scheme: "bearer", token: BEARER_TOKEN },
        challengeSecret: CHALLENGE_SECRET,
      });
    } finally {
      await server.stop();
    }
    expect(notPassed(report), server.output()).toEqual([]);
    const logged = "paste this token into the Netdata Cloud webhook form";
    expect(await server.outputWith(logged)).toContain(logged);
    expect(server.output()).not.toContain(BEARER_TOKEN);
  });

  it("checks Basic credentials too", async () => {
    const server = await startServer({
      AUTH: "basic",
      BASIC_USER: "netdata",
      BASIC_PASSWORD: "pa:ss",
    });
    try {
      const report = await verifyReceiver({
        url: server.url,
        pkiDir: pki,
        serverCa: join(pki, "ca.pem"),
        auth: { scheme: "basic", username: "netdata", password: "pa:ss" },
        only: ["auth", "verification"],
      });
      expect(notPassed(report), server.output()).toEqual([]);
    } finally {
      await server.stop();
    }
  });

  it("behind a proxy, trusts only X-Client-Verify: SUCCESS with exactly one allowed CN", async () => {
    const server = await startServer({ BEHIND_PROXY: "1", AUTH: "bearer", BEARER_TOKEN });
    try {
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/webhooks\/netdata$/);
      const headers = { "x-client-verify": "SUCCESS", "content-type": "application/json" };
      const body = JSON.stringify({ message: "m", title: "Test Notification", token: "t-1" });
      const auth = { authorization: `Bearer ${BEARER_TOKEN}` };
      const post = (extra: Record<string, string>) =>
        fetch(server.url, { method: "POST", headers: { ...headers, ...auth, ...extra }, body });
      expect((await post({ "x-client-dn": "CN=app.netdata.cloud,O=Netdata" })).status).toBe(200);
      expect((await post({ "x-client-dn": "OU=CN=app.netdata.cloud,O=evil" })).status).toBe(403);
      expect((await post({ "x-client-dn": "CN=app.netdata.cloud+CN=evil" })).status).toBe(403);
      expect((await post({ "x-client-dn": "CN=app.netdata.cloud.evil.com" })).status).toBe(403);
      expect((await post({ "x-client-verify": "FAILED:unable to verify" })).status).toBe(403);
    } finally {
      await server.stop();
    }
  });

  it("hands a notification over again, with the same key, after the handler throws; a redelivery is not handed over", async () => {
    // A handler of your own that fails the first time.
    const serverJs = join(project.dir, "server.js");
    const original = await readFile(serverJs, "utf8");
    const failing = original.replace(
      "async function handleNotification(notification, { idempotencyKey }) {",
      `let calls = 0;
async function handleNotification(notification, { idempotencyKey }) {
  console.log(\`handler call \${++calls} for \${notification.token} key \${idempotencyKey}\`);
  if (calls === 1) throw new Error("the handler failed on purpose");`,
    );
    expect(failing).not.toBe(original);
    await writeFile(serverJs, failing);
    const server = await startServer({ BEHIND_PROXY: "1" }).finally(() =>
      writeFile(serverJs, original),
    );
    try {
      const body = JSON.stringify({ message: "m", title: "Test Notification", token: "fails" });
      expect(await postFrom(server.url, "127.0.0.1", VERIFIED, body)).toBe(200);
      expect(await postFrom(server.url, "127.0.0.1", VERIFIED, body)).toBe(200);
      const output = await server.outputWith("handler call 2 ");
      const calls = output.match(/handler call \d+ for fails key \S+/g) ?? [];
      expect(calls, output).toHaveLength(2);
      const keys = calls.map((line) => line.split(" key ")[1]);
      expect(keys[0]).toBe(keys[1]);
    } finally {
      await server.stop();
    }
  });

  it("refuses a request that expects 100-continue before asking for its body", async () => {
    const server = await startServer({ BEHIND_PROXY: "1", AUTH: "bearer", BEARER_TOKEN });
    try {
      const answer = await new Promise<{ status: number; continued: boolean }>(
        (resolve, reject) => {
          let continued = false;
          const req = http.request(server.url, {
            method: "POST",
            headers: { ...VERIFIED, authorization: "Bearer wrong", expect: "100-continue" },
          });
          req.on("continue", () => {
            continued = true;
            req.end("{}");
          });
          req.on("response", (res) => {
            res.resume();
            resolve({ status: res.statusCode ?? 0, continued });
            req.destroy();
          });
          req.on("error", reject);
          req.flushHeaders();
        },
      );
      expect(answer).toEqual({ status: 401, continued: false });
    } finally {
      await server.stop();
    }
  });

  it("refuses to start with an incomplete configuration, naming the variable", async () => {
    const run = await runCommand("node", ["server.js"], {
      cwd: project.dir,
      env: projectEnv({
        AUTH: "bearer",
        TLS_CERT: join(pki, "server.pem"),
        TLS_KEY: join(pki, "server.key"),
      }),
      timeoutMs: 10_000,
    });
    expect(run.code).toBe(2);
    expect(run.output).toContain("AUTH=bearer needs BEARER_TOKEN");
  });

  it("refuses to start without its certificate, naming the command that creates it", async () => {
    const run = await runCommand("node", ["server.js"], {
      cwd: project.dir,
      env: projectEnv({
        AUTH: "bearer",
        BEARER_TOKEN,
        TLS_CERT: "certs/dev/server.pem",
        TLS_KEY: "certs/dev/server.key",
      }),
      timeoutMs: 10_000,
    });
    expect(run.code, run.output).toBe(2);
    expect(run.output).toContain('TLS_CERT "certs/dev/server.pem": ENOENT');
    expect(run.output).toContain("npx netdata-webhook-kit certs --pki certs/dev");
  });

  it("refuses to start with a token file that is missing, naming the command that writes it", async () => {
    const run = await runCommand("node", ["server.js"], {
      cwd: project.dir,
      env: projectEnv({ BEHIND_PROXY: "1", AUTH: "bearer", BEARER_TOKEN_FILE: "token.txt" }),
      timeoutMs: 10_000,
    });
    expect(run.code, run.output).toBe(2);
    expect(run.output).toContain('BEARER_TOKEN_FILE "token.txt": ENOENT');
    expect(run.output).toContain("openssl rand -hex 32 > token.txt");
  });

  it("refuses to start with a certificate file that is not PEM, naming the command that creates it", async () => {
    const run = await runCommand("node", ["server.js"], {
      cwd: project.dir,
      env: projectEnv({
        TLS_CERT: join(pki, "server.key"),
        TLS_KEY: join(pki, "server.key"),
        CLIENT_CA: join(pki, "ca.pem"),
      }),
      timeoutMs: 10_000,
    });
    expect(run.code, run.output).toBe(2);
    expect(run.output).toContain("are not a usable certificate, key and CA");
    expect(run.output).toContain("npx netdata-webhook-kit certs --pki certs/dev");
  });

  it("listens behind a proxy on any 127.0.0.0/8 address, parsed as an address", async () => {
    const server = await startServer({ BEHIND_PROXY: "1", HOST: "127.0.0.2" });
    try {
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.2:\d+\/webhooks\/netdata$/);
    } finally {
      await server.stop();
    }
  });
});
