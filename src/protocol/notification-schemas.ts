import { readFileSync } from "node:fs";
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import { SCHEMAS_DIR_URL } from "../package-facts.js";
import { isRfc3339DateTime } from "./notification-date.js";
import { jsonTypeName } from "./notification-fields.js";
import type { NotificationKind } from "./notification-types.js";

/** The package's `schemas/` folder. */
export const NOTIFICATION_SCHEMAS_DIR = SCHEMAS_DIR_URL;

export const NOTIFICATION_SCHEMA_FILES: Readonly<Record<NotificationKind, string>> = {
  test: "test-notification.schema.json",
  "alert-flat": "alert-flat.schema.json",
  "alert-nested": "alert-nested.schema.json",
  "reachability-flat": "reachability-flat.schema.json",
  "reachability-nested": "reachability-nested.schema.json",
};

/** At most this many schema problems are reported for one body; the rest are counted. */
export const NOTIFICATION_MAX_REASONS = 10;

/** The file URL of the JSON Schema for one kind, for tools that validate on their own. */
export function notificationSchemaUrl(kind: NotificationKind): URL {
  return new URL(NOTIFICATION_SCHEMA_FILES[kind], NOTIFICATION_SCHEMAS_DIR);
}

function compileAll(): Record<NotificationKind, ValidateFunction> {
  // ownProperties: `required` and `properties` look at own keys only, never the prototype.
  const ajv = new Ajv({
    allErrors: true,
    verbose: true,
    ownProperties: true,
    allowUnionTypes: true,
  });
  ajv.addFormat("date-time", { type: "string", validate: isRfc3339DateTime });
  const compile = (kind: NotificationKind): ValidateFunction => {
    const url = notificationSchemaUrl(kind);
    try {
      return ajv.compile(JSON.parse(readFileSync(url, "utf8")));
    } catch (error) {
      throw new Error(`[netdata-webhook-kit] failed to load schema ${url.pathname}: ${error}`);
    }
  };
  return {
    test: compile("test"),
    "alert-flat": compile("alert-flat"),
    "alert-nested": compile("alert-nested"),
    "reachability-flat": compile("reachability-flat"),
    "reachability-nested": compile("reachability-nested"),
  };
}

// Compiled once when the module loads: a broken schema file fails at startup, not per request.
const validators = compileAll();

function preview(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

/** One ajv error as a sentence that names the path: `/alert/state/status must be string, got number`. */
export function describeSchemaError(error: ErrorObject): string {
  const path = error.instancePath === "" ? "/" : error.instancePath;
  const { params } = error;
  switch (error.keyword) {
    case "required":
      return `${error.instancePath}/${String(params.missingProperty)} is missing`;
    case "type": {
      const expected = Array.isArray(params.type) ? params.type.join(" or ") : String(params.type);
      return `${path} must be ${expected}, got ${jsonTypeName(error.data)}`;
    }
    case "pattern":
    case "format": {
      const expected = error.parentSchema?.description ?? error.message ?? error.keyword;
      return `${path} must be ${expected}, got ${preview(error.data)}`;
    }
    default:
      return `${path} ${error.message ?? `fails ${error.keyword}`}`;
  }
}

/** Problems with `body` under the schema of `kind`, each prefixed with the kind; [] when valid. */
export function schemaProblems(kind: NotificationKind, body: unknown): string[] {
  const validate = validators[kind];
  if (validate(body)) return [];
  const problems = [...new Set((validate.errors ?? []).map(describeSchemaError))];
  const shown = problems.slice(0, NOTIFICATION_MAX_REASONS).map((problem) => `${kind}: ${problem}`);
  const hidden = problems.length - shown.length;
  return hidden > 0 ? [...shown, `${kind}: ...and ${hidden} more problems`] : shown;
}
