import { existsSync, readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Ajv } from "ajv";
import { describe, expect, it } from "vitest";
import {
  NOTIFICATION_SCHEMAS_DIR,
  notificationSchemaUrl,
} from "../../src/protocol/notification-schemas.js";
import {
  NOTIFICATION_KINDS,
  type NotificationKind,
} from "../../src/protocol/notification-types.js";

const ROOT = new URL("../../", import.meta.url);
const readJson = (url: URL): Record<string, unknown> => JSON.parse(readFileSync(url, "utf8"));

const FIXTURE_KINDS: Array<[string, NotificationKind]> = [
  ["captured/netdata-token.json", "test"],
  ["captured/netdata-alert-critical.json", "alert-nested"],
  ["captured/netdata-alert-warning.json", "alert-nested"],
  ["captured/netdata-alert-recovered.json", "alert-nested"],
  ["captured/netdata-reachability-reachable.json", "reachability-nested"],
  ["captured/netdata-reachability-unreachable.json", "reachability-nested"],
  ...readdirSync(new URL("../fixtures/flat/", import.meta.url)).map(
    (file): [string, NotificationKind] => [
      `flat/${file}`,
      file.startsWith("alert-flat") ? "alert-flat" : "reachability-flat",
    ],
  ),
];

/** Every `additionalProperties` anywhere in a schema, to prove none forbids unknown fields. */
function additionalPropertiesValues(node: unknown): unknown[] {
  if (typeof node !== "object" || node === null) return [];
  const own = Object.hasOwn(node, "additionalProperties")
    ? [(node as Record<string, unknown>).additionalProperties]
    : [];
  return [...own, ...Object.values(node).flatMap(additionalPropertiesValues)];
}

describe("shipped JSON Schemas", () => {
  it("live in the package's schemas/ folder, which package.json ships", () => {
    expect(fileURLToPath(NOTIFICATION_SCHEMAS_DIR)).toBe(fileURLToPath(new URL("schemas/", ROOT)));
    expect(readJson(new URL("package.json", ROOT)).files).toContain("schemas");
  });

  it("resolve from dist/ too: the build keeps src/protocol two levels below the root", () => {
    const build = readJson(new URL("tsconfig.build.json", ROOT)).compilerOptions as {
      rootDir: string;
      outDir: string;
    };
    expect([build.rootDir, build.outDir]).toEqual(["src", "dist"]);
  });

  it.each(NOTIFICATION_KINDS)("has a draft-07 schema for %s that allows unknown fields", (kind) => {
    const url = notificationSchemaUrl(kind);
    expect(existsSync(url)).toBe(true);
    const schema = readJson(url);
    expect(schema.$schema).toBe("http://json-schema.org/draft-07/schema#");
    expect(schema.additionalProperties).toBe(true);
    expect(additionalPropertiesValues(schema)).not.toContain(false);
  });

  // An independent, strict ajv (formats are not checked: plain ajv has none built in).
  const ajv = new Ajv({ allowUnionTypes: true, validateFormats: false });

  it.each(FIXTURE_KINDS)("accepts fixture %s as %s", (fixture, kind) => {
    const validate = ajv.compile(readJson(notificationSchemaUrl(kind)));
    expect(validate(readJson(new URL(`../fixtures/${fixture}`, import.meta.url)))).toBe(true);
  });

  it("rejects a nested alert whose status is a number", () => {
    const validate = ajv.compile(readJson(notificationSchemaUrl("alert-nested")));
    const body = readJson(
      new URL("../fixtures/captured/netdata-alert-critical.json", import.meta.url),
    );
    (body.alert as { state: { status: unknown } }).state.status = 2;
    expect(validate(body)).toBe(false);
  });
});
