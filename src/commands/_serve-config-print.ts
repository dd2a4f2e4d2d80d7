import { type OptionSpecs, PROGRAM, UsageError } from "./_command.js";
import { SECRET_HEADER } from "./_forward-values.js";
import type { SecretFromFile, SinkConfig } from "./_serve-config-file.js";
import { plainKeys, SINK_KEYS, WHOLE_NUMBER_KEYS } from "./_serve-config-schema.js";

// `serve --print-config`: the settings serve would run with, written as a configuration file
// that `--config` reads back to the same settings. Secrets appear only as references.

type Order = ReadonlyArray<{ name: string; value: string | undefined }>;
type Values = Record<string, unknown>;

/** The YAML of the effective configuration, with a first line that says what it is. */
export async function printedConfig(
  ctx: { values: Values; optionOrder: Order; env: NodeJS.ProcessEnv },
  options: OptionSpecs,
  secrets: Record<string, SecretFromFile>,
  path: string,
): Promise<string> {
  const { stringify } = await import("yaml");
  const effective = effectiveConfig(ctx, options, secrets, path);
  return `# ${PROGRAM} serve: the effective configuration; '${PROGRAM} serve --config FILE' reads it back.\n${stringify(effective, { lineWidth: 0 })}`;
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
    } else if (name === SINK_KEYS.env) {
      sink.env = [...(sink.env ?? []), value];
    } else if (name === SINK_KEYS.concurrency) {
      sink.concurrency = /^\d+$/.test(value) ? Number(value) : value;
    }
  }
  return sinks;
}
