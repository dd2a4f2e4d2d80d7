import { accessSync, constants, statSync } from "node:fs";
import { delimiter, resolve } from "node:path";
import { ENV_NAME_PATTERN, execSink } from "../outbox/exec-sink.js";
import { createOutbox } from "../outbox/outbox.js";
import type { Outbox, OutboxOptions, OutboxSink, SinkFilter } from "../outbox/outbox-types.js";
import { FILTER_KIND_NAMES, SEVERITY_RANK } from "../outbox/sink-filter.js";
import { splitCommandLine } from "../outbox/split-command-line.js";
import { FORWARD_FORMATS, urlSink } from "../outbox/url-sink.js";
import type { Severity } from "../protocol/notification-types.js";
import type { Logger } from "../receiver/log.js";
import type { NotificationStore } from "../receiver/store-types.js";
import { type OptionEntry, type OptionSpecs, UsageError } from "./_command.js";
import { enumOption } from "./_enum-option.js";
import {
  duration,
  parseHeader,
  readCaFile,
  SECRET_HEADER,
  wholeNumber,
} from "./_forward-values.js";

/** `serve`'s forwarding flags; the per-sink ones apply to the sink flag before them. */
export const FORWARD_OPTIONS = {
  "forward-exec": {
    type: "string",
    multiple: true,
    description:
      "run this command per notification, JSON on stdin, NETDATA_* env; no shell (write \"sh -c '...'\" for one)",
  },
  "forward-env": {
    type: "string",
    multiple: true,
    description:
      "for the --forward-exec before it: also pass the environment variable of this name; the command gets only PATH, HOME, LANG, LC_*, TZ and its NETDATA_* otherwise",
  },
  "forward-url": {
    type: "string",
    multiple: true,
    description: "POST each notification as JSON to this URL (any 2xx is success)",
  },
  "forward-header": {
    type: "string",
    multiple: true,
    description:
      'for the --forward-url before it: "Name: value"; {env:VAR} and {file:PATH} in the value read a secret',
  },
  "forward-ca": {
    type: "string",
    description:
      "for the https --forward-url before it: also trust the CA certificates in this PEM file (a private CA)",
  },
  "forward-format": {
    type: "string",
    description: `for the --forward-url before it: ${FORWARD_FORMATS.join(" (default) or ")} (the bytes Netdata sent)`,
  },
  "forward-kind": {
    type: "string",
    description: `for the sink before it: only these kinds, comma-separated: ${FILTER_KIND_NAMES.join(", ")}`,
  },
  "forward-min-severity": {
    type: "string",
    description:
      "for the sink before it: only this severity or graver (info and clear rank lowest and alike, then warning, then critical)",
  },
  "forward-concurrency": {
    type: "string",
    description: "for the sink before it: attempts at once (default 1: in arrival order)",
  },
  "forward-max-concurrent": {
    type: "string",
    description:
      "attempts at once across all sinks beyond each sink's first (each has one of its own), so receiving keeps the CPU (default: CPUs - 1, 1 to 8)",
  },
  "forward-retention": {
    type: "string",
    description: "delete delivered rows older than this, hourly (default 30d)",
  },
  "forward-timeout": { type: "string", description: "each attempt's limit (default 10s)" },
  "forward-max-attempts": {
    type: "string",
    description: "attempts before a delivery is marked failed (default 20)",
  },
  "forward-max-age": {
    type: "string",
    description: "age after which a failing delivery is marked failed (default 24h)",
  },
  "forward-retry-base": {
    type: "string",
    description: "wait before the first retry, doubled each time, jittered (default 1s)",
  },
} satisfies OptionSpecs;

/**
 * What a stopping serve lets deliveries in flight take: an interrupted one stays pending and is
 * repeated after the next start, so waiting longer only delays the stop.
 */
export const SERVE_CLOSE_GRACE_MS = 1000;

/** The forwarding options that apply to the sink before them: given once per sink. */
export const FORWARD_PER_SINK_OPTIONS: ReadonlySet<string> = new Set([
  "forward-header",
  "forward-env",
  "forward-ca",
  "forward-format",
  "forward-kind",
  "forward-min-severity",
  "forward-concurrency",
]);
const URL_ONLY = new Set(["forward-header", "forward-format", "forward-ca"]);
const EXEC_ONLY = new Set(["forward-env"]);

/** The one kind of sink a per-sink option applies to, or undefined when it applies to both. */
export function sinkKindOf(option: string): "forward-url" | "forward-exec" | undefined {
  if (URL_ONLY.has(option)) return "forward-url";
  if (EXEC_ONLY.has(option)) return "forward-exec";
  return undefined;
}

export interface Forwarding {
  sinks: OutboxSink[];
  settings: Omit<OutboxOptions, "store" | "sinks" | "logger">;
  /** Values the log must never show: header values, URLs. */
  secrets: string[];
  /** Secrets written on the command line, where other local users see them (ps). */
  literalSecrets: string[];
}

