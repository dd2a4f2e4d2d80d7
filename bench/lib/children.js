// @ts-check
// Servers under test run in child processes of their own, so the load generator in this
// process does not share their event loop, and /proc shows their RSS alone.
import { fork } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** How long a child has to say it is listening. */
const START_TIMEOUT_MS = 15_000;
/** How long a child has to stop after being asked, before SIGKILL. */
const STOP_TIMEOUT_MS = 10_000;

/**
 * @typedef {object} Child
 * @property {number} pid
 * @property {string} url what the child reported when it was ready
 * @property {string} logPath its stdout and stderr
 * @property {(type: string) => Promise<Record<string, unknown>>} ask one IPC question, one answer
 * @property {() => number} rssBytes resident set size now, from /proc/PID/status (VmRSS)
 * @property {() => Promise<void>} stop
 */

/**
 * Forks `script` with `config` (JSON) as its argument; resolves once it sends
 * `{ type: "ready", url }`. Its output goes to `logDir/NAME.log`.
 * @param {string} script absolute path
 * @param {Record<string, unknown>} config
 * @param {{ name: string, logDir: string, execArgv?: string[] }} options
 * @returns {Promise<Child>}
 */
export async function startChild(script, config, options) {
  const logPath = join(options.logDir, `${options.name}.log`);
  const logFd = openSync(logPath, "a");
  const child = fork(script, [JSON.stringify(config)], {
    stdio: ["ignore", logFd, logFd, "ipc"],
    execArgv: options.execArgv ?? [],
  });
  closeSync(logFd);
  const exited = new Promise((resolve) =>
    child.once("exit", (code, signal) => resolve(code ?? signal)),
  );
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(
        new Error(`${options.name} did not start within ${START_TIMEOUT_MS} ms; see ${logPath}`),
      );
    }, START_TIMEOUT_MS);
    child.once("message", (/** @type {any} */ message) => {
      clearTimeout(timer);
      if (message?.type === "ready") resolve(String(message.url));
      else
        reject(
          new Error(`${options.name} failed to start: ${message?.error ?? "?"}; see ${logPath}`),
        );
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${options.name} exited (${code}) before it was ready; see ${logPath}`));
    });
  });
  const pid = /** @type {number} */ (child.pid);
  return {
    pid,
    url,
    logPath,
    ask: (type) =>
      new Promise((resolve) => {
        child.once("message", (/** @type {any} */ message) => resolve(message));
        child.send({ type });
      }),
    rssBytes: () => rssOf(pid),
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const timer = setTimeout(() => child.kill("SIGKILL"), STOP_TIMEOUT_MS);
      child.send({ type: "stop" });
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * VmRSS of a process, in bytes (Linux).
 * @param {number} pid
 */
export function rssOf(pid) {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(status);
  if (!match) throw new Error(`failed to read VmRSS of process ${pid}: no VmRSS line`);
  return Number(match[1]) * 1024;
}
