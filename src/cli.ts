#!/usr/bin/env node
import { PROGRAM } from "./commands/_command.js";
import { runCli } from "./run-cli.js";

runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
  cwd: process.cwd(),
  isTTY: Boolean(process.stdout.isTTY),
}).then(
  (code) => {
    // Long-running commands (serve) resolve only when they are done; then exit promptly.
    process.exit(code);
  },
  (error: unknown) => {
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
    process.stderr.write(`${PROGRAM}: unexpected error: ${message}\n`);
    process.exit(1);
  },
);
