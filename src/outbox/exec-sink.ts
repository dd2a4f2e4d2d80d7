import { type ChildProcess, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { basename } from "node:path";
import type { StoredNotification } from "../receiver/store-types.js";
import { OptionError } from "../validate/option-error.js";
import { notificationDocument } from "./notification-document.js";
import type { Delivery, OutboxSink, SinkFilter } from "./outbox-types.js";
import { PermanentFailure } from "./permanent-failure.js";

/** Bytes of a failing command's stderr kept for the error (the end of it). */
export const EXEC_STDERR_TAIL_BYTES = 2048;

export interface ExecSinkOptions {
  /** argv: the program and its arguments. Run without a shell. */
  command: readonly string[];
  /** Default `exec(<program>)#<hash of argv>`. */
  name?: string;
  filter?: SinkFilter;
  concurrency?: number;
  attemptTimeoutMs?: number;
  /**
   * Variables passed to the command by name, beyond PATH, HOME, LANG, LC_*, TZ and its
   * NETDATA_* variables: nothing else of the receiver's environment (its tokens, other sinks'
   * secrets) reaches the command. Unset ones are left out.
   */
  env?: readonly string[];
  /** Where the variables are read from. Default process.env. */
  envSource?: NodeJS.ProcessEnv;
}

/** What every command gets of the receiver's environment: where programs are, and the locale. */
export const EXEC_BASE_ENV: readonly string[] = ["PATH", "HOME", "LANG", "TZ"];
/** The locale categories (LC_ALL, LC_TIME, ...) go with LANG. */
const LOCALE_VARIABLE = /^LC_[A-Z]+$/;
/** A variable name `env` may hold. */
export const ENV_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * A sink that runs a command per notification: the normalised notification as JSON on stdin,
 * its main fields in NETDATA_* variables (see `execEnvironment`), stdout discarded; exit 0 is
 * success. A command that outlives the attempt's timeout is killed.
 */
export function execSink(options: ExecSinkOptions): OutboxSink {
  const [program, ...args] = options.command;
  if (typeof program !== "string" || program === "") {
    throw new OptionError("execSink", "command", "expected [program, ...args]");
  }
  const base = cleanEnvironment(options.envSource ?? process.env, options.env ?? []);
  return {
    name: options.name ?? defaultExecName(options.command),
    ...(options.filter ? { filter: options.filter } : {}),
    ...(options.concurrency ? { concurrency: options.concurrency } : {}),
    ...(options.attemptTimeoutMs ? { attemptTimeoutMs: options.attemptTimeoutMs } : {}),
    deliver: (delivery) =>
      runCommand(program, args, { ...base, ...execEnvironment(delivery) }, delivery),
  };
}

/**
 * The command's environment before its NETDATA_* variables: the base variables, the locale and
 * the ones named in `names`, each only when set.
 */
export function cleanEnvironment(
  source: NodeJS.ProcessEnv,
  names: readonly string[],
): Record<string, string> {
  for (const name of names) {
    if (typeof name !== "string" || !ENV_NAME_PATTERN.test(name)) {
      throw new OptionError(
        "execSink",
        "env",
        `expected variable names such as "TICKET_TOKEN", got ${JSON.stringify(name)}`,
      );
    }
  }
  const wanted = new Set([...EXEC_BASE_ENV, ...names]);
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(source)) {
    if (value === undefined) continue;
    if (wanted.has(name) || LOCALE_VARIABLE.test(name)) env[name] = value;
  }
  return env;
}

/** The default name: the program's base name and a short hash of the whole argv. */
export function defaultExecName(command: readonly string[]): string {
  const program = basename(command[0] ?? "command")
    .replace(/[^A-Za-z0-9._-]/g, "_")
    .slice(0, 40);
  return `exec(${program})#${shortHash(JSON.stringify(command))}`;
}

export function shortHash(text: string): string {
  return createHash("sha256").update(text).digest("hex").slice(0, 8);
}

/** Largest NETDATA_* value in bytes: the whole environment must stay far below the system's limit. */
export const EXEC_ENV_VALUE_MAX_BYTES = 4096;
/** Ends a NETDATA_* value that was cut at EXEC_ENV_VALUE_MAX_BYTES. */
export const EXEC_ENV_TRUNCATED = "… [truncated: the full notification is on stdin]";
/** Characters of a failing command's stderr kept in its error: the end, where tools say why. */
export const EXEC_ERROR_TAIL_CHARS = 400;
/** Between SIGTERM and SIGKILL to a command's process group. */
export const EXEC_KILL_GRACE_MS = 1000;
/** After the command exits, how long its stderr may still be read (a child can hold it open). */
export const EXEC_OUTPUT_GRACE_MS = 100;

/**
 * The NETDATA_* variables a command gets; absent fields are empty strings. Each value is at
 * most EXEC_ENV_VALUE_MAX_BYTES (cut on a character boundary, marked) and has no NUL, so any
 * notification can be passed; the full notification is on stdin.
 */
export function execEnvironment(delivery: Delivery): Record<string, string> {
  const n: StoredNotification = delivery.notification;
  const raw: Record<string, string> = {
    NETDATA_ID: String(n.id),
    NETDATA_KIND: n.kind,
    NETDATA_SEVERITY: n.severity,
    NETDATA_MESSAGE: n.message,
    NETDATA_TITLE: n.title ?? "",
    NETDATA_HOST: n.host ?? "",
    NETDATA_ALERT: n.alertName ?? "",
    NETDATA_CHART: n.chart ?? "",
    NETDATA_CONTEXT: n.context ?? "",
    NETDATA_SPACE: n.space ?? "",
    NETDATA_URL: n.url ?? "",
    NETDATA_OCCURRED_AT: n.occurredAt ?? "",
    NETDATA_RECEIVED_AT: n.receivedAt,
    NETDATA_CONTENT_KEY: n.contentKey,
    NETDATA_IDEMPOTENCY_KEY: delivery.idempotencyKey,
    NETDATA_ATTEMPT: String(delivery.attempt),
    NETDATA_DELIVERY_ID: String(delivery.id),
  };
  for (const [name, value] of Object.entries(raw)) raw[name] = envValue(value);
  return raw;
}

