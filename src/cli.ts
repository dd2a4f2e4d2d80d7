#!/usr/bin/env -S node --max-semi-space-size=4
import { PROGRAM } from "./commands/_command.js";
import { runCli } from "./run-cli.js";

/**
 * How long a finished command may keep the process alive (a timer or socket it left open)
 * once its output has drained; the exit code is already set.
 */
const LINGER_AFTER_DONE_MS = 1000;

/** Resolves once everything written to `stream` so far has been handed to the OS. */
function drained(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => {
    if (stream.destroyed || !stream.writable) return resolve();
    stream.once("error", () => resolve());
    stream.write("", () => resolve());
  });
}

/**
 * Sets the exit code and lets Node exit on its own once stdout and stderr have drained, so a
 * pipe (`verify --json - | jq`) gets every byte. A command that leaves a handle open is ended
 * after LINGER_AFTER_DONE_MS by an unref'd timer, which cannot itself keep the process alive.
 */
async function finish(code: number): Promise<void> {
  process.exitCode = code;
  await Promise.all([drained(process.stdout), drained(process.stderr)]);
  setTimeout(() => process.exit(), LINGER_AFTER_DONE_MS).unref();
}

// A reader that went away (`| head`) is not an error of the command: stop writing quietly.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code !== "EPIPE") throw error;
  });
}

runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
  cwd: process.cwd(),
  isTTY: Boolean(process.stdout.isTTY),
  ...(process.stdout.isTTY && process.stdout.columns > 0 && { columns: process.stdout.columns }),
}).then(finish, (error: unknown) => {
  // A system call that failed (disk full, permission denied...) is the machine's story, not
  // a bug: say what failed. Anything else is a bug: keep the stack for the report.
  const { syscall } = error as NodeJS.ErrnoException;
  if (error instanceof Error && typeof syscall === "string") {
    process.stderr.write(`${PROGRAM}: ${error.message}\n`);
  } else {
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
    process.stderr.write(
      `${PROGRAM}: unexpected error (a bug: please report it with this output): ${message}\n`,
    );
  }
  return finish(1);
});
