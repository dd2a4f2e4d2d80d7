import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { open, stat } from "node:fs/promises";
import { withKitOnPath } from "./kit-on-path.js";
import type { Payload } from "./payloads/payload-factory.js";

/** One request verify expects to be refused, marked so it can be found where it must not be. */
export interface Canary {
  value: string;
  checkId: string;
  label: string;
}

/** Longest output of --observe-command read (the rest is ignored). */
const OBSERVE_OUTPUT_MAX_BYTES = 64 * 1024 * 1024;
/** Deadline of --observe-command. */
const OBSERVE_COMMAND_TIMEOUT_MS = 30_000;

export function newCanaryValue(): string {
  return `ndwk-canary-${randomBytes(8).toString("hex")}`;
}

/** The value the baseline's (accepted) notification carries, once per run. */
export function newWitnessValue(): string {
  return `ndwk-witness-${randomBytes(8).toString("hex")}`;
}

/**
 * The payload with `value` in the fields a receiver stores or logs: the message, and the
 * token of a test notification. `why` says in the message what the value is there for.
 */
function marked(payload: Payload, value: string, why: string): Payload {
  const parsed = JSON.parse(payload.body) as Record<string, unknown>;
  parsed.message = `netdata-webhook-kit verify ${value}: ${why}`;
  if (typeof parsed.token === "string") parsed.token = value;
  return { ...payload, body: JSON.stringify(parsed) };
}

/** A request that must be refused: its canary found where the receiver keeps things fails it. */
export function withCanary(payload: Payload, canary: string): Payload {
  return marked(payload, canary, "this request should have been refused");
}

/** The baseline's accepted notification: an observed source must show its witness. */
export function withWitness(payload: Payload, witness: string): Payload {
  return marked(payload, witness, "accepted, to show the observed source watches this receiver");
}

/** Where to look for canaries after a run; the log offset is taken before the run starts. */
export interface Observer {
  /** Human names of the sources, for the report. */
  sources: string[];
  /** Everything the sources hold now (the log from the starting offset). */
  read(): Promise<{ text: string; problems: string[] }>;
}

export async function createObserver(
  logPath: string | null,
  command: string | null,
  cwd: string,
  limits: { commandTimeoutMs?: number } = {},
): Promise<Observer | null> {
  if (logPath === null && command === null) return null;
  const offset = logPath === null ? 0 : await sizeOf(logPath);
  const sources = [
    ...(logPath !== null ? [`--observe-log ${logPath}`] : []),
    ...(command !== null ? [`--observe-command ${JSON.stringify(command)}`] : []),
  ];
  return {
    sources,
    read: async () => {
      const texts: string[] = [];
      const problems: string[] = [];
      if (logPath !== null) {
        try {
          texts.push(await readFrom(logPath, offset));
        } catch (error) {
          const code = (error as NodeJS.ErrnoException).code;
          const what =
            code === "ENOENT"
              ? "file not found (the receiver has written nothing there)"
              : code === "EISDIR"
                ? "a folder, not a file"
                : code === "EACCES" || code === "EPERM"
                  ? "permission denied"
                  : `cannot be read (${code ?? String(error)})`;
          problems.push(`--observe-log ${logPath}: ${what}`);
        }
      }
      if (command !== null) {
        const result = await withKitOnPath((env) =>
          runCommand(command, cwd, env, limits.commandTimeoutMs ?? OBSERVE_COMMAND_TIMEOUT_MS),
        );
        texts.push(result.stdout);
        if (result.problem) problems.push(`--observe-command: ${result.problem}`);
      }
      return { text: texts.join("\n"), problems };
    },
  };
}

async function sizeOf(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    // A log that does not exist yet is read from its start once the receiver writes it.
    return 0;
  }
}

async function readFrom(path: string, offset: number): Promise<string> {
  const handle = await open(path, "r");
  try {
    const info = await handle.stat();
    if (info.isDirectory()) {
      throw Object.assign(new Error(`${path} is a folder`), { code: "EISDIR" });
    }
    const { size } = info;
    const start = size < offset ? 0 : offset; // rotated or truncated: read it all
    const length = Math.min(size - start, OBSERVE_OUTPUT_MAX_BYTES);
    const buffer = Buffer.alloc(length);
    await handle.read(buffer, 0, length, start);
    return buffer.toString("utf8");
  } finally {
    await handle.close();
  }
}

/** Time the command's process group gets to end after SIGTERM, before SIGKILL. */
const KILL_GRACE_MS = 2000;

/**
 * Runs the command in a shell of its own process group, so that on timeout the whole group
 * (the shell and whatever it started) is ended, and nothing is left running.
 */
function runCommand(
  command: string,
  cwd: string,
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
): Promise<{ stdout: string; problem: string | null }> {
  return new Promise((resolve) => {
    const child = spawn("/bin/sh", ["-c", command], {
      cwd,
      env,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const out: Buffer[] = [];
    let outBytes = 0;
    let stderr = "";
    let timedOut = false;
    let killTimer: NodeJS.Timeout | undefined;
    const signalGroup = (signal: NodeJS.Signals) => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, signal);
      } catch {
        // Already gone.
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      signalGroup("SIGTERM");
      killTimer = setTimeout(() => signalGroup("SIGKILL"), KILL_GRACE_MS);
      killTimer.unref();
    }, timeoutMs);
    child.stdout.on("data", (chunk: Buffer) => {
      if (outBytes < OBSERVE_OUTPUT_MAX_BYTES) out.push(chunk);
      outBytes += chunk.length;
    });
    child.stderr.on("data", (chunk: Buffer) => {
      if (stderr.length < 4096) stderr += chunk.toString("utf8");
    });
    const finish = (problem: string | null) => {
      clearTimeout(timer);
      resolve({ stdout: Buffer.concat(out).toString("utf8"), problem });
    };
    child.once("error", (error) => finish(`could not start: ${error.message}`));
    child.once("close", (code, signal) => {
      if (timedOut) {
        // The group got SIGTERM; whatever ignored it gets SIGKILL once the grace is over.
        signalGroup("SIGKILL");
        clearTimeout(killTimer);
        return finish(`timed out after ${timeoutMs / 1000} s; its processes were ended`);
      }
      if (code === 0) return finish(null);
      const detail = stderr.trim() ? `: ${stderr.trim().slice(0, 200)}` : "";
      finish(`exited with ${code ?? signal ?? "an error"}${detail}`);
    });
  });
}

/** The canaries that show up in `text`. */
export function canariesFound(canaries: readonly Canary[], text: string): Canary[] {
  return canaries.filter((canary) => text.includes(canary.value));
}