/** A value an environment can hold: NUL replaced by U+FFFD, at most EXEC_ENV_VALUE_MAX_BYTES. */
export function envValue(text: string): string {
  const value = text.includes("\0") ? text.replaceAll("\0", "\uFFFD") : text;
  const bytes = Buffer.from(value, "utf8");
  if (bytes.length <= EXEC_ENV_VALUE_MAX_BYTES) return value;
  let end = EXEC_ENV_VALUE_MAX_BYTES - Buffer.byteLength(EXEC_ENV_TRUNCATED);
  while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end--; // not inside a character
  return bytes.subarray(0, end).toString("utf8") + EXEC_ENV_TRUNCATED;
}

/** Spawn errors that repeating the attempt cannot cure. */
const PERMANENT_SPAWN_ERRORS = new Set(["E2BIG", "ENAMETOOLONG", "ERR_INVALID_ARG_VALUE"]);
const SPAWN_CAUSES: Readonly<Record<string, string>> = {
  ENOENT: "no such file",
  EACCES: "permission denied (is it executable?)",
  E2BIG: "its arguments and environment are too large",
};

function spawnFailure(program: string, error: NodeJS.ErrnoException): Error {
  const code = error.code ?? "";
  const cause = SPAWN_CAUSES[code];
  const text = `failed to run ${program}: ${code || error.message}${cause ? ` (${cause})` : ""}`;
  return PERMANENT_SPAWN_ERRORS.has(code) ? new PermanentFailure(text) : new Error(text);
}

/**
 * Runs the command in its own process group. Its exit decides the outcome (a background
 * child that keeps stderr open does not hold it); on abort the whole group gets SIGTERM,
 * then SIGKILL after EXEC_KILL_GRACE_MS.
 */
function runCommand(
  program: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  delivery: Delivery,
): Promise<void> {
  return new Promise((resolve, reject) => {
    let stderr = Buffer.alloc(0);
    let child: ChildProcess;
    try {
      child = spawn(program, args, { env, stdio: ["pipe", "ignore", "pipe"], detached: true });
    } catch (error) {
      reject(spawnFailure(program, error as NodeJS.ErrnoException));
      return;
    }
    let settled = false;
    /** Sends `signal` to the command's process group; false when the group is gone. */
    const signalGroup = (signal: NodeJS.Signals | 0): boolean => {
      if (child.pid === undefined) return false;
      try {
        process.kill(-child.pid, signal);
        return true;
      } catch {
        return false;
      }
    };
    let aborting = false;
    const onAbort = (): void => {
      aborting = true;
      signalGroup("SIGTERM");
      // The attempt settles only once the group is gone or has been sent SIGKILL: whoever
      // awaits it (a stopping serve) cannot exit first and leave a child behind.
      const deadline = Date.now() + EXEC_KILL_GRACE_MS;
      const aborted = () => finish(() => reject(delivery.signal.reason));
      const watch = setInterval(() => {
        if (!signalGroup(0)) {
          clearInterval(watch);
          aborted();
        } else if (Date.now() >= deadline) {
          signalGroup("SIGKILL");
          clearInterval(watch);
          aborted();
        }
      }, 50);
    };
    const finish = (settle: () => void): void => {
      if (settled) return;
      settled = true;
      delivery.signal.removeEventListener("abort", onAbort);
      settle();
    };
    if (delivery.signal.aborted) onAbort();
    else delivery.signal.addEventListener("abort", onAbort, { once: true });
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr = Buffer.concat([stderr, chunk]).subarray(-EXEC_STDERR_TAIL_BYTES);
    });
    // A command that does not read its stdin closes the pipe early: that is not a failure.
    child.stdin?.on("error", () => {});
    child.stdin?.end(notificationDocument(delivery.notification));
    child.once("error", (error: NodeJS.ErrnoException) => {
      finish(() => reject(spawnFailure(program, error)));
    });
    child.once("exit", (code, signal) => {
      // Read what is left of stderr, but not for longer than a moment: a child may hold it.
      const done = (): void => {
        child.stderr?.destroy();
        // Aborted: the group watch settles the attempt (the command's children may live on).
        if (aborting) return;
        if (code === 0) {
          finish(resolve);
          return;
        }
        const how = code === null ? `killed by ${signal}` : `exit code ${code}`;
        finish(() => reject(new Error(`${program}: ${how}${stderrTail(stderr)}`)));
      };
      if (!child.stderr || child.stderr.readableEnded) {
        done();
        return;
      }
      const grace = setTimeout(done, EXEC_OUTPUT_GRACE_MS);
      child.stderr.once("end", () => {
        clearTimeout(grace);
        done();
      });
    });
  });
}

function stderrTail(stderr: Buffer): string {
  const text = stderr.toString("utf8").replace(/\s+/g, " ").trim();
  if (!text) return "";
  return text.length > EXEC_ERROR_TAIL_CHARS
    ? `: …${text.slice(-EXEC_ERROR_TAIL_CHARS).trimStart()}`
    : `: ${text}`;
}
