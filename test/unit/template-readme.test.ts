// A template's README is run by hand by someone new to the project: its commands must use
// the values its dev.env and package.json really have, or the first `inbox` or `verify`
// looks at the wrong file or sends the wrong secret.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

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