interface SinkDraft {
  flag: "forward-exec" | "forward-url";
  /** Where a file wrote the sink (`serve.yaml line 7`); undefined on the command line. */
  origin: string | undefined;
  value: string;
  headers: Array<[string, string]>;
  /** --forward-env names, for --forward-exec. */
  env: string[];
  format?: string;
  ca?: string;
  filter: SinkFilter;
  concurrency?: number;
}

/** The sinks and settings of serve's --forward-* flags, or undefined when none is given. */
export function forwardingFromOptions(ctx: {
  values: Record<string, unknown>;
  optionOrder?: ReadonlyArray<OptionEntry> | undefined;
  env: NodeJS.ProcessEnv;
  cwd: string;
}): Forwarding | undefined {
  const drafts: SinkDraft[] = [];
  const secrets: string[] = [];
  const literalSecrets: string[] = [];
  for (const { name, value = "", origin } of ctx.optionOrder ?? []) {
    if (name === "forward-exec" || name === "forward-url") {
      drafts.push({ flag: name, value, origin, headers: [], env: [], filter: {} });
      continue;
    }
    if (!FORWARD_PER_SINK_OPTIONS.has(name)) continue;
    const draft = drafts.at(-1);
    const kind = sinkKindOf(name);
    if (!draft || (kind !== undefined && draft.flag !== kind)) {
      const owner = kind ? `--${kind}` : "--forward-exec or --forward-url";
      throw new UsageError(`--${name} applies to the ${owner} before it; put it after that flag.`, {
        option: `--${name}`,
      });
    }
    at(origin, () => applyPerSink(draft, name, value, ctx, secrets));
    const header = value.slice(0, Math.max(0, value.indexOf(":"))).trim();
    if (name === "forward-header" && SECRET_HEADER.test(header) && !/\{(env|file):/.test(value)) {
      literalSecrets.push(`--forward-header ${header}`);
    }
  }
  if (drafts.length === 0) return undefined;
  const sinks = drafts.map((d) => at(d.origin, () => buildSink(d, ctx.env, ctx.cwd, secrets)));
  const names = sinks.map((s) => s.name);
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice) throw new UsageError(`the same sink was given twice (${twice}). Give each once.`);
  for (const d of drafts) {
    if (d.flag === "forward-url" && /^[a-z]+:\/\/[^/@]*:[^/@]*@/i.test(d.value)) {
      literalSecrets.push("--forward-url with a password");
    }
  }
  return { sinks, settings: globalSettings(ctx.values), secrets, literalSecrets };
}

/** Runs `check`; a usage error it throws says `origin`, where a file wrote the value. */
function at<T>(origin: string | undefined, check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (origin !== undefined && error instanceof UsageError) error.where ??= origin;
    throw error;
  }
}

function applyPerSink(
  draft: SinkDraft,
  name: string,
  value: string,
  io: { env: NodeJS.ProcessEnv; cwd: string },
  secrets: string[],
): void {
  if (name === "forward-header") draft.headers.push(parseHeader(value, io, secrets));
  else if (name === "forward-env") draft.env.push(forwardedVariable(value, io.env, secrets));
  else if (name === "forward-ca") draft.ca = readCaFile(value, io.cwd);
  else if (name === "forward-format") {
    draft.format = enumOption("--forward-format", value, FORWARD_FORMATS);
  } else if (name === "forward-kind") {
    const kinds = value
      .split(",")
      .map((k) => enumOption("--forward-kind", k.trim(), FILTER_KIND_NAMES, { noun: "kind" }));
    draft.filter.kinds = kinds as NonNullable<SinkFilter["kinds"]>;
  } else if (name === "forward-min-severity") {
    draft.filter.minSeverity = enumOption(
      "--forward-min-severity",
      value,
      Object.keys(SEVERITY_RANK) as Severity[],
      { noun: "severity" },
    );
  } else if (name === "forward-concurrency") {
    draft.concurrency = wholeNumber("--forward-concurrency", value, 1, 64);
  }
}

