import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import * as http from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { httpGet } from "../helpers/admin.js";
import { type ServeProcess, sharedTestPki, spawnServe } from "../helpers/receiver.js";

const ADMIN_TOKEN = "admin-SECRET-6b5a4c3d";
let dir: string | undefined;
let serve: ServeProcess | undefined;

afterAll(() => {
  serve?.child.kill("SIGKILL");
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function adminUrlOf(process: ServeProcess): Promise<string> {
  for (;;) {
    const line = process
      .output()
      .stdout.split("\n")
      .find((l) => l.includes('"msg":"admin console listening"'));
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
    const args = ["--dev", "--certs", pkiDir, "--port", "0", "--db", join(dir, "inbox.db")];
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
