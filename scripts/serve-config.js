#!/usr/bin/env node
// Writes schemas/serve-config.schema.json from serve's option declarations, then
// docs/configuration.md from that schema. Run after `npm run build` when serve's options change;
// test/unit/serve-config-doc.test.ts fails until both files are current.
import { readFileSync, writeFileSync } from "node:fs";

const root = new URL("../", import.meta.url);
const { serveCommand } = await import(new URL("dist/commands/serve.js", root).href);
const { SERVE_CONFIG_SCHEMA_FILE, serveConfigSchema } = await import(
  new URL("dist/commands/_serve-config-schema.js", root).href
);
const { configurationDoc } = await import(new URL("dist/commands/_serve-config-doc.js", root).href);
const schemaUrl = new URL(`schemas/${SERVE_CONFIG_SCHEMA_FILE}`, root);
writeFileSync(schemaUrl, `${JSON.stringify(serveConfigSchema(serveCommand.options), null, 2)}\n`);
const schema = JSON.parse(readFileSync(schemaUrl, "utf8"));
writeFileSync(new URL("docs/configuration.md", root), configurationDoc(schema));
console.log(`wrote schemas/${SERVE_CONFIG_SCHEMA_FILE}\nwrote docs/configuration.md`);
