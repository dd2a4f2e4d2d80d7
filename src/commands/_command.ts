import { parseArgs } from "node:util";

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
  positionals?: { min: number; max: number };
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
    const parsed = parseCommandArgs(def, argv);
    return def.run({
      ...io,
      values: parsed.values,
      positionals: parsed.positionals,
      optionOrder: parsed.optionOrder,
    });
  };
  return { name: def.name, summary: def.summary, help, execute };
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
    throw new UsageError(`${describeParseError(error)}\n\n${usageLines(def)}`);
  }
  const { min, max } = def.positionals ?? { min: 0, max: 0 };
  const count = parsed.positionals.length;
  if (count < min || count > max) {
    const expected = min === max ? `${min}` : `${min} to ${max}`;
    const got = count === 0 ? "none" : parsed.positionals.map((p) => JSON.stringify(p)).join(" ");
    throw new UsageError(
      `${def.name}: expected ${expected} argument(s), got ${got}.\n\n${usageLines(def)}`,
    );
  }
  const optionOrder = (parsed.tokens ?? []).flatMap((t) =>
    t.kind === "option" && t.name !== undefined ? [{ name: t.name, value: t.value }] : [],
  );
  return { values: parsed.values as ParsedValues<O>, positionals: parsed.positionals, optionOrder };
}

function describeParseError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const unknown = /Unknown option '([^']+)'/.exec(message);
  if (unknown) return `unknown option ${unknown[1]}.`;
  return message.replace(/\. To specify a positional argument.*$/s, ".");
}

function usageLines(def: HelpSource): string {
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
