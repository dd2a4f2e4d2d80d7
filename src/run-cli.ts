import { type CommandIo, PROGRAM, UsageError } from "./commands/_command.js";
import { COMMANDS } from "./commands/_registry.js";
import { didYouMean } from "./did-you-mean.js";
import { PACKAGE_VERSION } from "./package-facts.js";

export function version(): string {
  return PACKAGE_VERSION;
}

export function topLevelHelp(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length));
  const list = Object.entries(COMMANDS)
    .map(([name, entry]) => `  ${name.padEnd(width)}  ${entry.summary}`)
    .join("\n");
  return `${PROGRAM}: receive, test and deploy Netdata Cloud webhook notifications.

Examples:
  $ ${PROGRAM} demo                                     # a receiver + the full conformance run
  $ ${PROGRAM} certs --pki certs/dev                    # development PKI
  $ ${PROGRAM} serve --dev --auth bearer --bearer-token-file token.txt
  $ ${PROGRAM} verify https://hooks.example.com/webhooks/netdata --pki certs/dev
  $ ${PROGRAM} proxy nginx --server-name hooks.example.com --tls-cert fullchain.pem --tls-key key.pem
  $ ${PROGRAM} init my-receiver --template express-ts
  $ ${PROGRAM} crc 9b4507b3 --challenge-secret-file challenge.txt

Usage:
  ${PROGRAM} <command> [options]
  ${PROGRAM} <command> --help
  ${PROGRAM} --version

Commands:
${list}

Short alias: ndwk. Secrets are read from a flag, a --…-file flag or an environment variable,
and are never printed.
`;
}

/** Runs the CLI in-process and returns the exit code; cli.ts is the only caller of process.exit. */
export async function runCli(argv: string[], io: CommandIo): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first === "--help" || first === "-h" || first === "help") {
    // `help serve`, `--help serve`, `-h inbox`: that command's help.
    const topic = rest[0];
    if (topic !== undefined && Object.hasOwn(COMMANDS, topic)) {
      return runCli([topic, "--help"], io);
    }
    if (topic !== undefined && !topic.startsWith("-")) {
      io.stderr(`${PROGRAM}: ${unknownFirstWord(topic)}\n`);
      return 2;
    }
    io.stdout(topLevelHelp());
    return 0;
  }
  if (first === "--version" || first === "-v") {
    io.stdout(`${version()}\n`);
    return 0;
  }
  const entry = Object.hasOwn(COMMANDS, first) ? COMMANDS[first] : undefined;
  if (!entry) {
    io.stderr(`${PROGRAM}: ${(await optionBeforeCommand(argv)) ?? unknownFirstWord(first)}\n`);
    return 2;
  }
  try {
    const command = await entry.load();
    return await command.execute(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`${PROGRAM} ${first}: ${error.message}\n`);
      return 2;
    }
    const exitCode = (error as { exitCode?: unknown }).exitCode;
    if (typeof exitCode === "number" && error instanceof Error) {
      io.stderr(`${PROGRAM} ${first}: ${error.message}\n`);
      return exitCode;
    }
    throw error;
  }
}

/**
 * `--dev serve`: an option of a command given later in argv, put before it. Says where it
 * goes, with the command line reordered; undefined when that is not the mistake.
 */
async function optionBeforeCommand(argv: string[]): Promise<string | undefined> {
  const [first] = argv;
  if (first === undefined || !first.startsWith("--")) return undefined;
  const at = argv.findIndex((word) => Object.hasOwn(COMMANDS, word));
  const entry = at > 0 ? COMMANDS[argv[at] ?? ""] : undefined;
  if (!entry) return undefined;
  const name = first.replace(/^--/, "").replace(/=.*$/, "");
  const { spellings } = await entry.load();
  if (!spellings.options.includes(name)) return undefined;
  const reordered = [argv[at], ...argv.slice(0, at), ...argv.slice(at + 1)].join(" ");
  return `option before the command: ${first}. Options go after the command: ${PROGRAM} ${reordered}`;
}

/** One line for a mistyped command or top-level option, with the closest match if any. */
function unknownFirstWord(word: string): string {
  const isOption = word.startsWith("-");
  const candidates = isOption ? ["--help", "--version"] : Object.keys(COMMANDS);
  const suggestion = didYouMean(word, candidates);
  const hint = suggestion ? `Did you mean ${suggestion}? ` : "";
  const what = isOption ? "unknown option" : "unknown command";
  return `${what}: ${word}. ${hint}Run '${PROGRAM} --help' for the ${isOption ? "options" : "commands"}.`;
}
