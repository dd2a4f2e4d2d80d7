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
 * The commands of shell text as a reader types them: one a line, except that a line ending
 * in `\` goes on to the next and a here-document (`<<EOF` or `<<'EOF'`) runs to its end line.
 */
export function shellCommands(lines: readonly string[]): string[] {
  const commands: string[] = [];
  let current: string[] = [];
  let heredocEnd: string | undefined;
  for (const line of lines) {
    current.push(line);
    if (heredocEnd !== undefined) {
      if (line === heredocEnd) heredocEnd = undefined;
    } else {
      const heredoc = /<<-?\s*(['"]?)(\w+)\1/.exec(line);
      if (heredoc) heredocEnd = heredoc[2];
      else if (line.endsWith("\\")) continue;
    }
    if (heredocEnd !== undefined) continue;
    commands.push(current.join("\n"));
    current = [];
  }
  if (current.length > 0) commands.push(current.join("\n"));
  return commands.filter((command) => command.trim().length > 0);
}

/**
 * A bash script of `lines`: each command echoed, then run; a failing one stops it and is
 * named. Each fixed port of the text (a key of `ports`) becomes its value, so parallel runs
 * cannot collide; after a command that starts a background job and names one of them (or
 * names none, when `unnamed` says where it listens), it waits until that port accepts
 * connections (or fails if the job died).
 */
export function shellScript(
  lines: string[],
  ports: Readonly<Record<string, number>>,
  /** The fixed port a background command that names none listens on (`npm run dev &`). */
  unnamed?: string,
): string {
  // One pass, whole numbers only: a free port chosen for one fixed port (38443 for 8080) must
  // not be rewritten again by another's replacement (8443).
  const fixedPorts = Object.keys(ports);
  const anyFixed = new RegExp(`\\b(${fixedPorts.join("|")})\\b`, "g");
  const body = shellCommands(lines).flatMap((text) => {
    const command =
      fixedPorts.length === 0 ? text : text.replace(anyFixed, (fixed) => String(ports[fixed]));
    const out = [`echo ${JSON.stringify(`$ ${command}`)}`, command];
    const named =
      Object.entries(ports).find(([fixed]) => text.includes(fixed)) ??
      (unnamed !== undefined && ports[unnamed] !== undefined
        ? ([unnamed, ports[unnamed]] as const)
        : undefined);
    if (/&\s*(#.*)?$/.test(command) && named) {
      out.push(
        `for i in $(seq 300); do (exec 3<>/dev/tcp/127.0.0.1/${named[1]}) 2>/dev/null && break; kill -0 $! 2>/dev/null || { echo "script line failed: the background command exited" >&2; exit 1; }; sleep 0.1; done`,
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

/** The ports a README or doc names, each mapped to one that was free a moment ago. */
export async function freePorts(fixed: readonly string[]): Promise<Record<string, number>> {
  const ports: Record<string, number> = {};
  for (const port of fixed) ports[port] = await freePort();
  return ports;
}

/**
 * The fenced blocks of a Markdown text in `language`, in order, with the `<!-- readme-test:
 * ... -->` marker just before each (undefined without one).
 */
export function fencedBlocks(
  markdown: string,
  language: string,
): Array<{ code: string; marker: string | undefined }> {
  const blocks: Array<{ code: string; marker: string | undefined }> = [];
  for (const match of markdown.matchAll(new RegExp(`\`\`\`${language}\n([\\s\\S]*?)\`\`\``, "g"))) {
    const before = markdown.slice(0, match.index);
    const marker = /<!-- readme-test: (.+?) -->\s*$/.exec(before)?.[1];
    blocks.push({ code: match[1] ?? "", marker });
  }
  return blocks;
}