function buildSink(
  d: SinkDraft,
  env: NodeJS.ProcessEnv,
  cwd: string,
  secrets: string[],
): OutboxSink {
  const common = {
    ...(d.filter.kinds || d.filter.minSeverity ? { filter: d.filter } : {}),
    ...(d.concurrency ? { concurrency: d.concurrency } : {}),
  };
  if (d.flag === "forward-exec") {
    let command: string[];
    try {
      command = splitCommandLine(d.value);
    } catch (error) {
      throw new UsageError(
        `--forward-exec: ${(error as Error).message} in the command. Close the quote.`,
        { option: "--forward-exec" },
      );
    }
    if (command.length === 0)
      throw new UsageError(
        '--forward-exec: the command is empty. Give one, e.g. "notify-send Netdata".',
        { option: "--forward-exec" },
      );
    checkExecutable(command[0] ?? "", env, cwd);
    // Only what the operator names: the receiver's tokens and other sinks' secrets stay here.
    return execSink({ command, env: d.env, envSource: env, ...common });
  }
  let url: URL;
  try {
    url = new URL(d.value);
  } catch {
    throw new UsageError(
      `--forward-url: expected an absolute URL such as https://hooks.example.com/in, got a value of ${d.value.length} characters that is not one.`,
      { option: "--forward-url" },
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new UsageError(`--forward-url: expected http:// or https://, got ${url.protocol}//.`, {
      option: "--forward-url",
    });
  }
  // The path or query of a chat service's incoming-webhook URL is often its secret.
  secrets.push(url.href, d.value);
  if (url.password) secrets.push(url.password);
  return urlSink({
    url: url.href,
    headers: d.headers,
    ...(d.format ? { format: d.format as (typeof FORWARD_FORMATS)[number] } : {}),
    ...(d.ca ? { ca: d.ca } : {}),
    ...common,
  });
}

/**
 * A --forward-env name, refused when it is not a variable name or not set (a typo would
 * otherwise pass nothing, silently). Its value is a secret to the log.
 */
function forwardedVariable(name: string, env: NodeJS.ProcessEnv, secrets: string[]): string {
  if (!ENV_NAME_PATTERN.test(name)) {
    // NAME=value may hold a secret: show only the name part.
    const shown = name.includes("=")
      ? `${JSON.stringify(name.slice(0, name.indexOf("=")))}=… (${name.length} characters)`
      : JSON.stringify(name);
    throw new UsageError(
      `--forward-env: expected an environment variable name such as TICKET_TOKEN, got ${shown}. Pass only the name, and set the variable in serve's environment.`,
    );
  }
  const value = env[name];
  if (value === undefined) {
    throw new UsageError(
      `--forward-env: environment variable ${name} is not set. Set it, or leave out --forward-env ${name}.`,
    );
  }
  if (value !== "") secrets.push(value);
  return name;
}

/** Refuses a command that is not an executable file, as the shell would find it. */
function checkExecutable(program: string, env: NodeJS.ProcessEnv, cwd: string): void {
  const candidates = program.includes("/")
    ? [resolve(cwd, program)]
    : (env.PATH ?? "").split(delimiter).map((dir) => resolve(cwd, dir || ".", program));
  for (const path of candidates) {
    try {
      if (statSync(path).isFile()) {
        accessSync(path, constants.X_OK);
        return;
      }
    } catch {
      // not this one
    }
  }
  const where = program.includes("/") ? "" : " in PATH";
  throw new UsageError(
    `--forward-exec: ${JSON.stringify(program)} is not an executable file${where}. Give the program's full path, or "sh -c '...'" for shell syntax.`,
    { option: "--forward-exec" },
  );
}

function globalSettings(values: Record<string, unknown>): Forwarding["settings"] {
  const text = (name: string) =>
    typeof values[name] === "string" ? (values[name] as string) : undefined;
  const timeout = text("forward-timeout");
  const attempts = text("forward-max-attempts");
  const age = text("forward-max-age");
  const base = text("forward-retry-base");
  const parallel = text("forward-max-concurrent");
  const retention = text("forward-retention");
  return {
    ...(timeout ? { attemptTimeoutMs: duration("--forward-timeout", timeout) } : {}),
    ...(attempts ? { maxAttempts: wholeNumber("--forward-max-attempts", attempts, 1, 1000) } : {}),
    ...(age ? { maxAgeMs: duration("--forward-max-age", age) } : {}),
    ...(base ? { backoff: { baseMs: duration("--forward-retry-base", base) } } : {}),
    ...(parallel
      ? { maxConcurrentDeliveries: wholeNumber("--forward-max-concurrent", parallel, 1, 64) }
      : {}),
    ...(retention ? { deliveredRetentionMs: duration("--forward-retention", retention) } : {}),
    closeGraceMs: SERVE_CLOSE_GRACE_MS,
  };
}

/**
 * Attaches the forwarding outbox to the store `serve` opened, before the receiver can insert
 * anything; says which sinks it forwards to. Throws an OptionError for a bad setting.
 */
export function attachForwarding(
  store: NotificationStore,
  forwarding: Forwarding,
  logger: Logger,
): Outbox {
  const outbox = createOutbox({ store, sinks: forwarding.sinks, logger, ...forwarding.settings });
  for (const sink of forwarding.sinks) logger.info("forwarding to sink", { sink: sink.name });
  if (forwarding.literalSecrets.length > 0) {
    logger.warn(
      "a forwarding secret was given on the command line, where other local users can read it (ps); write {file:PATH} or {env:VAR} in --forward-header instead",
      { options: forwarding.literalSecrets },
    );
  }
  return outbox;
}
