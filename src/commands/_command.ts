import { parseArgs } from "node:util";
import { didYouMean } from "../did-you-mean.js";

/** A usage or configuration mistake: the CLI prints the message and exits 2. */
export class UsageError extends Error {
  override name = "UsageError";
  readonly exitCode = 2;
}

/** A runtime failure with a chosen exit code (1 by default). */
export class CommandError extends Error {
  override name = "CommandError";
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

export type OptionSpec =
  | { type: "string"; description: string; default?: string; multiple?: false; short?: string }
  | { type: "string"; description: string; default?: string[]; multiple: true; short?: string }
  | { type: "boolean"; description: string; short?: string };

export type OptionSpecs = Record<string, OptionSpec>;

type ValueOf<S extends OptionSpec> = S extends { type: "boolean" }
  ? boolean | undefined
  : S extends { multiple: true }
    ? string[] | undefined
    : string | undefined;

export type ParsedValues<O extends OptionSpecs> = { [K in keyof O]: ValueOf<O[K]> };

/** Where a command writes; the CLI passes process streams, tests pass collectors. */
export interface CommandIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** true when stdout is a terminal (colours, progress bars). */
  isTTY: boolean;
  /** The terminal's width in columns, when stdout is a terminal. */
  columns?: number;
}

export interface CommandContext<O extends OptionSpecs> extends CommandIo {
  values: ParsedValues<O>;
  positionals: string[];
  /** Every option in the order given, for options that apply to the one before them. */
  optionOrder?: ReadonlyArray<{ name: string; value: string | undefined }>;
}

export interface CommandDefinition<O extends OptionSpecs> {
  name: string;
  summary: string;
  /** One line per form, without the program name, e.g. "crc <crc_token> --secret S". */
  usage: string[];
  /** Shown first in --help: real command lines with a comment each. */
  examples: Array<[command: string, comment: string]>;
  options: O;
  /** Text after the options table: notes, exit codes. */
  notes?: string;
  /** `names`: how a missing one is named, e.g. "<server> (nginx or apache)"; default the usage's `<...>`. */
  positionals?: { min: number; max: number; names?: string[] };
  /**
   * Old option names that keep working: old name -> current name. Each use prints a one-line
   * deprecation notice on stderr.
   */
  aliases?: Record<string, string>;
  /**
   * Switches that used to take a FILE: `--json FILE` (old) -> `--json-file FILE` (current),
   * with a deprecation notice; `--json -` means the switch. See `switchOrValue` for the rule.
   */
  formerValueSwitches?: Record<string, string>;
  /**
   * Single-value options that may still be given more than once because each applies to the
   * option before it (`serve --forward-format`, once per `--forward-url`). Any other option
   * that takes one value is refused when given twice.
   */
  perItemOptions?: ReadonlySet<string>;
  run: (ctx: CommandContext<O>) => Promise<number> | number;
}

/** The parts of a definition that help and usage text are made from. */
type HelpSource = Pick<
  CommandDefinition<OptionSpecs>,
  "name" | "summary" | "usage" | "examples" | "options" | "notes"
>;

export interface Command {
  name: string;
  summary: string;
  /** Every option name (without `--`), then each old spelling -> its current name. */
  spellings: { options: readonly string[]; aliases: Readonly<Record<string, string>> };
  help: () => string;
  execute: (argv: string[], io: CommandIo) => Promise<number>;
}

export const PROGRAM = "netdata-webhook-kit";

/** Builds a command: validates argv strictly, renders help, maps errors to exit codes. */
export function defineCommand<O extends OptionSpecs>(def: CommandDefinition<O>): Command {
  const help = (): string => renderHelp(def);
  const execute = async (argv: string[], io: CommandIo): Promise<number> => {
    if (argv.includes("--help") || argv.includes("-h")) {
      io.stdout(help());
      return 0;
    }
    const parsed = parseCommandArgs(def, applyAliases(def, argv, io.stderr));
    return def.run({
      ...io,
      values: parsed.values,
      positionals: parsed.positionals,
      optionOrder: parsed.optionOrder,
    });
  };
  const spellings = { options: Object.keys(def.options), aliases: { ...def.aliases } };
  return { name: def.name, summary: def.summary, spellings, help, execute };
}

/**
 * Rewrites old option spellings to the current ones, printing one notice per old spelling.
 * Everything after a bare `--` is left alone.
 */
