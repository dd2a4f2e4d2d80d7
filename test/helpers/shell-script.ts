// Running shell text as a reader would type it: one bash with job control, failures named.
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { dirname } from "node:path";

/** A port that was free a moment ago (the OS picks it), for text that names a fixed port. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Runs `text` with bash in `cwd` with a small, fixed environment; output interleaved. */
export function runScript(
  text: string,
  cwd: string,
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn("bash", ["-c", text], {
      cwd,
      env: {
        PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ""}`,
        HOME: process.env.HOME ?? cwd,
        NO_COLOR: "1",
        npm_config_offline: "true",
        npm_config_update_notifier: "false",
        npm_config_fund: "false",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, output }));
  });
}

/**
 * A bash script of `lines`: each echoed, then run; a failing line stops it and is named.
 * `fixedPort` in the text becomes `port`; after a line that starts a background job, it
 * waits until that port accepts connections (or fails if the job died).
 */
export function shellScript(lines: string[], fixedPort: string, port: number): string {
  const body = lines.flatMap((line) => {
    const command = line.replaceAll(fixedPort, String(port));
    const out = [`echo ${JSON.stringify(`$ ${command}`)}`, command];
    if (/&\s*(#.*)?$/.test(command)) {
      out.push(
        `for i in $(seq 300); do (exec 3<>/dev/tcp/127.0.0.1/${port}) 2>/dev/null && break; kill -0 $! 2>/dev/null || { echo "script line failed: the background command exited" >&2; exit 1; }; sleep 0.1; done`,
      );
    }
    return out;
  });
  return [
    // Job control, as in the terminal a reader types into: a background job gets its own
    // process group, so `kill %1` stops npx and the receiver it started.
    "set -m",
    "set -eE",
    "trap 'for job in $(jobs -p); do kill -- -$job 2>/dev/null; done' EXIT",
    `trap 'echo "script line failed (exit $?): $BASH_COMMAND" >&2' ERR`,
    ...body,
    "wait",
  ].join("\n");
}
