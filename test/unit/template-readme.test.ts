// A template's README is run by hand by someone new to the project: its commands must use
// the values its dev.env and package.json really have, or the first `inbox` or `verify`
// looks at the wrong file or sends the wrong secret.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { findTemplate, TEMPLATE_NAMES } from "../../src/scaffold/catalogue.js";

const TEMPLATES = ["express-ts", "node-http"] as const;

const read = (template: string, file: string) =>
  readFileSync(new URL(`../../templates/${template}/${file}`, import.meta.url), "utf8");

/** dev.env as a map: `NAME=value` lines, comments left out. */
function devEnv(template: string): Record<string, string> {
  const entries = read(template, "dev.env")
    .split("\n")
    .filter((line) => /^[A-Z_]+=/.test(line))
    .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]);
  return Object.fromEntries(entries);
}

/** The shell blocks of a README, one command a line (continuations joined). */
function shellCommands(readme: string): string[] {
  const blocks = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1] ?? "");
  return blocks.flatMap((block) => block.replace(/\\\n\s*/g, " ").split("\n"));
}

/** Commands in the README's text and blocks that act on the development setup. */
function devCommands(readme: string): string[] {
  const inline = [...readme.matchAll(/`(npx netdata-webhook-kit [^`]+)`/g)].map((m) => m[1] ?? "");
  return [...shellCommands(readme), ...inline].filter((c) => c.includes("netdata-webhook-kit"));
}

describe.each(TEMPLATES)("the %s template's README", (template) => {
  const readme = read(template, "README.md");
  const env = devEnv(template);
  const scripts = Object.keys(JSON.parse(read(template, "package.json")).scripts ?? {});

  it("runs only npm scripts its package.json has", () => {
    const used = [...readme.matchAll(/npm run ([\w:-]+)/g)].map((m) => m[1]);
    for (const script of used) expect(scripts).toContain(script);
  });

  it("reads the inbox dev.env writes, wherever it names a database", () => {
    const dbs = devCommands(readme).flatMap((c) => [...c.matchAll(/--db (\S+)/g)].map((m) => m[1]));
    for (const db of dbs) expect(db).toBe(env.DB_PATH);
  });

  it("sends dev.env's token and secret, to dev.env's port", () => {
    const verify = shellCommands(readme).filter((c) => c.includes("https://127.0.0.1:"));
    expect(verify.length).toBeGreaterThan(0);
    for (const command of verify) {
      expect(command).toContain(`https://127.0.0.1:${env.PORT}/`);
      const token = /--bearer-token (\S+)/.exec(command)?.[1];
      const secret = /--challenge-secret (\S+)/.exec(command)?.[1];
      if (token !== undefined) expect(token).toBe(env.BEARER_TOKEN);
      if (secret !== undefined) expect(secret).toBe(env.CHALLENGE_SECRET);
    }
  });

  it("has each section once", () => {
    const headings = [...readme.matchAll(/^## (.+)$/gm)].map((m) => m[1]);
    expect(new Set(headings).size).toBe(headings.length);
  });
});

/** A command as a user types it: the comment after it dropped, spaces collapsed. */
const bare = (line: string) =>
  line
    .replace(/\s+#.*$/, "")
    .replace(/\s+/g, " ")
    .trim();

/** The first shell block under `## Run it locally`, one bare command a line. */
function runItLocally(readme: string): string[] {
  const section = readme.split(/^## Run it locally$/m)[1]?.split(/^## /m)[0] ?? "";
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1] ?? "";
  return block
    .replace(/\\\n\s*/g, " ")
    .split("\n")
    .map(bare)
    .filter((line) => line.length > 0);
}

describe.each(TEMPLATE_NAMES)("the %s template, as init prints it", (template) => {
  const readme = read(template, "README.md");
  const info = findTemplate(template);
  // init prints `cd DIR` first; the README is read from inside the project.
  const printed = (info?.nextSteps("my-receiver") ?? []).slice(1).map(bare);

  it("shows in its README, under Run it locally, the steps init prints, in order", () => {
    expect(printed.length).toBeGreaterThan(0);
    expect(runItLocally(readme)).toEqual(printed);
  });

  it("installs the project's own kit before the first npx netdata-webhook-kit", () => {
    const install = printed.indexOf("npm install");
    const firstNpx = printed.findIndex((step) => step.startsWith("npx netdata-webhook-kit"));
    expect(install).toBeGreaterThanOrEqual(0);
    expect(install).toBeLessThan(firstNpx);
  });

  it("names the kit in package.json, so that npx netdata-webhook-kit never asks the registry", () => {
    expect(readme).toContain("npx netdata-webhook-kit");
    const pkg = JSON.parse(read(template, "package.json"));
    const kit = { ...pkg.dependencies, ...pkg.devDependencies }["netdata-webhook-kit"];
    expect(kit, "package.json has no netdata-webhook-kit").toBeDefined();
  });

  it("gives its TLS servers the kit's policy (nodeTlsOptions), never Node's defaults", () => {
    // Every server given options in an example: its options start with the kit's policy.
    const servers = [...readme.matchAll(/createServer\(\s*\{([^\n]*)/g)].map((m) => m[1] ?? "");
    for (const options of servers) expect(options.trim()).toMatch(/^\.\.\.nodeTlsOptions\(\)/);
  });
});
