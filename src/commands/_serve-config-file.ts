import { statSync } from "node:fs";
import { resolve } from "node:path";
import type { ErrorObject } from "ajv";
import type { Document, LineCounter } from "yaml";
import { didYouMean } from "../did-you-mean.js";
import { SCHEMAS_DIR_URL } from "../package-facts.js";
import { type OptionSpecs, UsageError } from "./_command.js";
import { readFlagFile } from "./_file-problem.js";
import { sinkKindOf } from "./_forward-options.js";
import { SECRET_HEADER } from "./_forward-values.js";
import { SERVE_CONFIG_SCHEMA_FILE, SINK_KEYS } from "./_serve-config-schema.js";

/** A secret the file writes in plain text or as {env: VAR}: handed to serve as its variable. */
export interface SecretFromFile {
  value: string;
  ref: { env: string } | "plain";
}

// Reading `serve --config FILE`: YAML or JSON (JSON is YAML), checked against the shipped
// schema for keys and types; every problem is said with its key path and line.

/** A configuration file read and checked against the schema, with where each key is. */
export interface ConfigFile {
  /** The path as given. */
  path: string;
  data: Record<string, unknown>;
  /** `serve.yaml line 3`: where a key (a path of keys) is written. */
  where: (segments: ReadonlyArray<string | number>) => string;
}

/**
 * Reads and parses the file and checks it against the schema: a problem names its key path
 * and line. A secret in plain text is refused when other users can read the file.
 */
export async function readConfigFile(
  path: string,
  options: OptionSpecs,
  cwd: string,
): Promise<ConfigFile> {
  const absolute = resolve(cwd, path);
  const text = readFlagFile("--config", path, "Give the path of the YAML or JSON file.", absolute);
  const { LineCounter, parseDocument } = await import("yaml");
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false });
  const syntax = doc.errors[0];
  if (syntax) {
    const line = counter.linePos(syntax.pos[0]).line;
    throw new UsageError(
      `--config: ${path} line ${line}: not valid YAML or JSON: ${syntax.message}. Fix the file there.`,
    );
  }
  let data: Record<string, unknown>;
  try {
    // A config needs no aliases that expand beyond a few: a few hundred is a "billion laughs".
    data = (doc.toJS({ maxAliasCount: CONFIG_MAX_ALIAS_COUNT }) ?? {}) as Record<string, unknown>;
  } catch (error) {
    throw new UsageError(
      `--config: ${path}: the file could not be read as data: ${(error as Error).message}. Write the values out instead of through aliases (*name).`,
    );
  }
  const where = (segments: ReadonlyArray<string | number>) =>
    `${path} line ${lineOf(doc, counter, segments)}`;
  const error = await schemaError(data);
  if (error) throw new UsageError(`--config: ${where(pointer(error))}: ${describe(error)}`);
  refusePlainSecrets(data, options, statSync(absolute).mode, path, where);
  refuseKeysOfTheOtherSinkKind(data, where);
  return { path, data, where };
}

/** A key that only a url sink reads (or only an exec sink), in a sink of the other kind. */
function refuseKeysOfTheOtherSinkKind(
  data: Record<string, unknown>,
  where: (segments: ReadonlyArray<string | number>) => string,
): void {
  for (const [i, sink] of sinksOf(data).entries()) {
    const mine = sink.exec !== undefined ? "exec" : "url";
    const flags: Readonly<Record<string, string>> = SINK_KEYS;
    const misplaced = Object.keys(sink).find((key) => {
      const kind = flags[key] === undefined ? undefined : sinkKindOf(flags[key]);
      return kind !== undefined && kind !== SINK_KEYS[mine];
    });
    if (misplaced === undefined) continue;
    const other = mine === "exec" ? "url" : "exec";
    throw new UsageError(
      `--config: ${where(["sinks", i, misplaced])}: sinks[${i}].${misplaced} applies only to ${other} sinks, and this one is a${mine === "exec" ? "n" : ""} ${mine} sink. Remove it, or make this sink a${other === "url" ? "" : "n"} ${other} sink.`,
    );
  }
}

/** Aliases (`*name`) a config file may expand; more is refused, as a YAML bomb would be. */
const CONFIG_MAX_ALIAS_COUNT = 100;

let validator: ((data: unknown) => ErrorObject[]) | undefined;

/** The first problem the schema finds, or undefined. The schema is compiled once. */
async function schemaError(data: unknown): Promise<ErrorObject | undefined> {
  if (!validator) {
    const { Ajv } = await import("ajv");
    const { readFileSync } = await import("node:fs");
    const schema = JSON.parse(
      readFileSync(new URL(SERVE_CONFIG_SCHEMA_FILE, SCHEMAS_DIR_URL), "utf8"),
    );
    const options = { verbose: true, allowUnionTypes: true, ownProperties: true, allErrors: true };
    const validate = new Ajv(options).compile(schema);
    validator = (value) => (validate(value) ? [] : (validate.errors ?? []));
  }
  // A sink's missing exec/url is said once, by its oneOf, not by each branch's `required`;
  // an unknown key first, with its closest key (`uri` is `url` misspelt, not a sink without one).
  const errors = validator(data).filter((e) => !e.schemaPath.includes("/oneOf/"));
  return errors.find((e) => e.keyword === "additionalProperties") ?? errors[0];
}

/** Where an error is: the path to its value, and the unknown key itself for additionalProperties. */
function pointer(error: ErrorObject): Array<string | number> {
  const segments = error.instancePath
    .split("/")
    .slice(1)
    .map((s) => s.replaceAll("~1", "/").replaceAll("~0", "~"))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
  const extra = error.params.additionalProperty ?? error.propertyName;
  return typeof extra === "string" ? [...segments, extra] : segments;
}

