#!/usr/bin/env -S node --max-semi-space-size=4
import { PROGRAM } from "./commands/_command.js";
import { runCli } from "./run-cli.js";

runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
  cwd: process.cwd(),
  isTTY: Boolean(process.stdout.isTTY),
  ...(process.stdout.isTTY && process.stdout.columns > 0 && { columns: process.stdout.columns }),
}).then(
  (code) => {
    // Long-running commands (serve) resolve only when they are done; then exit promptly.
    process.exit(code);
  },
  (error: unknown) => {
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
    process.exit(1);
  },
);
