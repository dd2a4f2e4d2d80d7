import { spawn } from "node:child_process";
import { once } from "node:events";
import { appendFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderHumanReport } from "../../src/simulator/report-human.js";
import { verifyReceiver } from "../../src/simulator/run.js";
import type { VerifyOptions, VerifyReport } from "../../src/simulator/types.js";
import {
  type DocumentedReceiverOptions,
  startDocumentedReceiver,
} from "../helpers/documented-receiver.js";
import { pkiFile } from "../helpers/pki.js";
import { sharedTestPki } from "../helpers/receiver.js";

// One defect, one cause: the failures a defect produces are grouped under one cause with one
// fix, named after what was observed, whatever the receiver is written in.

const TOKEN = "causes-token";
const SECRET = "causes-secret";

let pkiDir: string;
let work: string;

beforeAll(async () => {
  pkiDir = await sharedTestPki();
  work = await mkdtemp(join(tmpdir(), "ndwk-causes-"));
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

async function verifyAgainst(
  receiver: Partial<DocumentedReceiverOptions>,
  extra: Partial<VerifyOptions> = {},
): Promise<VerifyReport> {
  const app = await startDocumentedReceiver({
    bearerToken: TOKEN,
    challengeSecret: SECRET,
    ...receiver,
  });
  try {
    return await verifyReceiver({
      url: app.url,
      auth: { scheme: "bearer", token: TOKEN },
      challengeSecret: SECRET,
      seed: 23,
      ...(receiver.pkiDir
        ? { pkiDir: receiver.pkiDir, serverCa: pkiFile(receiver.pkiDir, "ca", "pem") }
        : { proxyHeaders: true }),
      ...extra,
    });
  } finally {
    await app.close();
  }
}

const failed = (report: VerifyReport) =>
  report.checks.filter((c) => c.status === "fail").map((c) => [c.id, c.causeId]);

describe("failures grouped by cause", () => {
  it("groups every failure of a receiver that does not check the CN under one cause", async () => {
    const report = await verifyAgainst({ pkiDir, checkCn: false }, { only: ["mtls"] });
    expect(report.causes.map((c) => [c.id, c.checks])).toEqual([
      [
        "cn-not-checked",
        ["mtls.rejects-wrong-cn", "mtls.rejects-lookalike-cn", "mtls.rejects-two-cn"],
      ],
    ]);
    expect(failed(report)).toEqual([
      ["mtls.rejects-wrong-cn", "cn-not-checked"],
      ["mtls.rejects-lookalike-cn", "cn-not-checked"],
      ["mtls.rejects-two-cn", "cn-not-checked"],
    ]);
    // Derived from what was observed, not from the language of the receiver.
    const [cause] = report.causes;
    expect(`${cause?.cause} ${cause?.fix}`).not.toMatch(/Node|subject\.CN|String\(\)/);
    const human = renderHumanReport(report);
    expect(human.match(/fix:/g)).toHaveLength(1);
  });

  it("groups every failure of a receiver with no Authorization check under one cause", async () => {
    const report = await verifyAgainst({ pkiDir, checkAuth: false }, { only: ["auth"] });
    expect(report.causes.map((c) => [c.id, c.checks])).toEqual([
      [
        "no-authorization-check",
        [
          "auth.rejects-missing",
          "auth.rejects-wrong",
          "auth.rejects-malformed",
          "auth.rejects-repeated",
        ],
      ],
    ]);
    expect(report.causes[0]?.fix).not.toMatch(/defensively/);
  });

  it("groups every failure of an app that ignores its proxy's verification headers under one cause", async () => {
    const report = await verifyAgainst({ checkProxy: false }, { only: ["mtls"] });
    expect(report.causes.map((c) => c.id)).toEqual(["proxy-headers-ignored"]);
    expect(report.causes[0]?.checks).toContain("mtls.rejects-no-certificate");
    expect(report.causes[0]?.checks.length).toBeGreaterThanOrEqual(6);
    expect(`${report.causes[0]?.cause} ${report.causes[0]?.fix}`).toContain("X-Client-Verify");
  });

  it("groups the refusals of a receiver that logs before it checks the certificate under one cause, once observed", async () => {
    const log = join(work, "late.log");
    const report = await verifyAgainst(
      {
        pkiDir,
        identityCheck: "after-handling",
        log: (line) => appendFileSync(log, `${line}\n`),
      },
      { only: ["mtls"], observeLog: log },
    );
    expect(report.causes.map((c) => c.id)).toEqual(["identity-checked-after-handling"]);
    expect(report.causes[0]?.checks).toContain("mtls.rejects-no-certificate");
    expect(report.exitCode).toBe(1);
  });

  it("keeps the cause of a request that was accepted on the wire when its canary is then found", async () => {
    // The receiver reads the first of two Authorization headers: it accepts the pair.
    const log = join(work, "accepted.log");
    const report = await verifyAgainst(
      { pkiDir, log: (line) => appendFileSync(log, `${line}\n`) },
      { only: ["auth"], observeLog: log },
    );
    expect(report.observation?.found.map((f) => f.checkId)).toEqual(["auth.rejects-repeated"]);
    expect(failed(report)).toEqual([["auth.rejects-repeated", "repeated-authorization-accepted"]]);
  });
});

/** Starts the Python receiver of test/fixtures/receivers; resolves once it listens. */
async function startPythonReceiver(script: string) {
  const path = new URL(`../fixtures/receivers/${script}`, import.meta.url).pathname;
  const child = spawn("python3", [path], {
    env: { ...process.env, PKI_DIR: pkiDir, BEARER_TOKEN: TOKEN, CHALLENGE_SECRET: SECRET },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const lines = createInterface({ input: child.stdout });
  const [line] = (await once(lines, "line")) as [string];
  const port = /^listening (\d+)$/.exec(line)?.[1];
  if (!port) throw new Error(`the Python receiver said ${JSON.stringify(line)}`);
  return {
    url: `https://127.0.0.1:${port}/netdata`,
    close: async () => {
      child.kill("SIGTERM");
      await once(child, "exit");
    },
  };
}

describe("a receiver in another language", () => {
  it("names the missing CN check of a Python receiver as one cause, with no word of Node", async () => {
    const app = await startPythonReceiver("python-no-cn-check.py");
    try {
      const report = await verifyReceiver({
        url: app.url,
        pkiDir,
        serverCa: pkiFile(pkiDir, "ca", "pem"),
        auth: { scheme: "bearer", token: TOKEN },
        challengeSecret: SECRET,
        only: ["mtls"],
      });
      expect(report.causes.map((c) => [c.id, c.checks])).toEqual([
        [
          "cn-not-checked",
          ["mtls.rejects-wrong-cn", "mtls.rejects-lookalike-cn", "mtls.rejects-two-cn"],
        ],
      ]);
      const words = report.checks.map((c) => `${c.summary} ${c.cause ?? ""} ${c.fix ?? ""}`);
      expect(words.join("\n")).not.toMatch(/\bNode\b|subject\.CN|String\(\)/);
    } finally {
      await app.close();
    }
  });
});

describe("refusals judged on the wire only", () => {
  it("says once, without an observation source, that a receiver handling before refusing would pass, naming --observe-log", async () => {
    const report = await verifyAgainst(
      { pkiDir, identityCheck: "after-handling" },
      { only: ["mtls"] },
    );
    expect(report.checks.filter((c) => c.status === "fail")).toEqual([]);
    const notes = report.warnings.filter((w) => /on the wire/.test(w));
    expect(notes).toHaveLength(1);
    expect(notes[0]).toContain("--observe-log");
    const human = renderHumanReport(report);
    expect(human.match(/on the wire only/g)).toHaveLength(1);
  });

  it("says nothing of it when the baseline failed", async () => {
    const report = await verifyAgainst(
      { pkiDir },
      { only: ["mtls"], auth: { scheme: "bearer", token: "not-the-token" } },
    );
    expect(report.baseline.ok).toBe(false);
    expect(report.warnings.filter((w) => /on the wire|not proven/.test(w))).toEqual([]);
  });

  it("says nothing of it when an observation source watched the run", async () => {
    const log = join(work, "watched.log");
    const report = await verifyAgainst(
      { pkiDir, log: (line) => appendFileSync(log, `${line}\n`) },
      { only: ["mtls"], observeLog: log },
    );
    expect(report.exitCode).toBe(0);
    expect(report.warnings.filter((w) => /on the wire|not proven/.test(w))).toEqual([]);
  });
});

describe("payloads refused", () => {
  it("groups the refusals of every nested payload under one cause", async () => {
    const report = await verifyAgainst({ pkiDir, refuseNested: true }, { only: ["delivery"] });
    expect(report.causes.map((c) => [c.id, c.checks])).toEqual([
      [
        "nested-payloads-refused",
        ["delivery.alert-nested", "delivery.reachability-nested", "delivery.unknown-fields"],
      ],
    ]);
  });
});
