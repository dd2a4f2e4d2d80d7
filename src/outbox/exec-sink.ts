import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { basename } from "node:path";
import type { StoredNotification } from "../receiver/store-types.js";
import { notificationDocument } from "./notification-document.js";
import type { Delivery, OutboxSink, SinkFilter } from "./outbox-types.js";

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
  /** The command's environment before the NETDATA_* variables. Default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Variables removed from `env`: the receiver's own secrets. */
  withholdEnv?: readonly string[];
}

/**
 * A sink that runs a command per notification: the normalised notification as JSON on stdin,
 * its main fields in NETDATA_* variables (see `execEnvironment`), stdout discarded; exit 0 is
 * success. A command that outlives the attempt's timeout is killed.
 */
export function execSink(options: ExecSinkOptions): OutboxSink {
  const [program, ...args] = options.command;
  if (typeof program !== "string" || program === "") {
    throw new TypeError("[netdata-webhook-kit] execSink: command: expected [program, ...args]");
  }
  const base: NodeJS.ProcessEnv = { ...(options.env ?? process.env) };
  for (const name of options.withholdEnv ?? []) delete base[name];
  return {
    name: options.name ?? defaultExecName(options.command),
    ...(options.filter ? { filter: options.filter } : {}),
    ...(options.concurrency ? { concurrency: options.concurrency } : {}),
    ...(options.attemptTimeoutMs ? { attemptTimeoutMs: options.attemptTimeoutMs } : {}),
    deliver: (delivery) =>
      runCommand(program, args, { ...base, ...execEnvironment(delivery) }, delivery),
  };
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

/** The NETDATA_* variables a command gets; absent fields are empty strings. */
export function execEnvironment(delivery: Delivery): Record<string, string> {
  const n: StoredNotification = delivery.notification;
  return {
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
}

function runCommand(
  program: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  delivery: Delivery,
): Promise<void> {
  return new Promise((resolve, reject) => {
    let stderr = Buffer.alloc(0);
    const child = spawn(program, args, {
      env,
      stdio: ["pipe", "ignore", "pipe"],
      signal: delivery.signal,
      killSignal: "SIGKILL",
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr = Buffer.concat([stderr, chunk]).subarray(-EXEC_STDERR_TAIL_BYTES);
    });
    // A command that does not read its stdin closes the pipe early: that is not a failure.
    child.stdin?.on("error", () => {});
    child.stdin?.end(notificationDocument(delivery.notification));
    child.once("error", (error: NodeJS.ErrnoException) => {
      if (error.name === "AbortError") reject(delivery.signal.reason ?? error);
      else reject(new Error(`failed to run ${program}: ${error.code ?? error.message}`));
    });
    child.once("close", (code, signal) => {
      if (code === 0) return resolve();
      const tail = stderr.toString("utf8").trim();
      const how = code === null ? `killed by ${signal}` : `exit code ${code}`;
      reject(new Error(`${program}: ${how}${tail ? `: ${tail}` : ""}`));
    });
  });
}
