// The console in a real browser: Debian's Chromium driven by playwright-core (no browser
// download), against the real `serve --dev --admin-port 0` process, fed by the kit's `send`.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore } from "../../src/receiver/store.js";
import { findProgram } from "../helpers/admin.js";
import { runCliCaptured } from "../helpers/cli.js";
import { type ServeProcess, sharedTestPki, spawnServe, TEST_SECRETS } from "../helpers/receiver.js";

const browser = findProgram("chromium", "chromium");
/** Screenshots land here (git-ignored) and stay after the run, for a person or CI to look at. */
const ARTIFACTS = new URL("../artifacts/", import.meta.url).pathname;
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
const HOSTILE_MESSAGE = '<script>document.title="pwned";window.pwned=1</script><b>bold?</b>';
const ENV = { NETDATA_BEARER_TOKEN: TEST_SECRETS.bearerToken };

let dir: string;
let pkiDir: string;
let serve: ServeProcess | undefined;
let adminUrl: string;
let context: BrowserContext | undefined;

/** Resolves with the admin URL once serve has logged it. */
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

async function send(...args: string[]): Promise<{ code: number; stdout: string }> {
  return runCliCaptured(["send", serve?.url ?? "", ...args], { env: ENV, cwd: dir });
}

beforeAll(async () => {
  if (browser.skip) return;
  dir = mkdtempSync(join(tmpdir(), "ndwk-console-"));
  pkiDir = await sharedTestPki();
  serve = await spawnServe(
    [
      "--dev",
      "--pki",
      pkiDir,
      "--port",
      "0",
      "--admin-port",
      "0",
      "--db",
      join(dir, "inbox.db"),
      "--auth",
      "bearer",
    ],
    { cwd: dir, env: { ...ENV } },
  );
  adminUrl = await adminUrlOf(serve);
  context = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), "ndwk-chromium-")), {
    executablePath: browser.path ?? "/usr/bin/chromium",
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1400, height: 1000 },
  });
  await context.grantPermissions(["clipboard-read", "clipboard-write"], {
    origin: new URL(adminUrl).origin,
  });
});

afterAll(async () => {
  await context?.close();
  serve?.child.kill("SIGTERM");
  await serve?.exited;
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/**
 * The lowest WCAG contrast ratio between text and its background over the page's text
 * elements, with the selector of the worst one. Runs in the page.
 */
const LOWEST_CONTRAST = `(() => {
  const rgb = (c) => (c.match(/[\\d.]+/g) || []).map(Number);
  const luminance = ([r, g, b]) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const background = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const c = rgb(getComputedStyle(e).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] === 1)) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  let worst = { ratio: 21, where: "" };
  for (const el of document.querySelectorAll("h1, h2, p, th, td, dt, dd, span, button, output, code, time")) {
    if (!el.textContent.trim() || el.offsetParent === null) continue;
    const a = luminance(rgb(getComputedStyle(el).color));
    const b = luminance(background(el));
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    if (ratio < worst.ratio) worst = { ratio, where: el.tagName + "." + el.className };
  }
  return worst;
})()`;

async function openConsole(): Promise<Page> {
  const page = await (context as BrowserContext).newPage();
  await page.goto(adminUrl);
  await page.locator('body[data-live="true"]').waitFor();
  return page;
}

describe.skipIf(browser.skip)(`admin console in Chromium (${browser.label})`, () => {
  it("shows the token live with a working copy button, the refusal with its reason, and markup from a payload as text", async () => {
    const page = await openConsole();
    const hostile = join(dir, "hostile.json");
    writeFileSync(
      hostile,
      JSON.stringify({
        message: HOSTILE_MESSAGE,
        title: "Test Notification",
        token: "0f0f0f0f-hostile",
      }),
    );
    expect((await send("--file", hostile, "--pki", pkiDir, "--auth", "bearer")).code).toBe(0);
    expect((await send("--kind", "test", "--pki", pkiDir, "--auth", "bearer")).code).toBe(0);
    const refused = await send("--kind", "test", "--pki", pkiDir, "--bearer-token", "wrong-token");
    expect(refused.stdout).toContain("HTTP 401");
    const store = openStore(join(dir, "inbox.db"), { readonly: true });
    const token = (await store.latestTestToken())?.token ?? "";
    await store.close();
    expect(token).toMatch(/^[0-9a-f-]{36}$/);

    // Live: everything arrives over the event stream, without a reload.
    await page.locator("#token", { hasText: token }).waitFor();
    const refusal = page.locator('#refusals tr[data-reason="bad_auth"]');
    await refusal.waitFor();
    expect(await refusal.textContent()).toContain("bad Authorization");
    expect(await refusal.textContent()).toContain("HTTP 401");
    // A second refusal of the same reason from the same address replaces the row, live.
    const again = await send("--kind", "test", "--pki", pkiDir, "--bearer-token", "wrong-token");
    expect(again.stdout).toContain("HTTP 401");
    await page.locator('#refusals tr[data-reason="bad_auth"][data-count="2"]').waitFor();
    expect(await page.locator('#refusals tr[data-reason="bad_auth"]').count()).toBe(1);
    expect(await refusal.textContent()).toContain("2 times since");
    const counted = page.locator('#refusal-counts li[data-reason="bad_auth"] .count');
    expect(await counted.textContent()).toBe("2");

    // The copy button, by keyboard: Tab past the skip link, then Enter.
    const copy = page.getByRole("button", { name: "Copy token" });
    await page.keyboard.press("Tab");
    await page.keyboard.press("Tab");
    expect(await page.evaluate("document.activeElement.id")).toBe("copy-token");
    expect(await copy.isVisible()).toBe(true);
    await page.keyboard.press("Enter");
    await page.locator("#copy-status", { hasText: "Copied" }).waitFor();
    expect(await page.evaluate("navigator.clipboard.readText()")).toBe(token);

    const message = page.locator("#notifications td.message", { hasText: "pwned" });
    expect(await message.textContent()).toBe(HOSTILE_MESSAGE);
    expect(await page.locator("#notifications script, #notifications b").count()).toBe(0);
    expect(await page.title()).toBe("Netdata webhook receiver console");
    expect(await page.evaluate("window.pwned")).toBeUndefined();

    // WCAG AA: 4.5:1 for normal text, everywhere text is shown (disabled controls excepted).
    const contrast = (await page.evaluate(LOWEST_CONTRAST)) as { ratio: number; where: string };
    expect(contrast.ratio, contrast.where).toBeGreaterThanOrEqual(4.5);

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({
      path: join(ARTIFACTS, "admin-console.png"),
      fullPage: true,
      animations: "disabled",
    });
    await page.close();
  });

  it("lists the same when no script runs (console.js blocked): server-rendered, markup still text", async () => {
    // A persistent context cannot open a second context with JavaScript off; the page's only
    // script is console.js, so blocking it leaves the page as a browser without JavaScript sees it.
    const page = await (context as BrowserContext).newPage();
    await page.route("**/console.js", (route) => route.abort());
    await page.goto(adminUrl);
    expect(await page.locator('#refusals tr[data-reason="bad_auth"]').count()).toBe(1);
    expect(await page.locator("#notifications tbody tr").count()).toBe(2);
    const message = page.locator("#notifications td.message", { hasText: "pwned" });
    expect(await message.textContent()).toBe(HOSTILE_MESSAGE);
    expect(await page.getByRole("button", { name: "Copy token" }).isHidden()).toBe(true);
    await page.close();
  });
});