/** `sinks[1].filter.min-severity`. */
export function keyPath(segments: ReadonlyArray<string | number>): string {
  return segments
    .map((s, i) => (typeof s === "number" ? `[${s}]` : i === 0 ? s : `.${s}`))
    .join("");
}

/** The problem of one schema error, in the CLI's words; never the value (it may be a secret). */
function describe(error: ErrorObject): string {
  const segments = pointer(error);
  const key = keyPath(segments) || "the file";
  const parent = (error.parentSchema ?? {}) as { properties?: Record<string, unknown> };
  // A header name refused by the headers' propertyNames (its pattern is the error ajv gives).
  switch (error.propertyName !== undefined ? "propertyNames" : error.keyword) {
    case "additionalProperties": {
      const unknown = String(error.params.additionalProperty);
      const names = Object.keys(parent.properties ?? {});
      return `unknown key: ${key}. ${unknownKeyFix(unknown, names)}`;
    }
    case "type":
      return `${key}: expected ${typeWords(String(error.params.type))}, got ${jsonType(error.data)}. Write it as docs/configuration.md shows.`;
    case "oneOf":
      return `${key}: a sink has exactly one of exec and url. Give one, or split it into two sinks.`;
    case "propertyNames":
      return `${key}: not an HTTP header name: ${JSON.stringify(String(error.propertyName).slice(0, 80))}. Write the name alone (letters, digits and !#$%&'*+-.^_\`|~), its value after the colon.`;
    case "minProperties":
    case "maxProperties":
      return `${key}: expected {file: PATH} or {env: VAR}, exactly one of them. Write one.`;
    default:
      return `${key}: ${error.message ?? error.keyword}. See docs/configuration.md.`;
  }
}

/** The fix for an unknown key: the closest key, or where a flag's concept lives in the file. */
function unknownKeyFix(key: string, names: string[]): string {
  const keys = "The keys are listed in docs/configuration.md.";
  const secret = key.replace(/-file$/, "");
  if (key.endsWith("-file") && names.includes(secret)) {
    return `Write it as ${secret}: {file: PATH}.`;
  }
  if (key.startsWith("forward-") && Object.values(SINK_KEYS).includes(key as never)) {
    return `Forwarding sinks are the list sinks: write sinks: [{url: ...}] or [{exec: ...}]. ${keys}`;
  }
  const suggestion = didYouMean(key, names);
  return `${suggestion ? `Did you mean ${suggestion}? ` : ""}${keys}`;
}

function typeWords(type: string): string {
  if (type === "string,object") return "a string, {file: PATH} or {env: VAR}";
  if (type === "integer") return "a whole number";
  if (type === "array") return "a list";
  if (type === "object" || type === "object,null") return "a map of keys";
  return `a ${type}`;
}

function jsonType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a map";
  return `a ${typeof value}`;
}

/** The line of a key (or of a list item), 1-based; 1 when the path is not in the file. */
function lineOf(
  doc: Document,
  counter: LineCounter,
  segments: ReadonlyArray<string | number>,
): number {
  type YamlNode = { range?: [number, number, number]; items?: unknown[] };
  type YamlPair = { key: YamlNode & { value?: unknown }; value: YamlNode };
  let node = doc.contents as YamlNode | null;
  let offset = node?.range?.[0] ?? 0;
  for (const segment of segments) {
    const items = node?.items ?? [];
    if (typeof segment === "number") {
      node = (items[segment] as YamlNode | undefined) ?? null;
      offset = node?.range?.[0] ?? offset;
      continue;
    }
    const pair = (items as YamlPair[]).find((p) => String(p.key?.value) === segment);
    if (!pair) break;
    offset = pair.key.range?.[0] ?? offset;
    node = pair.value;
  }
  return counter.linePos(offset).line;
}

/**
 * A secret in plain text (a secret key as a string, or a secret header without {file:...} or
 * {env:...}) is refused in a file that other users can read.
 */
function refusePlainSecrets(
  data: Record<string, unknown>,
  options: OptionSpecs,
  mode: number,
  path: string,
  where: (segments: ReadonlyArray<string | number>) => string,
): void {
  if ((mode & 0o044) === 0) return;
  const plain: Array<Array<string | number>> = [];
  for (const [name, value] of Object.entries(data)) {
    if (options[name]?.secret && typeof value === "string") plain.push([name]);
  }
  for (const [i, sink] of sinksOf(data).entries()) {
    for (const [header, value] of Object.entries(sink.headers ?? {})) {
      if (SECRET_HEADER.test(header) && !/\{(env|file):/.test(value)) {
        plain.push(["sinks", i, "headers", header]);
      }
    }
  }
  const first = plain[0];
  if (!first) return;
  const octal = (mode & 0o777).toString(8).padStart(4, "0");
  throw new UsageError(
    `--config: ${where(first)}: ${keyPath(first)} is a secret in plain text, and other users can read the file (mode ${octal}). Run 'chmod 600 ${path}', or write it as {file: PATH} or {env: VAR}${first.length > 1 ? " inside the value" : ""}.`,
  );
}

/** One entry of `sinks`, as the schema allows it. */
export interface SinkConfig {
  exec?: string;
  url?: string;
  headers?: Record<string, string>;
  ca?: string;
  format?: string;
  filter?: { kinds?: string[]; "min-severity"?: string };
  /** Exec sinks: names of serve's environment variables the command gets. */
  env?: string[];
  /** A number; a flag's value that is not one stays as given, for serve's check to refuse. */
  concurrency?: number | string;
}

export function sinksOf(data: Record<string, unknown>): SinkConfig[] {
  return Array.isArray(data.sinks) ? (data.sinks as SinkConfig[]) : [];
}
