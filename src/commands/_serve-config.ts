import { statSync } from "node:fs";
import { resolve } from "node:path";
import type { ErrorObject } from "ajv";
import type { Document, LineCounter } from "yaml";
import { didYouMean } from "../did-you-mean.js";
import { SCHEMAS_DIR_URL } from "../package-facts.js";
import {
  type CommandContext,
  type OptionSpecs,
  type ParsedValues,
  PROGRAM,
  UsageError,
} from "./_command.js";
import { readFlagFile } from "./_file-problem.js";
import { SECRET_HEADER } from "./_forward-values.js";
import {
  plainKeys,
  SERVE_CONFIG_SCHEMA_FILE,
  SINK_KEYS,
  WHOLE_NUMBER_KEYS,
} from "./_serve-config-schema.js";

// `serve --config FILE` and `serve --print-config`. The file is checked against the schema
// (keys and types, with lines), then turned into what the flag parser would have produced for
// the same settings; serve's own checks judge the values, as they judge the flags.

type Order = ReadonlyArray<{ name: string; value: string | undefined }>;
type Values = Record<string, unknown>;

/** A secret the file writes in plain text or as {env: VAR}: handed to serve as its variable. */
interface SecretFromFile {
  value: string;
  ref: { env: string } | "plain";
}

/** The file's settings as flags: values, the sinks' flags in order, and the secrets. */
interface FileSettings {
  path: string;
  values: Values;
  sinks: Order;
  secrets: Record<string, SecretFromFile>;
  /** `serve.yaml line 3`: where a key (a path of keys) is written. */
  where: (segments: ReadonlyArray<string | number>) => string;
}

type Io = { env: NodeJS.ProcessEnv; cwd: string };

/**
 * Serve's context with the --config file merged under the flags (a flag given wins, key by
 * key), with the origin of each value the file gave; or the exit code 0 when --print-config
 * printed the effective configuration. Without either option the context is returned as it
 * is, and neither YAML nor the schema is loaded.
 */
export async function withServeConfig<O extends OptionSpecs>(
  ctx: CommandContext<O>,
  options: O,
): Promise<CommandContext<O> | number> {
  const given = ctx.values as Values;
  if (given.config === undefined && given["print-config"] !== true) return ctx;
  const order = ctx.optionOrder ?? [];
  const flags = new Set(order.map((o) => o.name));
  const file =
    typeof given.config === "string" ? await readServeConfig(given.config, options, ctx) : empty();
  const byFlag = (name: string) => flags.has(name) || flags.has(`${name}-file`);
  const values: Values = { ...given };
  const origins = new Map<string, string>();
  for (const [name, value] of Object.entries(file.values)) {
    const key = name.replace(/-file$/, "");
    if (byFlag(key)) continue;
    values[name] = value;
    origins.set(`--${name}`, file.where([key]));
  }
  const env = { ...ctx.env };
  const secrets: Record<string, SecretFromFile> = {};
  for (const [name, secret] of Object.entries(file.secrets)) {
    const variable = options[name]?.secret?.env;
    if (byFlag(name) || variable === undefined) continue;
    env[variable] = secret.value;
    secrets[name] = secret;
    origins.set(`--${name}`, file.where([name]));
  }
  const sinksByFlag = flags.has(SINK_KEYS.exec) || flags.has(SINK_KEYS.url);
  const optionOrder = sinksByFlag ? order : [...order, ...file.sinks];
  if (!sinksByFlag && file.sinks.length > 0) {
    for (const flag of Object.values(SINK_KEYS)) origins.set(`--${flag}`, file.where(["sinks"]));
  }
  for (const flag of [SINK_KEYS.exec, SINK_KEYS.url]) {
    const sinks = optionOrder.filter((o) => o.name === flag).map((o) => o.value ?? "");
    if (sinks.length > 0) values[flag] = sinks;
  }
  const origin = (option: string) => origins.get(option);
  const merged = { ...ctx, values: values as ParsedValues<O>, optionOrder, env, origin };
  if (given["print-config"] !== true) return merged;
  const { stringify } = await import("yaml");
  const effective = effectiveConfig(merged, options, secrets, file.path);
  ctx.stdout(
    `# ${PROGRAM} serve: the effective configuration; '${PROGRAM} serve --config FILE' reads it back.\n${stringify(effective, { lineWidth: 0 })}`,
  );
  return 0;
}

