import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import * as http from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { httpGet, sampleValue } from "../helpers/admin.js";
import { postJson, type ServeProcess, sharedTestPki, spawnServe } from "../helpers/receiver.js";

const ADMIN_TOKEN = "admin-SECRET-6b5a4c3d";
let dir: string | undefined;
let serve: ServeProcess | undefined;

afterAll(() => {
  serve?.child.kill("SIGKILL");
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function adminUrlOf(process: ServeProcess): Promise<string> {
  return urlFromLog(process, "admin console listening");
}

async function urlFromLog(process: ServeProcess, msg: string): Promise<string> {
  for (;;) {
    const line = process
      .output()
      .stdout.split("\n")
      .find((l) => l.includes(`"msg":"${msg}"`));
    if (line) return String(JSON.parse(line).url);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("serve --admin-port with an admin token", () => {
  it("asks for the token, never logs it, and stops cleanly on SIGTERM with a page's event stream open", async () => {
    dir = mkdtempSync(join(tmpdir(), "ndwk-admin-serve-"));
    const tokenFile = join(dir, "admin-token");
    writeFileSync(tokenFile, `${ADMIN_TOKEN}\n`);
    const pkiDir = await sharedTestPki();
    const args = ["--dev", "--pki", pkiDir, "--port", "0", "--db", join(dir, "inbox.db")];
    serve = await spawnServe([...args, "--admin-port", "0", "--admin-token-file", tokenFile], {
      cwd: dir,
    });
    const url = await adminUrlOf(serve);
    expect((await httpGet(`${url}metrics`)).status).toBe(401);
    const bearer = { authorization: `Bearer ${ADMIN_TOKEN}` };
    expect((await httpGet(`${url}metrics`, { headers: bearer })).status).toBe(200);
    expect((await httpGet(`${url}healthz`)).status).toBe(200);

    const stream = await new Promise<http.IncomingMessage>((resolve, reject) => {
      http.get(`${url}events`, { headers: bearer, agent: false }, resolve).on("error", reject);
    });
    expect(stream.statusCode).toBe(200);
    stream.resume();
    const streamEnded = new Promise<void>((resolve) => stream.once("close", () => resolve()));
    serve.child.kill("SIGTERM");
    expect(await serve.exited).toBe(0);
    await streamEnded;
    const { stdout, stderr } = serve.output();
    expect(stdout).toContain('"msg":"receiver stopped"');
    expect(`${stdout}${stderr}`).not.toContain(ADMIN_TOKEN);
  });
});

describe("serve --admin-port with forwarding", () => {
  it("shows the outbox's own counts per sink on /metrics and the page", async () => {
    const forwardDir = mkdtempSync(join(tmpdir(), "ndwk-admin-forward-"));
    const pkiDir = await sharedTestPki();
    const args = ["--dev", "--pki", pkiDir, "--port", "0", "--db", join(forwardDir, "inbox.db")];
    const forwarding = await spawnServe(
      [...args, "--admin-port", "0", "--forward-exec", "/bin/true"],
      { cwd: forwardDir },
    );
    try {
      const admin = await adminUrlOf(forwarding);
      const webhook = await urlFromLog(forwarding, "receiver listening");
      const body = { message: "disk full", title: "Test Notification", token: "f0rward-1" };
      expect((await postJson({ url: webhook, pkiDir, body })).status).toBe(200);
      const sink = /sink="([^"]+)"/;
      let metrics = "";
      for (let i = 0; i < 400; i++) {
        metrics = (await httpGet(`${admin}metrics`)).text;
        const name = sink.exec(metrics)?.[1];
        const sample = `ndwk_forward_deliveries{sink="${name}",outcome="delivered"}`;
        if (name && sampleValue(metrics, sample) === 1) break;
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      const name = sink.exec(metrics)?.[1] ?? "";
      expect(name).toMatch(/^exec\(true\)/);
      expect(
        sampleValue(metrics, `ndwk_forward_deliveries{sink="${name}",outcome="delivered"}`),
      ).toBe(1);
      expect(sampleValue(metrics, `ndwk_outbox_depth{sink="${name}"}`)).toBe(0);
      const page = (await httpGet(admin)).text;
      expect(page).toContain(`<th scope="row">${name}</th><td>0</td><td>1</td><td>0</td>`);
      forwarding.child.kill("SIGTERM");
      expect(await forwarding.exited).toBe(0);
    } finally {
      forwarding.child.kill("SIGKILL");
      rmSync(forwardDir, { recursive: true, force: true });
    }
  });
});
