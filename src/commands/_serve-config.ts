import {
  type CommandContext,
  type OptionEntry,
  type OptionSpecs,
  type ParsedValues,
  UsageError,
} from "./_command.js";
import {
  type ConfigFile,
  readConfigFile,
  type SecretFromFile,
  sinksOf,
} from "./_serve-config-file.js";
import { printedConfig } from "./_serve-config-print.js";
import { plainKeys, SINK_KEYS } from "./_serve-config-schema.js";

// `serve --config FILE` and `serve --print-config`. The file is checked against the schema
// (keys and types, with lines), then turned into what the flag parser would have produced for
// the same settings; serve's own checks judge the values, as they judge the flags.

type Order = ReadonlyArray<OptionEntry>;
type Values = Record<string, unknown>;

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
    typeof given.config === "string" ? await fileSettings(given.config, options, ctx) : empty();
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
  for (const flag of [SINK_KEYS.exec, SINK_KEYS.url]) {
    const sinks = optionOrder.filter((o) => o.name === flag).map((o) => o.value ?? "");
    if (sinks.length > 0) values[flag] = sinks;
  }
  const origin = (option: string) => origins.get(option);
  const merged = { ...ctx, values: values as ParsedValues<O>, optionOrder, env, origin };
  if (given["print-config"] !== true) return merged;
  ctx.stdout(await printedConfig(merged, options, secrets, file.path));
  return 0;
}

function empty(): FileSettings {
  return { path: "", values: {}, sinks: [], secrets: {}, where: () => "" };
}

/** The checked file, as flags. */
async function fileSettings(path: string, options: OptionSpecs, io: Io): Promise<FileSettings> {
  const file = await readConfigFile(path, options, io.cwd);
  return { ...toFlags(file, options, io.env), path, where: file.where };
}

/** The file's settings as the flag parser would give them (strings, lists, `true`). */
function toFlags(
  { data, where }: Pick<ConfigFile, "data" | "where">,
  options: OptionSpecs,
  env: NodeJS.ProcessEnv,
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
        const value = fromEnv(variable, env, `--config: ${where([name])}: ${name}`);
        secrets[name] = { value, ref: { env: variable } };
      }
      continue;
    }
    values[name] = Array.isArray(value) ? value.map(String) : value === true ? true : String(value);
  }
  const sinks: OptionEntry[] = [];
  for (const [i, sink] of sinksOf(data).entries()) {
    const add = (name: string, value: string | number | undefined, ...key: string[]) => {
      if (value !== undefined)
        sinks.push({ name, value: String(value), origin: where(["sinks", i, ...key]) });
    };
    if (sink.exec !== undefined) add(SINK_KEYS.exec, sink.exec, "exec");
    else add(SINK_KEYS.url, sink.url, "url");
    for (const [header, value] of Object.entries(sink.headers ?? {})) {
      add(SINK_KEYS.headers, `${header}: ${value}`, "headers", header);
    }
    add(SINK_KEYS.ca, sink.ca, "ca");
    add(SINK_KEYS.format, sink.format, "format");
    add(SINK_KEYS.kinds, sink.filter?.kinds?.join(","), "filter", "kinds");
    add(SINK_KEYS["min-severity"], sink.filter?.["min-severity"], "filter", "min-severity");
    add(SINK_KEYS.concurrency, sink.concurrency, "concurrency");
    for (const name of sink.env ?? []) add(SINK_KEYS.env, name, "env");
  }
  return { values, sinks, secrets };
}

function fromEnv(variable: string, env: NodeJS.ProcessEnv, where: string): string {
  const value = env[variable];
  if (value === undefined || value === "") {
    throw new UsageError(
      `${where}: the environment variable ${variable} is not set or empty. Set it, or write {file: PATH} instead.`,
    );
  }
  return value;
}
