import { parseArgs } from "node:util";
import { didYouMean } from "../did-you-mean.js";

/** A usage or configuration mistake: the CLI prints the message and exits 2. */
export class UsageError extends Error {
  override name = "UsageError";
  readonly exitCode = 2;
  /** The option whose value is wrong (`--port`), when one is: said with where it was set. */
  readonly option: string | undefined;
  /** Where the wrong value is written in a file, when the thrower knows the entry (a sink's). */
  where: string | undefined;
  constructor(message: string, { option }: { option?: string | undefined } = {}) {
    super(message);
    this.option = option;
  }
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

/** What every option says about itself, beyond what parseArgs reads. */
interface OptionHelp {
  description: string;
  short?: string;
  /** A secret (`secretOptions`): read from `--NAME`, `--NAME-file` or the variable `env`. */
  secret?: { env: string; what: string };
}

export type OptionSpec =
  | (OptionHelp & { type: "string"; default?: string; multiple?: false })
  | (OptionHelp & { type: "string"; default?: string[]; multiple: true })
  | (OptionHelp & { type: "boolean" });

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

/** One option as given; `origin` is where a file wrote it (`serve.yaml line 7`). */
export interface OptionEntry {
  name: string;
  value: string | undefined;
  origin?: string;
}

export interface CommandContext<O extends OptionSpecs> extends CommandIo {
  values: ParsedValues<O>;
  positionals: string[];
  /** Every option in the order given, for options that apply to the one before them. */
  optionOrder?: ReadonlyArray<OptionEntry>;
  /**
   * Where an option's value was set when not on the command line (`serve.yaml line 3`), so a
   * usage error about it says so; undefined for the command line.
   */
  origin?: (option: string) => string | undefined;
}

export interface CommandDefinition<O extends OptionSpecs> {
  name: string;
  summary: string;
  /** One line per form, without the program name, e.g. "crc <crc_token> --secret S". */
  usage: string[];
  /** Shown first in --help: real command lines with a comment each. */
  examples: Array<[command: string, comment: string]>;
  options: O;
  /**
   * The options most users need, in the order the short `--help` shows them; `--help-all`
   * shows every option. Without it, `--help` shows every option.
   */
  essential?: ReadonlyArray<Extract<keyof O, string>>;
  /** Text after the options table: notes, exit codes. */
  notes?: string;
  /** The notes of the short help, when some options are `essential` (default: `notes`). */
  shortNotes?: string;
  /** `names`: how a missing one is named, e.g. "<server> (nginx or apache)"; default the usage's `<...>`. */
  positionals?: { min: number; max: number; names?: string[] };
  /**
   * Option names changed before the first release: old name -> current name. The old name is
   * refused like any unknown option, and its did-you-mean names the current one.
   */
  renamed?: Record<string, string>;
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
  /**
   * Runs between parsing and `run`: returns the context `run` gets (serve merges its --config
   * file into the values), or an exit code that ends the command (--print-config).
   */
  prepare?: (ctx: CommandContext<O>) => Promise<CommandContext<O> | number>;
  run: (ctx: CommandContext<O>) => Promise<number> | number;
}

/** The parts of a definition that help and usage text are made from. */
type HelpSource = Pick<
  CommandDefinition<OptionSpecs>,
  "name" | "summary" | "usage" | "examples" | "options" | "essential" | "notes" | "shortNotes"
>;

export interface Command {
  name: string;
  summary: string;
  /** Every option name (without `--`), then each renamed option's old name -> its current name. */
  spellings: { options: readonly string[]; renamed: Readonly<Record<string, string>> };
  /** The options as declared (the serve config schema is made from serve's). */
  options: OptionSpecs;
  /** The short help (`--help`), or every option and note with `all` (`--help-all`). */
  help: (all?: boolean) => string;
  execute: (argv: string[], io: CommandIo) => Promise<number>;
}

export const PROGRAM = "netdata-webhook-kit";

/** Builds a command: validates argv strictly, renders help, maps errors to exit codes. */
export function defineCommand<O extends OptionSpecs>(def: CommandDefinition<O>): Command {
  const help = (all = false): string => renderHelp(def, all);
  const execute = async (argv: string[], io: CommandIo): Promise<number> => {
    if (argv.includes("--help-all")) {
      io.stdout(help(true));
      return 0;
    }
    if (argv.includes("--help") || argv.includes("-h")) {
      io.stdout(help());
      return 0;
    }
    const parsed = parseCommandArgs(def, applyFormerValueSwitches(def, argv, io.stderr));
    const ctx: CommandContext<O> = { ...io, ...parsed };
    const prepared = def.prepare ? await def.prepare(ctx) : ctx;
    if (typeof prepared === "number") return prepared;
    try {
      return await def.run(prepared);
    } catch (error) {
      // A value from a file (serve --config) is said with where it is written.
      const where =
        error instanceof UsageError &&
        (error.where ?? (error.option && prepared.origin?.(error.option)));
      if (where && error instanceof Error) error.message = `${where}: ${error.message}`;
      throw error;
    }
  };
  const spellings = { options: Object.keys(def.options), renamed: { ...def.renamed } };
  return { name: def.name, summary: def.summary, spellings, options: def.options, help, execute };
}

/**
 * Rewrites `--json FILE` (a former value switch) to `--json-file FILE`, printing one notice.
 * Everything after a bare `--` is left alone.
 */
export function applyFormerValueSwitches(
  def: Pick<CommandDefinition<OptionSpecs>, "name" | "formerValueSwitches">,
  argv: string[],
  stderr: (text: string) => void,
): string[] {
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
    if (!match || !Object.hasOwn(switches, name)) {
      out.push(arg);
      continue;
    }
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

type ParseArgsOptions = NonNullable<Parameters<typeof parseArgs>[0]>["options"];

function parseCommandArgs<O extends OptionSpecs>(
  def: CommandDefinition<O>,
  argv: string[],
): {
  values: ParsedValues<O>;
  positionals: string[];
  optionOrder: Array<{ name: string; value: string | undefined }>;
} {
  // Not strict: parseArgs then never throws, and each mistake is judged here from the tokens
  // (its messages are English text, not values to read).
  const parsed = parseArgs({
    args: argv,
    options: def.options as ParseArgsOptions,
    allowPositionals: true,
    strict: false,
    tokens: true,
  });
  const optionOrder: Array<{ name: string; value: string | undefined }> = [];
  for (const token of parsed.tokens) {
    if (token.kind !== "option") continue;
    checkOptionToken(def, token);
    optionOrder.push({ name: token.name, value: token.value });
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
  refuseRepeatedOptions(def, optionOrder);
  return { values: parsed.values as ParsedValues<O>, positionals: parsed.positionals, optionOrder };
}

/** One option as parseArgs read it: `inlineValue` is true for `--name=value`. */
interface OptionToken {
  name: string;
  rawName: string;
  value?: string | undefined;
  inlineValue?: boolean | undefined;
}

/** Refuses an unknown option, a switch given a value, and a value missing or taken from an option. */
function checkOptionToken(
  def: HelpSource & Pick<CommandDefinition<OptionSpecs>, "renamed">,
  token: OptionToken,
): void {
  const spec = Object.hasOwn(def.options, token.name) ? def.options[token.name] : undefined;
  const flag = `--${token.name}`;
  if (spec === undefined) {
    const names = optionNames(def);
    const suggestion = didYouMean(token.name, Object.keys(names));
    const hint = suggestion ? `Did you mean --${names[suggestion] ?? suggestion}? ` : "";
    throw new UsageError(
      `unknown option: ${token.rawName}. ${hint}Run '${PROGRAM} ${def.name} --help' for the options.`,
    );
  }
  if (spec.type === "boolean") {
    if (token.value !== undefined) {
      throw new UsageError(`option takes no value: ${flag}. Leave out the '=…' part.`);
    }
    return;
  }
  if (token.value === undefined) {
    throw new UsageError(`missing value: ${flag}. Give it as ${flag} <value>.`);
  }
  // parseArgs takes the next word whatever it is; `--pki --insecure` is a forgotten value.
  if (!token.inlineValue && token.value.length > 1 && token.value.startsWith("-")) {
    throw new UsageError(
      `missing value: ${flag} (the next word is an option). Give it as ${flag} <value>, or ${flag}=<value> for a value that starts with '-'.`,
    );
  }
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

/**
 * Every name a did-you-mean may start from -> the name to suggest: a renamed option's old
 * name suggests the current one (`crc --secert` is close to `--secret`: `--challenge-secret`).
 */
function optionNames(
  def: HelpSource & Pick<CommandDefinition<OptionSpecs>, "renamed">,
): Record<string, string> {
  const names: Record<string, string> = { help: "help", "help-all": "help-all" };
  for (const [old, current] of Object.entries(def.renamed ?? {})) names[old] = current;
  for (const name of Object.keys(def.options)) names[name] = name;
  return names;
}

/** The usage lines that follow a wrong number of positionals. */
export function usageLines(def: Pick<HelpSource, "name" | "usage">): string {
  return `Usage:\n${def.usage.map((u) => `  ${PROGRAM} ${u}`).join("\n")}\nRun '${PROGRAM} ${def.name} --help' for details.`;
}

/**
 * The help text. A command with `essential` options gets a short help with those only and its
 * `shortNotes`; `all` (`--help-all`) shows every option and the full notes.
 */
function renderHelp(def: HelpSource, all: boolean): string {
  const width = Math.max(...def.examples.map(([cmd]) => cmd.length), 0);
  // Side by side while it fits a terminal; otherwise each comment goes above its command.
  const sideBySide = width + 4 + Math.max(...def.examples.map(([, c]) => c.length), 0) <= 100;
  const examples = def.examples
    .map(([cmd, comment]) =>
      sideBySide ? `  $ ${cmd.padEnd(width)}  # ${comment}` : `  # ${comment}\n  $ ${cmd}`,
    )
    .join(sideBySide ? "\n" : "\n\n");
  const every = Object.entries(def.options);
  const essential = all ? [] : (def.essential ?? []);
  const picked = essential.flatMap((n) => (def.options[n] ? [[n, def.options[n]] as const] : []));
  const shown = picked.length > 0 ? picked : every;
  const optionRows = shown.map(([name, spec]) => {
    const flag = `${spec.short ? `-${spec.short}, ` : ""}--${name}${spec.type === "string" ? " <value>" : ""}`;
    const repeat = spec.type === "string" && spec.multiple ? " (repeatable)" : "";
    const dflt =
      spec.type === "string" && spec.default !== undefined
        ? ` [default: ${[spec.default].flat().join(", ")}]`
        : "";
    return [flag, `${spec.description}${repeat}${dflt}`] as const;
  });
  optionRows.push(["-h, --help", "show this help"]);
  if (shown.length < every.length) {
    optionRows.push(["--help-all", `show all ${every.length} options and the notes`]);
  }
  const flagWidth = Math.max(...optionRows.map(([f]) => f.length));
  const options = optionRows.map(([f, d]) => `  ${f.padEnd(flagWidth)}  ${d}`).join("\n");
  const usage = def.usage.map((u) => `  ${PROGRAM} ${u}`).join("\n");
  const noteText = shown.length < every.length ? (def.shortNotes ?? def.notes) : def.notes;
  const notes = noteText ? `\n${noteText.trimEnd()}\n` : "";
  return `${def.summary}\n\nExamples:\n${examples}\n\nUsage:\n${usage}\n\nOptions:\n${options}\n${notes}`;
}
