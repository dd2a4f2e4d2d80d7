import { escapeJsonForTerminal } from "./terminal-text.js";

export type LogLevel = "debug" | "info" | "warn" | "error";
export type LogFields = Record<string, unknown>;

/** A structured logger: one JSON object per line. Injectable so tests capture lines. */
export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}

export interface LoggerOptions {
  /** Receives each line, newline included. Default: process.stdout. */
  write?: (line: string) => void;
  /** Values that must never appear in a line; each occurrence becomes "[redacted]". */
  secrets?: readonly string[];
  /** Lines below this level are dropped. Default "info". */
  level?: LogLevel;
}

const LEVELS: Readonly<Record<LogLevel, number>> = { debug: 10, info: 20, warn: 30, error: 40 };
export const REDACTED = "[redacted]";
/** Field names whose values are dropped whatever they contain. */
const SENSITIVE_FIELD = /^(authorization|proxy-authorization|cookie|password|secret|bearer)$/i;

/** Set by the logger itself; a field of the same name is dropped rather than overriding. */
const RESERVED_FIELDS = new Set(["time", "level", "msg"]);

/** A logger that drops everything (library users who bring their own logging). */
export const silentLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
};

/**
 * JSON-lines logger. Every line is redacted after serialisation, so a secret is caught
 * wherever it hides: a field, a message, an error text, in raw or JSON-escaped form. Control,
 * bidi and separator code points from the network are written as `\uXXXX` escapes, so a log
 * shown on a terminal cannot be recoloured or reordered.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const write = options.write ?? ((line: string) => process.stdout.write(line));
  const threshold = LEVELS[options.level ?? "info"];
  const needles = secretNeedles(options.secrets ?? []);
  const log =
    (level: LogLevel) =>
    (msg: string, fields: LogFields = {}): void => {
      if (LEVELS[level] < threshold) return;
      const entry = { time: new Date().toISOString(), level, msg, ...serialiseFields(fields) };
      write(`${escapeJsonForTerminal(redact(JSON.stringify(entry), needles))}\n`);
    };
  return { debug: log("debug"), info: log("info"), warn: log("warn"), error: log("error") };
}

/** Accepts a Logger, a line sink or nothing (stdout), for options that take any of them. */
export function toLogger(
  logger: Logger | ((line: string) => void) | undefined,
  secrets: readonly string[],
): Logger {
  if (typeof logger === "function") return createLogger({ write: logger, secrets });
  return logger ?? createLogger({ secrets });
}

function secretNeedles(secrets: readonly string[]): string[] {
  const needles = new Set<string>();
  for (const secret of secrets) {
    if (typeof secret !== "string" || secret.length === 0) continue;
    needles.add(secret);
    needles.add(JSON.stringify(secret).slice(1, -1));
  }
  // Longest first, so a secret that contains another is replaced whole.
  return [...needles].sort((a, b) => b.length - a.length);
}

function redact(line: string, needles: readonly string[]): string {
  let out = line;
  for (const needle of needles) if (out.includes(needle)) out = out.split(needle).join(REDACTED);
  return out;
}

function serialiseFields(fields: LogFields): LogFields {
  const out: LogFields = {};
  for (const [name, value] of Object.entries(fields)) {
    if (RESERVED_FIELDS.has(name)) continue;
    if (SENSITIVE_FIELD.test(name)) out[name] = REDACTED;
    else if (value instanceof Error) out[name] = { name: value.name, message: value.message };
    else out[name] = value;
  }
  return out;
}