export function applyAliases(
  def: Pick<CommandDefinition<OptionSpecs>, "name" | "aliases" | "formerValueSwitches">,
  argv: string[],
  stderr: (text: string) => void,
): string[] {
  const aliases = def.aliases ?? {};
  const switches = def.formerValueSwitches ?? {};
  const noticed = new Set<string>();
  const notice = (old: string, current: string) => {
    if (noticed.has(old)) return;
    noticed.add(old);
    stderr(
      `${PROGRAM} ${def.name}: deprecated option: ${old}. Use ${current} instead (${old} still works for now).\n`,
    );
  };
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? "";
    if (arg === "--") {
      out.push(...argv.slice(i));
      break;
    }
    const match = /^--([^=]+)(=.*)?$/.exec(arg);
    const name = match?.[1] ?? "";
    const inline = match?.[2];
    if (match && Object.hasOwn(aliases, name)) {
      const current = aliases[name] ?? name;
      notice(`--${name}`, `--${current}`);
      out.push(`--${current}${inline ?? ""}`);
    } else if (match && Object.hasOwn(switches, name)) {
      const fileOption = switches[name] ?? name;
      const value = inline !== undefined ? inline.slice(1) : argv[i + 1];
      if (inline === undefined && !switchOrValue(value)) {
        out.push(arg);
        continue;
      }
      if (inline === undefined) i++;
      if (value === "-") {
        notice(`--${name} -`, `--${name}`);
        out.push(`--${name}`);
      } else {
        notice(`--${name} FILE`, `--${fileOption} FILE`);
        out.push(`--${fileOption}=${value ?? ""}`);
      }
    } else {
      out.push(arg);
    }
  }
  return out;
}

/**
 * Whether the word after a former value switch (`verify --json ...`) is its old FILE value:
 * `-`, or a word that is neither an option nor a URL. `verify --json https://…` is the switch.
 */
function switchOrValue(next: string | undefined): boolean {
  if (next === undefined) return false;
  if (next === "-") return true;
  return !next.startsWith("-") && !next.includes("://");
}

function parseCommandArgs<O extends OptionSpecs>(
  def: CommandDefinition<O>,
  argv: string[],
): {
  values: ParsedValues<O>;
  positionals: string[];
  optionOrder: Array<{ name: string; value: string | undefined }>;
} {
  let parsed: {
    values: Record<string, unknown>;
    positionals: string[];
    tokens?: Array<{ kind: string; name?: string; value?: string | undefined }>;
  };
  try {
    parsed = parseArgs({
      args: argv,
      options: def.options as Parameters<typeof parseArgs>[0] extends infer C
        ? C extends { options?: infer P }
          ? NonNullable<P>
          : never
        : never,
      allowPositionals: true,
      strict: true,
      tokens: true,
    });
  } catch (error) {
    throw new UsageError(describeParseError(def, error));
  }
  const { min, max, names: given } = def.positionals ?? { min: 0, max: 0 };
  const count = parsed.positionals.length;
  if (count < min) {
    const names = given ?? (def.usage[0] ?? "").match(/<[^>]+>/g) ?? [];
    const missing = names.slice(count, min).join(" ") || `${min - count} more`;
    throw new UsageError(
      `missing argument: ${missing}. Give it as the usage below shows.\n\n${usageLines(def)}`,
    );
  }
  if (count > max) {
    const extra = parsed.positionals.slice(max).map((p) => JSON.stringify(p));
    const what = extra.length === 1 ? "unexpected argument" : "unexpected arguments";
    throw new UsageError(
      `${what}: ${extra.join(" ")}. Leave ${extra.length === 1 ? "it" : "them"} out or quote a value that contains spaces.\n\n${usageLines(def)}`,
    );
  }
  const optionOrder = (parsed.tokens ?? []).flatMap((t) =>
    t.kind === "option" && t.name !== undefined ? [{ name: t.name, value: t.value }] : [],
  );
  refuseRepeatedOptions(def, optionOrder);
  return { values: parsed.values as ParsedValues<O>, positionals: parsed.positionals, optionOrder };
}

/** Option names whose values are secrets: a message says their length, never the value. */
const SECRET_OPTION = /(token|password|secret)$/;

/**
 * An option that takes one value, given twice, is refused rather than the last one silently
 * winning. Repeatable (`multiple`) options, switches and `perItemOptions` may repeat.
 */
function refuseRepeatedOptions(
  def: Pick<CommandDefinition<OptionSpecs>, "options" | "perItemOptions">,
  optionOrder: ReadonlyArray<{ name: string; value: string | undefined }>,
): void {
  const seen = new Map<string, string[]>();
  for (const { name, value } of optionOrder) {
    const spec = def.options[name];
    if (spec?.type !== "string" || spec.multiple || def.perItemOptions?.has(name)) {
      continue;
    }
    const values = seen.get(name) ?? [];
    values.push(value ?? "");
    seen.set(name, values);
    if (values.length < 2) continue;
    const shown = SECRET_OPTION.test(name)
      ? `values of ${values.map((v) => v.length).join(" and ")} characters`
      : values.join(", ");
    throw new UsageError(`--${name}: given twice (${shown}). Pass it once.`);
  }
}

