// The config schema is made from serve's options, and docs/configuration.md from the schema:
// both shipped files must be what the generators make today (run scripts/serve-config.js).
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { configurationDoc } from "../../src/commands/_serve-config-doc.js";
import {
  plainKeys,
  SERVE_CONFIG_SCHEMA_FILE,
  SINK_KEYS,
  serveConfigSchema,
} from "../../src/commands/_serve-config-schema.js";
import { serveCommand } from "../../src/commands/serve.js";

const root = new URL("../../", import.meta.url);
const shipped = JSON.parse(
  readFileSync(new URL(`schemas/${SERVE_CONFIG_SCHEMA_FILE}`, root), "utf8"),
);
const doc = readFileSync(new URL("docs/configuration.md", root), "utf8");
const regenerate = "out of date: run `npm run build && node scripts/serve-config.js`";

describe("serve's configuration schema and docs/configuration.md", () => {
  it("ships the schema made from serve's options", () => {
    expect(shipped, `schemas/${SERVE_CONFIG_SCHEMA_FILE} ${regenerate}`).toEqual(
      serveConfigSchema(serveCommand.options),
    );
  });

  it("ships the doc made from the schema", () => {
    expect(doc, `docs/configuration.md ${regenerate}`).toBe(configurationDoc(shipped));
  });

  it("has a key for every serve option: itself, its secret, or a sink's", () => {
    const keys = new Set(plainKeys(serveCommand.options));
    const sinkFlags = new Set<string>(Object.values(SINK_KEYS));
    for (const option of serveCommand.spellings.options) {
      const secret = option.replace(/-file$/, "");
      const covered =
        keys.has(option) ||
        sinkFlags.has(option) ||
        (keys.has(secret) && serveCommand.options[secret]?.secret !== undefined) ||
        option === "config" ||
        option === "print-config";
      expect(covered, `--${option} has no key in the configuration file`).toBe(true);
    }
  });

  it("lists every key in docs/configuration.md", () => {
    for (const key of Object.keys(shipped.properties)) expect(doc).toContain(`| \`${key}\` |`);
    for (const key of Object.keys(shipped.properties.sinks.items.properties)) {
      expect(doc).toMatch(
        new RegExp(`\\| \`(filter\\.)?${key === "filter" ? "kinds" : key}\` \\|`),
      );
    }
  });
});
