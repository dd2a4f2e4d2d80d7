import { execFileSync } from "node:child_process";
import { rm } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyReceiver } from "../../src/simulator/run.js";
import { makeTestPki } from "../helpers/pki.js";
import {
  IN_CI,
  projectEnv,
  type ScaffoldedProject,
  scaffoldTemplate,
  startProject,
} from "./template-harness.js";

// verify --proxy-headers straight against the python-flask app, without nginx in front:
// every client certificate is played as the X-Client-Verify / X-Client-DN pair nginx forwards.

const SYSTEM_PYTHON = "/usr/bin/python3";
const BEARER_TOKEN = "flask-proxy-headers-token";
const CHALLENGE_SECRET = "flask-proxy-headers-secret";

function pythonHas(module: string): boolean {
  try {
    execFileSync(SYSTEM_PYTHON, ["-c", `import ${module}`], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

const missing = ["flask", "waitress"].filter((m) => !pythonHas(m)).map((m) => `python3-${m}`);
const skip = missing.length > 0 && !IN_CI;

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

describe.skipIf(skip)("verify --proxy-headers against the python-flask template", () => {
  it("passes every check it can play without TLS", async () => {
    const app = await startProject(SYSTEM_PYTHON, ["app.py"], {
      cwd: project.dir,
      env: projectEnv({
        PORT: "0",
        PYTHONDONTWRITEBYTECODE: "1",
        AUTH: "bearer",
        BEARER_TOKEN,
        CHALLENGE_SECRET,
      }),
    });
    try {
      const report = await verifyReceiver({
        url: app.url,
        proxyHeaders: true,
        pkiDir: pki,
        auth: { scheme: "bearer", token: BEARER_TOKEN },
        challengeSecret: CHALLENGE_SECRET,
      });
      const notPassed = report.checks
        .filter((c) => c.status !== "pass")
        .map((c) => `${c.id} ${c.status}: ${c.summary} ${c.cause ?? ""}`);
      expect(notPassed, app.output()).toEqual([
        expect.stringMatching(/^tls\.server-certificate skip/),
        expect.stringMatching(/^tls\.protocol skip/),
      ]);
      expect(report.exitCode).toBe(0);
    } finally {
      await app.stop();
    }
  });
});