function empty(): FileSettings {
  return { path: "", values: {}, sinks: [], secrets: {}, where: () => "" };
}

/** Reads, parses and checks the file against the schema; a problem names its key and line. */
async function readServeConfig(path: string, options: OptionSpecs, io: Io): Promise<FileSettings> {
  const absolute = resolve(io.cwd, path);
  const text = readFlagFile("--config", path, "Give the path of the YAML or JSON file.", absolute);
  const { LineCounter, parseDocument } = await import("yaml");
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false });
  const syntax = doc.errors[0];
  if (syntax) {
    const line = counter.linePos(syntax.pos[0]).line;
    const what = syntax.message.split("\n")[0]?.replace(/ at line \d+.*$/, "");
    throw new UsageError(
      `--config: ${path} line ${line}: not valid YAML or JSON: ${what}. Fix the file there.`,
    );
  }
  const data = (doc.toJS() ?? {}) as Values;
  const where = (segments: ReadonlyArray<string | number>) =>
    `${path} line ${lineOf(doc, counter, segments)}`;
  const at = (segments: ReadonlyArray<string | number>) => `--config: ${where(segments)}`;
  const error = await schemaError(data);
  if (error) throw new UsageError(`${at(pointer(error))}: ${describe(error)}`);
  refusePlainSecrets(data, options, statSync(absolute).mode, path, at);
  return { ...toFlags(data, options, io, at), path, where };
}

let validator: ((data: unknown) => ErrorObject[]) | undefined;

/** The first problem the schema finds, or undefined. The schema is compiled once. */
async function schemaError(data: unknown): Promise<ErrorObject | undefined> {
  if (!validator) {
    const { Ajv } = await import("ajv");
    const { readFileSync } = await import("node:fs");
    const schema = JSON.parse(
      readFileSync(new URL(SERVE_CONFIG_SCHEMA_FILE, SCHEMAS_DIR_URL), "utf8"),
    );
    const validate = new Ajv({ verbose: true, allowUnionTypes: true, ownProperties: true }).compile(
      schema,
    );
    validator = (value) => (validate(value) ? [] : (validate.errors ?? []));
  }
  // A sink's missing exec/url is said once, by its oneOf, not by each branch's `required`.
  return validator(data).find((e) => !e.schemaPath.includes("/oneOf/"));
}

/** Where an error is: the path to its value, and the unknown key itself for additionalProperties. */
function pointer(error: ErrorObject): Array<string | number> {
  const segments = error.instancePath
    .split("/")
    .slice(1)
    .map((s) => s.replaceAll("~1", "/").replaceAll("~0", "~"))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
  const extra = error.params.additionalProperty;
  return typeof extra === "string" ? [...segments, extra] : segments;
}

/** `sinks[1].filter.min-severity`. */
function keyPath(segments: ReadonlyArray<string | number>): string {
  return segments
    .map((s, i) => (typeof s === "number" ? `[${s}]` : i === 0 ? s : `.${s}`))
    .join("");
}