/** parseArgs' messages, said in the CLI's one style, with a did-you-mean for unknown options. */
function describeParseError(
  def: HelpSource & Pick<CommandDefinition<OptionSpecs>, "aliases">,
  error: unknown,
): string {
  const message = error instanceof Error ? error.message : String(error);
  const helpHint = `Run '${PROGRAM} ${def.name} --help' for the options.`;
  const unknown = /Unknown option '([^']+)'/.exec(message);
  if (unknown) {
    const given = unknown[1] ?? "";
    const bare = given.replace(/^-+/, "").replace(/=.*$/, "");
    const names = optionNames(def);
    const suggestion = didYouMean(bare, Object.keys(names));
    const hint = suggestion ? `Did you mean --${names[suggestion] ?? suggestion}? ` : "";
    return `unknown option: ${given}. ${hint}${helpHint}`;
  }
  const missing = /Option '(?:-\w, )?(--[\w-]+) <value>' argument missing/.exec(message);
  if (missing) return `missing value: ${missing[1]}. Give it as ${missing[1]} <value>.`;
  const ambiguous = /Option '(?:-\w, )?(--[\w-]+)' argument is ambiguous/.exec(message);
  if (ambiguous) {
    const flag = ambiguous[1] ?? "";
    return `missing value: ${flag} (the next word is an option). Give it as ${flag} <value>, or ${flag}=<value> for a value that starts with '-'.`;
  }
  const noValue = /Option '(?:-\w, )?(--[\w-]+)' does not take an argument/.exec(message);
  if (noValue) return `option takes no value: ${noValue[1]}. Leave out the '=…' part.`;
  return `${message.replace(/\. To specify a positional argument.*$/s, "")}. ${helpHint}`;
}

/**
 * Every name an option answers to -> the name to suggest: old spellings (aliases) count as
 * close words, and suggest the current name (`crc --secert` -> `--challenge-secret`).
 */
function optionNames(
  def: HelpSource & Pick<CommandDefinition<OptionSpecs>, "aliases">,
): Record<string, string> {
  const names: Record<string, string> = { help: "help" };
  for (const [old, current] of Object.entries(def.aliases ?? {})) names[old] = current;
  for (const name of Object.keys(def.options)) names[name] = name;
  return names;
}

/** The usage lines that follow a wrong number of positionals. */
export function usageLines(def: Pick<HelpSource, "name" | "usage">): string {
  return `Usage:\n${def.usage.map((u) => `  ${PROGRAM} ${u}`).join("\n")}\nRun '${PROGRAM} ${def.name} --help' for details.`;
}

function renderHelp(def: HelpSource): string {
  const width = Math.max(...def.examples.map(([cmd]) => cmd.length), 0);
  // Side by side while it fits a terminal; otherwise each comment goes above its command.
  const sideBySide = width + 4 + Math.max(...def.examples.map(([, c]) => c.length), 0) <= 100;
  const examples = def.examples
    .map(([cmd, comment]) =>
      sideBySide ? `  $ ${cmd.padEnd(width)}  # ${comment}` : `  # ${comment}\n  $ ${cmd}`,
    )
    .join(sideBySide ? "\n" : "\n\n");
  const optionRows = Object.entries(def.options).map(([name, spec]) => {
    const flag = `${spec.short ? `-${spec.short}, ` : ""}--${name}${spec.type === "string" ? " <value>" : ""}`;
    const repeat = spec.type === "string" && spec.multiple ? " (repeatable)" : "";
    const dflt =
      spec.type === "string" && spec.default !== undefined
        ? ` [default: ${[spec.default].flat().join(", ")}]`
        : "";
    return [flag, `${spec.description}${repeat}${dflt}`] as const;
  });
  optionRows.push(["-h, --help", "show this help"]);
  const flagWidth = Math.max(...optionRows.map(([f]) => f.length));
  const options = optionRows.map(([f, d]) => `  ${f.padEnd(flagWidth)}  ${d}`).join("\n");
  const usage = def.usage.map((u) => `  ${PROGRAM} ${u}`).join("\n");
  const notes = def.notes ? `\n${def.notes.trimEnd()}\n` : "";
  return `${def.summary}\n\nExamples:\n${examples}\n\nUsage:\n${usage}\n\nOptions:\n${options}\n${notes}`;
}