/** The problem of one schema error, in the CLI's words; a value is shown only for a choice. */
function describe(error: ErrorObject): string {
  const segments = pointer(error);
  const key = keyPath(segments);
  const parent = (error.parentSchema ?? {}) as { properties?: Record<string, unknown> };
  switch (error.keyword) {
    case "additionalProperties": {
      const unknown = String(error.params.additionalProperty);
      const names = Object.keys(parent.properties ?? {});
      return `unknown key: ${key}. ${unknownKeyFix(unknown, names)}`;
    }
    case "enum": {
      const allowed = (error.params.allowedValues as unknown[]).map(String);
      const suggestion = didYouMean(String(error.data), allowed);
      const hint = suggestion ? ` Did you mean ${suggestion}?` : "";
      return `${key}: expected one of ${allowed.join(", ")}, got ${JSON.stringify(error.data)}.${hint}`;
    }
    case "type":
      return `${key}: expected ${typeWords(String(error.params.type))}, got ${jsonType(error.data)}. Write it as docs/configuration.md shows.`;
    case "oneOf":
      return `${key}: a sink has exactly one of exec and url. Give one, or split it into two sinks.`;
    case "minProperties":
    case "maxProperties":
      return `${key}: expected {file: PATH} or {env: VAR}, exactly one of them. Write one.`;
    default:
      return `${key || "the file"}: ${error.message ?? error.keyword}. See docs/configuration.md.`;
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
  data: Values,
  options: OptionSpecs,
  mode: number,
  path: string,
  at: (segments: ReadonlyArray<string | number>) => string,
): void {
  if ((mode & 0o044) === 0) return;
  const where: Array<Array<string | number>> = [];
  for (const [name, value] of Object.entries(data)) {
    if (options[name]?.secret && typeof value === "string") where.push([name]);
  }
  for (const [i, sink] of sinksOf(data).entries()) {
    for (const [header, value] of Object.entries(sink.headers ?? {})) {
      if (SECRET_HEADER.test(header) && !/\{(env|file):/.test(value)) {
        where.push(["sinks", i, "headers", header]);
      }
    }
  }
  const first = where[0];
  if (!first) return;
  const octal = (mode & 0o777).toString(8).padStart(4, "0");
  throw new UsageError(
    `${at(first)}: ${keyPath(first)} is a secret in plain text, and other users can read the file (mode ${octal}). Run 'chmod 600 ${path}', or write it as {file: PATH} or {env: VAR}${first.length > 1 ? " inside the value" : ""}.`,
  );
}

interface SinkConfig {
  exec?: string;
  url?: string;
  headers?: Record<string, string>;
  ca?: string;
  format?: string;
  filter?: { kinds?: string[]; "min-severity"?: string };
  concurrency?: number;
}

function sinksOf(data: Values): SinkConfig[] {
  return Array.isArray(data.sinks) ? (data.sinks as SinkConfig[]) : [];
}

/** The file's settings as the flag parser would give them (strings, lists, `true`). */
function toFlags(
  data: Values,
  options: OptionSpecs,
  io: Io,
  at: (segments: ReadonlyArray<string | number>) => string,
): Pick<FileSettings, "values" | "sinks" | "secrets"> {
  const values: Values = {};
  const secrets: Record<string, SecretFromFile> = {};
  for (const name of plainKeys(options)) {
    const value = data[name];
    if (value === undefined || value === null || value === false) continue;
    if (options[name]?.secret) {
      const secret = value as string | { file?: string; env?: string };
      if (typeof secret === "string") secrets[name] = { value: secret, ref: "plain" };
      else if (secret.file !== undefined) values[`${name}-file`] = secret.file;
      else {
        const variable = secret.env ?? "";
        secrets[name] = { value: fromEnv(variable, io.env, at([name])), ref: { env: variable } };
      }
      continue;
    }
    values[name] = Array.isArray(value) ? value.map(String) : value === true ? true : String(value);
  }
  const sinks: Array<{ name: string; value: string }> = [];
  for (const sink of sinksOf(data)) {
    const add = (name: string, value: string | number | undefined) => {
      if (value !== undefined) sinks.push({ name, value: String(value) });
    };
    add(sink.exec !== undefined ? SINK_KEYS.exec : SINK_KEYS.url, sink.exec ?? sink.url);
    for (const [header, value] of Object.entries(sink.headers ?? {})) {
      add(SINK_KEYS.headers, `${header}: ${value}`);
    }
    add(SINK_KEYS.ca, sink.ca);
    add(SINK_KEYS.format, sink.format);
    add(SINK_KEYS.kinds, sink.filter?.kinds?.join(","));
    add(SINK_KEYS["min-severity"], sink.filter?.["min-severity"]);
    add(SINK_KEYS.concurrency, sink.concurrency);
  }
  return { values, sinks, secrets };
}

function fromEnv(variable: string, env: NodeJS.ProcessEnv, where: string): string {
  const value = env[variable];
  if (value === undefined || value === "") {
    throw new UsageError(
      `${where}: the environment variable ${variable} is not set or empty. Set it, or write {file: PATH}.`,
    );
  }
  return value;
}

/** The merged settings as a configuration file: the inverse of `toFlags`, secrets as references. */
function effectiveConfig(
  ctx: { values: Values; optionOrder: Order; env: NodeJS.ProcessEnv },
  options: OptionSpecs,
  secrets: Record<string, SecretFromFile>,
  path: string,
): Values {
  const out: Values = {};
  const keys = new Set(plainKeys(options));
  for (const name of Object.keys(options)) {
    if (name === SINK_KEYS.exec) {
      const sinks = sinksFromOrder(ctx.optionOrder);
      if (sinks.length > 0) out.sinks = sinks;
    }
    const spec = options[name];
    if (!keys.has(name) || spec === undefined) continue;
    const value = ctx.values[name];
    if (spec.secret) {
      const reference = secretReference(name, spec.secret.env, ctx, secrets[name], path);
      if (reference) out[name] = reference;
    } else if (value === true || Array.isArray(value)) {
      out[name] = value;
    } else if (typeof value === "string") {
      out[name] = WHOLE_NUMBER_KEYS.has(name) && /^\d+$/.test(value) ? Number(value) : value;
    }
  }
  return out;
}

function secretReference(
  name: string,
  variable: string,
  ctx: { values: Values; env: NodeJS.ProcessEnv },
  fromFile: SecretFromFile | undefined,
  path: string,
): { file: string } | { env: string } | undefined {
  const fix = "the printed configuration holds secrets only as references";
  if (typeof ctx.values[name] === "string") {
    throw new UsageError(
      `--print-config: --${name} was given on the command line, and ${fix}. Pass --${name}-file FILE or set ${variable} instead.`,
    );
  }
  if (fromFile?.ref === "plain") {
    throw new UsageError(
      `--print-config: ${name} is written in plain text in ${path}, and ${fix}. Write it as ${name}: {file: PATH} or {env: VAR}.`,
    );
  }
  const file = ctx.values[`${name}-file`];
  if (typeof file === "string") return { file };
  if (fromFile) return fromFile.ref as { env: string };
  return ctx.env[variable] === undefined ? undefined : { env: variable };
}

/** The `sinks` list of the sinks' flags, in order. */
function sinksFromOrder(order: Order): SinkConfig[] {
  const sinks: SinkConfig[] = [];
  for (const { name, value = "" } of order) {
    if (name === SINK_KEYS.exec) sinks.push({ exec: value });
    else if (name === SINK_KEYS.url) sinks.push({ url: value });
    const sink = sinks.at(-1);
    if (!sink) continue;
    if (name === SINK_KEYS.headers) {
      const colon = value.indexOf(":");
      const header = value.slice(0, Math.max(colon, 0)).trim();
      const text = value.slice(colon + 1).trim();
      if (SECRET_HEADER.test(header) && !/\{(env|file):/.test(text)) {
        throw new UsageError(
          `--print-config: --forward-header ${header} holds a secret in plain text, and the printed configuration holds secrets only as references. Write {file:PATH} or {env:VAR} in its value.`,
        );
      }
      sink.headers = { ...sink.headers, [header]: text };
    } else if (name === SINK_KEYS.ca) sink.ca = value;
    else if (name === SINK_KEYS.format) sink.format = value;
    else if (name === SINK_KEYS.kinds) {
      sink.filter = { ...sink.filter, kinds: value.split(",").map((k) => k.trim()) };
    } else if (name === SINK_KEYS["min-severity"]) {
      sink.filter = { ...sink.filter, "min-severity": value };
    } else if (name === SINK_KEYS.concurrency) {
      sink.concurrency = /^\d+$/.test(value) ? Number(value) : (value as unknown as number);
    }
  }
  return sinks;
}
